"""Dashboard statistics (1.5–1.7, docs/domain.md) and the per-company counts of 7.1.1.

Every figure is a GROUP BY in the database, windows are TIMEZONE days. Closed days are read from the
rollups (app.services.stat_rollup): events from AccessLogDay, customers and follow-up notes from
CreatedDay; only the rows since the last closed day are counted raw. So 1.5 and 1.6 cost the same
whatever the number of rows kept (docs/radar.md).
"""

from datetime import date, datetime, timedelta
from functools import cache

from flask import current_app
from sqlalchemy import Date, and_, bindparam, case, func, literal_column, select, union_all

from app.extensions import db
from app.models.admin import AdminUser
from app.models.company import Company, service_days
from app.models.radar import (
    CREATED_CUSTOMERS,
    RADAR_ENABLED,
    AccessLog,
    AccessLogDay,
    CreatedDay,
    Customer,
    RadarUser,
    StatRollup,
)
from app.schemas.statistics import METRICS
from app.services.stat_rollup import (
    CREATED_MODELS,
    as_date,
    local_day,
    open_day_bounds,
    open_days,
    refresh_rollup,
    utc_midnight,
)
from app.timefmt import fmt_date, local_today

# Metrics counted from AccessLog, by action code (docs/domain.md).
METRIC_ACTIONS = {3: (1, 14), 4: (6, 15, 16), 5: (8,), 6: (9, 19)}
ACTION_METRIC = {action: index for index, actions in METRIC_ACTIONS.items() for action in actions}
# Metrics counted from rows' own create_date (CreatedDay.kind is the index_type).
METRIC_MODELS = CREATED_MODELS
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
    used_days, available_days = service_days(company, local_today())
    user_count, seats, customer_num = _home_counts(company.id)
    return {
        "company_name": company.name,
        "username": admin.username,
        "mingpian_num": company.mingpian_available_num,
        "user_count": user_count,
        # Seats are taken by enabled radar users only; user_count (the contract's) counts disabled ones too.
        "seats_used": seats,
        "seats_left": max(company.mingpian_available_num - seats, 0),
        "expired_time": fmt_date(company.account_expired_time),
        "open_up_date": fmt_date(company.charging_start_time),
        "available_days": available_days,
        "used_days": used_days,
        "customer_num": customer_num,
    }


def _home_counts(company_id: int) -> tuple[int, int, int]:
    """(radar users, enabled radar users, customers) in one statement; customers from the rollup + the rows since."""
    split = refresh_rollup(company_id)
    enabled = case((RadarUser.status == RADAR_ENABLED, 1), else_=0)
    users = select(func.count().label("total"), func.sum(enabled).label("enabled"))
    users = users.where(RadarUser.company_id == company_id).subquery()
    created = union_all(*_created_parts(company_id, open_days(split), [CREATED_CUSTOMERS])).subquery()
    customers = select(func.sum(created.c.num)).scalar_subquery()
    total, seats, customer_num = db.session.execute(select(users.c.total, users.c.enabled, customers)).one()
    return int(total or 0), int(seats or 0), int(customer_num or 0)


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
    """1.6: every metric in every window, from one aggregate query over the rollups and the rows since."""
    windows = _windows(local_today())
    result = {window: dict.fromkeys(METRICS.values(), 0) for window in WINDOWS}
    for source, key, *values in _window_sums(company_id, refresh_rollup(company_id), windows):
        metric = METRICS[key] if source == CREATED else METRICS[ACTION_METRIC[key]]
        for window, value in zip(WINDOWS, values, strict=True):
            result[window][metric] += int(value or 0)
    return result


# The `source` column of 1.6's one query: CreatedDay kinds or AccessLog actions in `key`.
CREATED, EVENTS = 1, 2


def _window_sums(company_id: int, split: datetime, windows) -> list:
    """(source, key, one sum per window) for customers and follow-up notes (by kind), events (by action)."""
    days = open_day_bounds(split)
    open_bounds = tuple((start is None, end is None) for start, end in windows.values())
    statement = _window_sums_statement(len(days), open_bounds)
    params = {"company_id": company_id}
    for n, (day, since, until) in enumerate(days):
        params.update({f"day_{n}": day, f"since_{n}": since, f"until_{n}": until})
    for n, (start, end) in enumerate(windows.values()):
        params.update({f"start_{n}": start, f"end_{n}": end})
    return db.session.execute(statement, {key: value for key, value in params.items() if value is not None}).all()


@cache
def _window_sums_statement(open_count: int, open_bounds: tuple) -> object:
    """1.6's statement for one shape (open days; which window bounds are open), its values bound at execution:
    building it and its cache key anew cost more CPU than the database spends running it."""
    company = bindparam("company_id")
    days = [
        (
            func.date(bindparam(f"day_{n}", type_=Date)),
            bindparam(f"since_{n}"),
            bindparam(f"until_{n}") if n < open_count - 1 else None,  # the last day runs until now
        )
        for n in range(open_count)
    ]
    windows = {
        n: (
            None if no_start else bindparam(f"start_{n}", type_=Date),
            None if no_end else bindparam(f"end_{n}", type_=Date),
        )
        for n, (no_start, no_end) in enumerate(open_bounds)
    }
    created = _created_parts(company, days, list(METRIC_MODELS), literal_column(str(CREATED)).label("source"))
    events = _event_parts(company, days, list(ACTION_METRIC), None, None, literal_column(str(EVENTS)))
    rows = union_all(*created, *events).subquery()
    sums = _windowed_sum(rows.c.day, windows, rows.c.num)
    return select(rows.c.source, rows.c.key, *sums).group_by(rows.c.source, rows.c.key)


def _in_window(column, start, end):
    conditions = []
    if start is not None:
        conditions.append(column >= start)
    if end is not None:
        conditions.append(column < end)
    return and_(*conditions) if conditions else None


def _windowed_sum(column, windows, value) -> list:
    sums = []
    for start, end in windows.values():
        condition = _in_window(column, start, end)
        sums.append(func.sum(value) if condition is None else func.sum(case((condition, value), else_=0)))
    return sums


def _created_parts(company_id, days: list, kinds: list[int], *head) -> list:
    """Selects of (*head, key = kind, day, num) for customers / follow-up notes: CreatedDay, and the rows
    created in each of `days` (open_days(): since the rollup's mark) (to UNION ALL)."""
    rolled = select(*head, CreatedDay.kind.label("key"), CreatedDay.day.label("day"), CreatedDay.num.label("num"))
    parts = [rolled.where(CreatedDay.company_id == company_id, CreatedDay.kind.in_(kinds))]
    for kind in kinds:
        model = METRIC_MODELS[kind]
        for day, since, until in days:
            raw = select(*head, literal_column(str(kind)), day, func.count())
            parts.append(raw.where(model.company_id == company_id, *_created_in(model.create_date, since, until)))
    return parts


def _created_in(column, since: datetime, until: datetime | None) -> list:
    return [column >= since] if until is None else [column >= since, column < until]


def _event_parts(company_id, days: list, actions, first_day: date | None, end_day: date | None, *head):
    """Selects of (*head, key = action, day, num) for the events of [first_day, end_day): AccessLogDay (events
    before the rollup's mark), and the events created in each of `days` (open_days() from the mark) (to UNION ALL)."""
    rolled = select(
        *head, AccessLogDay.action.label("key"), AccessLogDay.day.label("day"), AccessLogDay.num.label("num")
    )
    rolled = rolled.where(AccessLogDay.company_id == company_id, AccessLogDay.action.in_(actions))
    if first_day is not None:
        rolled = rolled.where(AccessLogDay.day >= first_day)
    if end_day is not None:
        rolled = rolled.where(AccessLogDay.day < end_day)
    parts = [rolled]
    for day, since, until in days:
        raw = select(*head, AccessLog.action, day, func.count()).where(
            AccessLog.company_id == company_id,
            AccessLog.action.in_(actions),
            *_created_in(AccessLog.create_date, since, until),
        )
        parts.append(raw.group_by(AccessLog.action))
    return parts


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
        return _created_daily(company_id, index_type, first, end)
    start, stop = max(refresh_rollup(company_id), utc_midnight(first)), utc_midnight(end)
    days = [(day, since, until) for day, since, until in open_days(start) if since < stop]
    parts = _event_parts(company_id, days, METRIC_ACTIONS[index_type], first, end)
    events = union_all(*parts).subquery()
    return db.session.execute(select(events.c.day, func.sum(events.c.num)).group_by(events.c.day)).all()


def _created_daily(company_id: int, kind: int, first: date, end: date):
    """(day, num) of customers or follow-up notes in [first, end): CreatedDay and the rows after the mark, which
    the same statement reads (no refresh: a stale mark only means more rows counted, none means all of them)."""
    model = METRIC_MODELS[kind]
    mark = select(StatRollup.counted_until).where(
        StatRollup.company_id == company_id, StatRollup.timezone == current_app.config["TIMEZONE"]
    )
    mark = mark.scalar_subquery()
    rolled = select(CreatedDay.day.label("day"), CreatedDay.num.label("num")).where(
        CreatedDay.company_id == company_id,
        CreatedDay.kind == kind,
        CreatedDay.day >= first,
        CreatedDay.day < end,
        mark.is_not(None),
    )
    start, stop = utc_midnight(first), utc_midnight(end)
    day = local_day(model.create_date, start, stop)
    raw = select(day, func.count()).where(
        model.company_id == company_id,
        model.create_date >= start,
        model.create_date < stop,
        model.create_date >= func.coalesce(mark, start),
    )
    rows = union_all(rolled, raw.group_by(day)).subquery()
    return db.session.execute(select(rows.c.day, func.sum(rows.c.num)).group_by(rows.c.day)).all()
