"""Dashboard statistics (SPEC §12: 1.5–1.7) and the per-company counts of 7.1.1.

Every figure is a GROUP BY in the database, windows are TIMEZONE days. Events of closed days are read
from AccessLogDay (app.services.stat_rollup), so the cost does not grow with the history kept.
"""

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import and_, case, func, select, union_all

from app.extensions import db
from app.models.admin import AdminUser
from app.models.company import Company
from app.models.radar import RADAR_ENABLED, AccessLog, AccessLogDay, Customer, FollowInfo, RadarUser
from app.services.stat_rollup import as_date, local_day, refresh_rollup, utc_midnight
from app.timefmt import fmt_date, local_today

# index_type (1.7) → the metric's key in 1.6.
METRICS = {
    1: "customer_num",
    2: "follow_num",
    3: "browse_num",
    4: "forward_num",
    5: "saved_total_num",
    6: "praise_sum",
}
# Metrics counted from AccessLog, by action code (SPEC §11).
METRIC_ACTIONS = {3: (1, 14), 4: (6, 15, 16), 5: (8,), 6: (9, 19)}
ACTION_METRIC = {action: index for index, actions in METRIC_ACTIONS.items() for action in actions}
# Metrics counted from rows' own create_date.
METRIC_MODELS = {1: Customer, 2: FollowInfo}
WINDOWS = ("count_data", "today_data", "yesterday_data", "nearly_seven_days", "nearly_thirty_days")


def seat_and_customer_counts(company_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(enabled radar users = seats used, customers) per company, from two GROUP BY counts."""
    if not company_ids:
        return {}
    seats = _count_by_company(RadarUser, company_ids, RadarUser.status == RADAR_ENABLED)
    customers = _count_by_company(Customer, company_ids)
    return {cid: (seats.get(cid, 0), customers.get(cid, 0)) for cid in company_ids}


def _count_by_company(model, company_ids, *where) -> dict[int, int]:
    stmt = (
        select(model.company_id, func.count())
        .where(model.company_id.in_(company_ids), *where)
        .group_by(model.company_id)
    )
    return dict(db.session.execute(stmt).all())


def home_page(company: Company, admin: AdminUser) -> dict:
    """1.5 名片状态 + 账号状态."""
    from app.services import companies  # here: companies imports this module for 7.1.1

    used_days, available_days = companies.service_days(company, local_today())
    seats = _count(RadarUser, company.id, RadarUser.status == RADAR_ENABLED)
    return {
        "company_name": company.name,
        "username": admin.username,
        "mingpian_num": company.mingpian_available_num,
        "user_count": _count(RadarUser, company.id),
        # Seats are taken by enabled radar users only; user_count (the contract's) counts disabled ones too.
        "seats_used": seats,
        "seats_left": max(company.mingpian_available_num - seats, 0),
        "expired_time": fmt_date(company.account_expired_time),
        "open_up_date": fmt_date(company.charging_start_time),
        "available_days": available_days,
        "used_days": used_days,
        "customer_num": _count(Customer, company.id),
    }


def _count(model, company_id: int, *where) -> int:
    return db.session.scalar(select(func.count()).where(model.company_id == company_id, *where)) or 0


# --- 1.6 数据概览 ------------------------------------------------------------------------------------


def _windows(today: date) -> dict[str, tuple[date | None, date | None]]:
    """Each window of 1.6 as [first day, end day) in TIMEZONE; None = open."""
    return {
        "count_data": (None, None),
        "today_data": (today, None),
        "yesterday_data": (today - timedelta(days=1), today),
        "nearly_seven_days": (today - timedelta(days=7), today),
        "nearly_thirty_days": (today - timedelta(days=30), today),
    }


def account_data(company_id: int) -> dict:
    """1.6: every metric in every window, from one aggregate query per source table."""
    today = local_today()
    windows = _windows(today)
    result = {window: dict.fromkeys(METRICS.values(), 0) for window in WINDOWS}
    for index, model in METRIC_MODELS.items():
        for window, value in zip(WINDOWS, _row_windows(model, company_id, windows), strict=True):
            result[window][METRICS[index]] = value
    for action, *values in _event_windows(company_id, windows):
        for window, value in zip(WINDOWS, values, strict=True):
            result[window][METRICS[ACTION_METRIC[action]]] += int(value or 0)
    return result


def _in_window(column, start, end, convert=lambda day: day):
    conditions = []
    if start is not None:
        conditions.append(column >= convert(start))
    if end is not None:
        conditions.append(column < convert(end))
    return and_(*conditions) if conditions else None


def _windowed_sum(column, windows, value, convert=lambda day: day) -> list:
    sums = []
    for start, end in windows.values():
        condition = _in_window(column, start, end, convert)
        sums.append(func.sum(value) if condition is None else func.sum(case((condition, value), else_=0)))
    return sums


def _row_windows(model, company_id: int, windows) -> list[int]:
    """Customers or follow notes per window: the all-time total counted off the index, the dated windows
    summed over the last 30 days' rows only (no CASE over the whole history)."""
    in_company = model.company_id == company_id
    first = min(start for start, _end in windows.values() if start is not None)
    dated = {name: bounds for name, bounds in windows.items() if bounds != (None, None)}
    total = select(func.count()).where(in_company).scalar_subquery()
    sums = _windowed_sum(model.create_date, dated, 1, utc_midnight)
    stmt = select(total, *sums).where(in_company, model.create_date >= utc_midnight(first))
    by_name = dict(zip(["count_data", *dated], db.session.execute(stmt).one(), strict=True))
    return [int(by_name[name] or 0) for name in windows]


def _event_days(company_id: int, actions, first_day: date | None, end_day: date | None):
    """(action, day, num) rows: closed days from the rollup, the rest counted from the raw events."""
    split = refresh_rollup(company_id)
    rolled = select(AccessLogDay.action, AccessLogDay.day, AccessLogDay.num).where(
        AccessLogDay.company_id == company_id, AccessLogDay.action.in_(actions)
    )
    if first_day is not None:
        rolled = rolled.where(AccessLogDay.day >= first_day)
    start = split if first_day is None else max(split, first_day)
    end = utc_midnight(end_day) if end_day is not None else None
    day = local_day(AccessLog.create_date, utc_midnight(start), end)
    raw = select(AccessLog.action, day.label("day"), func.count().label("num")).where(
        AccessLog.company_id == company_id, AccessLog.action.in_(actions), AccessLog.create_date >= utc_midnight(start)
    )
    if end is not None:
        rolled = rolled.where(AccessLogDay.day < end_day)
        raw = raw.where(AccessLog.create_date < end)
    return union_all(rolled, raw.group_by(AccessLog.action, day)).subquery()


def _event_windows(company_id: int, windows) -> Sequence:
    events = _event_days(company_id, list(ACTION_METRIC), None, None)
    stmt = select(events.c.action, *_windowed_sum(events.c.day, windows, events.c.num)).group_by(events.c.action)
    return db.session.execute(stmt).all()


# --- 1.7 折线图 -------------------------------------------------------------------------------------


def line_info(company_id: int, days: int, index_type: int) -> list[dict]:
    """1.7: one point per day for the `days` days before today, oldest first, zero-filled."""
    today = local_today()
    first = today - timedelta(days=days)
    counts = {as_date(day): int(num) for day, num in _daily_counts(company_id, index_type, first, today)}
    points = (first + timedelta(days=offset) for offset in range(days))
    return [{"statics_date": day.isoformat(), "value": counts.get(day, 0)} for day in points]


def _daily_counts(company_id: int, index_type: int, first: date, end: date):
    if index_type in METRIC_MODELS:
        model = METRIC_MODELS[index_type]
        start, stop = utc_midnight(first), utc_midnight(end)
        day = local_day(model.create_date, start, stop)
        stmt = (
            select(day, func.count())
            .where(model.company_id == company_id, model.create_date >= start, model.create_date < stop)
            .group_by(day)
        )
        return db.session.execute(stmt).all()
    events = _event_days(company_id, METRIC_ACTIONS[index_type], first, end)
    return db.session.execute(select(events.c.day, func.sum(events.c.num)).group_by(events.c.day)).all()
