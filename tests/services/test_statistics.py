"""Statistics edge cases: TIMEZONE days in SQL (with DST), the per-day rollup, the 7.1.1 counts."""

from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select

from app.extensions import db
from app.models.radar import AccessLog, AccessLogDay, StatRollup
from app.services import statistics
from app.services.stat_rollup import GRACE, local_day, offset_segments, refresh_rollup, reset_rollup
from app.timefmt import local_today, utcnow
from tests.conftest import body


@contextmanager
def timezone(name: str):
    previous = current_app.config["TIMEZONE"]
    current_app.config["TIMEZONE"] = name
    try:
        yield
    finally:
        current_app.config["TIMEZONE"] = previous


def _local_days(company_id: int) -> list[date]:
    first = db.session.scalar(select(func.min(AccessLog.create_date)))
    day = local_day(AccessLog.create_date, first, utcnow())
    stmt = select(day).where(AccessLog.company_id == company_id).order_by(AccessLog.create_date)
    return [d if isinstance(d, date) else date.fromisoformat(d) for d in db.session.scalars(stmt)]


def test_local_day_in_shanghai(make, radar):
    company = make.company()
    times = [datetime(2026, 3, 1, 15, 59, 59), datetime(2026, 3, 1, 16, 0, 0), datetime(2026, 3, 1, 16, 0, 0, 500)]
    radar.events(company, 1, times)
    assert _local_days(company.id) == [date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 2)]


def test_offset_segments_find_dst_changes_to_the_second(ctx):
    with timezone("America/New_York"):
        segments = offset_segments(datetime(2026, 3, 1), datetime(2026, 11, 30))
    assert segments == [
        (datetime(2026, 3, 1), -5 * 3600),
        (datetime(2026, 3, 8, 7, 0, 0), -4 * 3600),
        (datetime(2026, 11, 1, 6, 0, 0), -5 * 3600),
    ]
    with timezone("Asia/Shanghai"):
        assert offset_segments(datetime(2000, 1, 1), datetime(2030, 1, 1)) == [(datetime(2000, 1, 1), 8 * 3600)]


def test_local_day_across_dst_changes(make, radar):
    """Midnight moves by an hour in UTC when New York changes its clocks: both sides of both midnights."""
    company = make.company()
    times = [
        datetime(2026, 3, 8, 4, 59, 59),  # Mar 7 23:59:59 EST
        datetime(2026, 3, 8, 5, 0, 0),  # Mar 8 00:00:00 EST
        datetime(2026, 3, 9, 3, 59, 59),  # Mar 8 23:59:59 EDT
        datetime(2026, 3, 9, 4, 0, 0),  # Mar 9 00:00:00 EDT
        datetime(2026, 11, 2, 4, 59, 59),  # Nov 1 23:59:59 EST (after the fall-back at 06:00 UTC)
        datetime(2026, 11, 2, 5, 0, 0),  # Nov 2 00:00:00 EST
    ]
    radar.events(company, 1, times)
    with timezone("America/New_York"):
        days = _local_days(company.id)
    tz = ZoneInfo("America/New_York")
    assert days == [t.replace(tzinfo=UTC).astimezone(tz).date() for t in times]
    assert days == [
        date(2026, 3, 7),
        date(2026, 3, 8),
        date(2026, 3, 8),
        date(2026, 3, 9),
        date(2026, 11, 1),
        date(2026, 11, 2),
    ]


def _spread_events(radar, company, days=40, per_day=3):
    """Events every 8 hours over `days` days up to now, plus the second before and at today's midnight."""
    now = utcnow()
    times = [now - timedelta(hours=8 * i) for i in range(days * per_day)]
    radar.events(company, 1, times)
    radar.events(company, 19, times[::2])
    return times


def _brute_force_browse(times, start: date, end: date) -> int:
    tz = ZoneInfo(current_app.config["TIMEZONE"])
    return sum(1 for t in times if start <= t.replace(tzinfo=UTC).astimezone(tz).date() < end)


def test_rollup_matches_the_raw_events(make, radar):
    company = make.company()
    times = _spread_events(radar, company)
    data = statistics.account_data(company.id)
    today = local_today()
    assert data["count_data"]["browse_num"] == len(times)
    assert data["nearly_seven_days"]["browse_num"] == _brute_force_browse(times, today - timedelta(days=7), today)
    assert data["nearly_thirty_days"]["browse_num"] == _brute_force_browse(times, today - timedelta(days=30), today)
    assert data["today_data"]["browse_num"] == _brute_force_browse(times, today, today + timedelta(days=1))
    mark = db.session.get(StatRollup, company.id)
    assert utcnow() - GRACE - timedelta(minutes=1) < mark.counted_until <= utcnow() - GRACE
    assert mark.timezone == current_app.config["TIMEZONE"]
    rolled = db.session.scalar(select(func.sum(AccessLogDay.num)).where(AccessLogDay.action == 1))
    assert rolled == sum(1 for t in times if t < mark.counted_until)
    line = statistics.line_info(company.id, 30, 3)
    assert sum(p["value"] for p in line) == data["nearly_thirty_days"]["browse_num"]


def test_events_written_in_the_past_count_after_reset(make, radar):
    """The rollup trusts closed days never change; backfills call reset_rollup()."""
    company = make.company()
    statistics.account_data(company.id)
    radar.events(company, 8, [utcnow() - timedelta(days=3)])
    assert statistics.account_data(company.id)["count_data"]["saved_total_num"] == 0
    reset_rollup(company.id)
    db.session.commit()
    data = statistics.account_data(company.id)
    assert data["count_data"]["saved_total_num"] == 1 and data["nearly_seven_days"]["saved_total_num"] == 1


def test_rollup_is_rebuilt_when_the_timezone_changes(make, radar):
    company = make.company()
    # 15:30 UTC on the day before yesterday (in UTC terms): that Shanghai day is over, New York's too.
    when = datetime.combine(datetime.now(UTC).date() - timedelta(days=2), datetime.min.time()) + timedelta(hours=15.5)
    radar.events(company, 1, [when])
    refresh_rollup(company.id)
    with timezone("America/New_York"):
        refresh_rollup(company.id)
        db.session.commit()
        mark = db.session.get(StatRollup, company.id)
        assert mark.timezone == "America/New_York"
        day = db.session.scalar(select(AccessLogDay.day))
    assert day == when.replace(tzinfo=UTC).astimezone(ZoneInfo("America/New_York")).date()
    assert db.session.scalar(select(func.count()).select_from(AccessLogDay)) == 1


def test_refresh_is_a_no_op_once_up_to_date(make, radar, count_queries):
    company = make.company()
    radar.events(company, 1, [utcnow() - timedelta(days=2)])
    company_id = company.id
    refresh_rollup(company_id)
    db.session.commit()
    with count_queries() as n:
        refresh_rollup(company_id)
    assert n() == 1


def test_line_info_in_a_dst_zone_has_one_point_per_day(make, radar):
    company = make.company()
    with timezone("America/New_York"):
        points = statistics.line_info(company.id, 90, 3)
        dates = [date.fromisoformat(p["statics_date"]) for p in points]
    assert len(dates) == 90 and all(b - a == timedelta(days=1) for a, b in pairwise(dates))


def test_seat_and_customer_counts(make, radar):
    a, b, empty = make.company(), make.company(), make.company()
    radar.user(a)
    radar.user(a)
    radar.user(a, status=2)
    radar.user(b)
    radar.customer(a)
    radar.customer(b)
    radar.customer(b)
    counts = statistics.seat_and_customer_counts([a.id, b.id, empty.id])
    assert counts == {a.id: (2, 1), b.id: (1, 2), empty.id: (0, 0)}
    assert statistics.seat_and_customer_counts([]) == {}


def test_company_list_shows_the_counts(api, make, radar):
    root = make.superadmin()
    radar.user(root.company)
    radar.customer(root.company)
    item = body(api.as_(root).get("/zhugeleida/admin/company"))["data"]["ret_data"][0]
    assert item["user_count"] == 1 and item["customer_num"] == 1
