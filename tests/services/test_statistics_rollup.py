"""1.5 and 1.6 read closed days from the rollups: they must equal a count of the raw rows, whatever happened.

The reference below counts every row in Python (zoneinfo, no SQL date arithmetic); the statistics read
AccessLogDay/CreatedDay for closed days and the rows since. Compared over varied data: rows on both
sides of each window's midnight, rows added after the rollup was built, radar users (and so follow-up
notes) deleted, a rollup a few days behind, another timezone (with DST).
"""

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import current_app
from sqlalchemy import delete, func, insert, select

from app.extensions import db
from app.models.radar import (
    RADAR_DISABLED,
    RADAR_ENABLED,
    AccessLog,
    AccessLogDay,
    CreatedDay,
    Customer,
    FollowInfo,
    RadarUser,
    StatRollup,
    UserCustomer,
)
from app.security import new_token
from app.services import stat_rollup, statistics
from app.services.radar_users import delete_radar_user
from app.services.stat_rollup import GRACE, STEP, refresh_rollup, utc_midnight
from app.tenancy import Tenant
from app.timefmt import local_today, local_tz, utcnow
from tests.services.test_statistics import timezone

METRIC_ACTIONS = {"browse_num": (1, 14), "forward_num": (6, 15, 16), "saved_total_num": (8,), "praise_sum": (9, 19)}
WINDOWS = ("count_data", "today_data", "yesterday_data", "nearly_seven_days", "nearly_thirty_days")


def _reference(company_id: int) -> tuple[dict, dict]:
    """(1.6, 1.5's counts) from every row, counted in Python."""
    tz = ZoneInfo(current_app.config["TIMEZONE"])
    today = local_today()
    bounds = {
        "count_data": (None, None),
        "today_data": (today, None),
        "yesterday_data": (today - timedelta(days=1), today),
        "nearly_seven_days": (today - timedelta(days=7), today),
        "nearly_thirty_days": (today - timedelta(days=30), today),
    }

    def local(when: datetime) -> date:
        return when.replace(tzinfo=UTC).astimezone(tz).date()

    def count(days: list[date], window: str) -> int:
        start, end = bounds[window]
        return sum(1 for d in days if (start is None or d >= start) and (end is None or d < end))

    def days_of(model, *where) -> list[date]:
        return [
            local(t)
            for t in db.session.scalars(select(model.create_date).where(model.company_id == company_id, *where))
        ]

    sources = {"customer_num": days_of(Customer), "follow_num": days_of(FollowInfo)}
    for metric, actions in METRIC_ACTIONS.items():
        sources[metric] = days_of(AccessLog, AccessLog.action.in_(actions))
    data = {window: {metric: count(days, window) for metric, days in sources.items()} for window in WINDOWS}
    statuses = list(db.session.scalars(select(RadarUser.status).where(RadarUser.company_id == company_id)))
    home = {
        "user_count": len(statuses),
        "seats_used": statuses.count(RADAR_ENABLED),
        "customer_num": len(sources["customer_num"]),
    }
    return data, home


def _check(company) -> None:
    data, home = _reference(company.id)
    for index_type, model in ((1, Customer), (2, FollowInfo)):  # 1.7 reads the rollup without refreshing it
        assert statistics.line_info(company.id, 45, index_type) == _line_reference(company.id, model, 45)
    assert statistics.account_data(company.id) == data
    page = statistics.home_page(company, _admin_stub())
    assert {key: page[key] for key in home} == home
    for index_type, model in ((1, Customer), (2, FollowInfo)):
        assert statistics.line_info(company.id, 45, index_type) == _line_reference(company.id, model, 45)
    db.session.commit()


def _line_reference(company_id: int, model, days: int) -> list[dict]:
    tz = ZoneInfo(current_app.config["TIMEZONE"])
    created = db.session.scalars(select(model.create_date).where(model.company_id == company_id))
    counts = Counter(t.replace(tzinfo=UTC).astimezone(tz).date() for t in created)
    today = local_today()
    points = [today - timedelta(days=n) for n in range(days, 0, -1)]
    return [{"statics_date": day.isoformat(), "value": counts.get(day, 0)} for day in points]


def _admin_stub():
    class Admin:
        username = "管理员"

    return Admin()


class World:
    """A company with radar users, customers, relations, follow-up notes and events at chosen instants."""

    def __init__(self, make, rng: random.Random):
        self.company, self.rng = make.company(), rng
        self.tenant = Tenant(make.admin(self.company))
        self.users = []
        for n in range(4):
            user = RadarUser(
                company_id=self.company.id,
                userid=f"u{n}",
                username=f"雷达{n}",
                status=RADAR_ENABLED if n != 3 else RADAR_DISABLED,
                token=new_token(),
            )
            db.session.add(user)
            self.users.append(user)
        db.session.commit()
        self.n = 0

    def instants(self, count: int, days: int = 40) -> list[datetime]:
        """Random instants over the last `days` days, plus both sides of several TIMEZONE midnights."""
        now, today = utcnow(), local_today()
        times = [now - timedelta(seconds=self.rng.randrange(days * 86_400)) for _ in range(count)]
        for back in (0, 1, 2, 7, 8, 30, 31):
            midnight = utc_midnight(today - timedelta(days=back))
            times += [midnight, midnight - timedelta(seconds=1)]
        return [t for t in times if t <= now]

    def add(self, times: list[datetime]) -> None:
        """One customer per instant, related to a random radar user, with 0–2 notes and a few events."""
        rng, company_id = self.rng, self.company.id
        customers = []
        for when in times:
            self.n += 1
            customers.append({"company_id": company_id, "openid": f"o{self.n}", "token": "t", "create_date": when})
        db.session.execute(insert(Customer), customers)
        created = db.session.execute(
            select(Customer.id, Customer.create_date).where(
                Customer.company_id == company_id, Customer.openid.in_([c["openid"] for c in customers])
            )
        ).all()
        relations = [
            {"company_id": company_id, "radar_user_id": rng.choice(self.users).id, "customer_id": cid, "create_date": t}
            for cid, t in created
        ]
        db.session.execute(insert(UserCustomer), relations)
        ids = select(UserCustomer.id, UserCustomer.create_date).where(
            UserCustomer.company_id == company_id, UserCustomer.customer_id.in_([cid for cid, _t in created])
        )
        notes, events, now = [], [], utcnow()
        for relation_id, when in db.session.execute(ids):
            for _ in range(rng.choice([0, 1, 1, 2])):
                at = min(when + timedelta(seconds=rng.randrange(3 * 86_400)), now)
                notes.append(
                    {"company_id": company_id, "user_customer_id": relation_id, "content": "跟进", "create_date": at}
                )
            for _ in range(rng.randrange(3)):
                at = min(when + timedelta(seconds=rng.randrange(5 * 86_400)), now)
                events.append(
                    {"company_id": company_id, "action": rng.choice([1, 2, 6, 8, 9, 14, 15, 19]), "create_date": at}
                )
        if notes:
            db.session.execute(insert(FollowInfo), notes)
        if events:
            db.session.execute(insert(AccessLog), events)
        db.session.commit()

    def note_days(self, user) -> set[date]:
        stmt = (
            select(FollowInfo.create_date)
            .join(UserCustomer, UserCustomer.id == FollowInfo.user_customer_id)
            .where(UserCustomer.radar_user_id == user.id)
        )
        tz = ZoneInfo(current_app.config["TIMEZONE"])
        return {t.replace(tzinfo=UTC).astimezone(tz).date() for t in db.session.scalars(stmt)}

    def delete_user(self, user) -> None:
        delete_radar_user(self.tenant, user.id)
        db.session.commit()
        self.users.remove(user)


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "America/New_York"])
def test_rollup_equals_the_raw_rows_through_adds_and_deletes(make, zone):
    with timezone(zone):
        world = World(make, random.Random(zone))
        world.add(world.instants(150))
        _check(world.company)  # builds the rollups
        assert db.session.scalar(select(func.sum(CreatedDay.num)).where(CreatedDay.kind == 1)) > 0

        world.add([utcnow() - timedelta(minutes=m) for m in range(5)])  # after the build: rows of now
        _check(world.company)

        doomed = max(world.users[:3], key=lambda user: len(world.note_days(user)))
        assert any(day < local_today() for day in world.note_days(doomed))  # notes on closed days go too
        world.delete_user(doomed)
        _check(world.company)


def test_a_rollup_some_days_behind_catches_up(make):
    world = World(make, random.Random(2))
    world.add(world.instants(120))
    _check(world.company)
    behind = local_today() - timedelta(days=5)
    company_id = world.company.id
    for table in (AccessLogDay, CreatedDay):
        db.session.execute(delete(table).where(table.company_id == company_id, table.day >= behind))
    db.session.get(StatRollup, company_id).counted_until = utc_midnight(behind)
    db.session.commit()
    world.delete_user(world.users[0])  # while behind: only the rolled days are corrected
    _check(world.company)
    # caught up to the present (less the grace), whatever the hour: just after midnight that is yesterday
    assert db.session.get(StatRollup, company_id).counted_until >= utcnow() - GRACE - STEP


def test_the_current_day_is_counted_again_every_step(make):
    """The day counted_until falls on is partly rolled up: a refresh counts it again from its midnight."""
    world = World(make, random.Random(6))
    world.add(world.instants(120))
    _check(world.company)
    mark = db.session.get(StatRollup, world.company.id)
    counted = mark.counted_until
    # As if the last refresh was an hour earlier: the mark and the rollups as that refresh left them (just
    # after midnight that hour is yesterday's, which the rollup must not hold beyond the mark).
    earlier = counted - STEP - timedelta(hours=1)
    day = earlier.replace(tzinfo=UTC).astimezone(local_tz()).date()
    stat_rollup._forget(world.company.id, day)
    stat_rollup._materialize(world.company.id, day, earlier)
    mark.counted_until = earlier
    db.session.commit()
    world.add([utcnow() - timedelta(minutes=m) for m in range(3)])
    _check(world.company)
    assert db.session.get(StatRollup, world.company.id).counted_until >= counted


def test_rows_of_days_not_rolled_up_are_counted_a_day_at_a_time(make):
    """Just after midnight (within the grace) yesterday is not rolled up whole: the rows since count per day."""
    world = World(make, random.Random(3))
    world.add(world.instants(100))
    today = local_today()
    yesterday = today - timedelta(days=1)
    refresh_rollup(world.company.id)
    company_id = world.company.id
    db.session.execute(delete(CreatedDay).where(CreatedDay.company_id == company_id, CreatedDay.day >= yesterday))
    windows = statistics._windows(today)
    expected, _home = _reference(company_id)
    split = utc_midnight(yesterday)
    sums = statistics._window_sums(company_id, split, windows)
    by_kind = {kind: values for source, kind, *values in sums if source == statistics.CREATED}
    for kind, metric in ((1, "customer_num"), (2, "follow_num")):
        assert dict(zip(WINDOWS, map(int, by_kind[kind]), strict=True)) == {w: expected[w][metric] for w in WINDOWS}
    db.session.rollback()


def test_deleting_a_user_under_a_rollup_of_another_timezone_waits_for_the_rebuild(make):
    world = World(make, random.Random(4))
    world.add(world.instants(80))
    with timezone("America/New_York"):
        refresh_rollup(world.company.id)
        db.session.commit()
    world.delete_user(world.users[1])  # the rollup is New York's: left alone, rebuilt by the next refresh
    _check(world.company)
    assert db.session.get(StatRollup, world.company.id).timezone == current_app.config["TIMEZONE"]


def test_statistics_statement_counts(make, count_queries):
    """Once the rollups are up to date: 1.6 and 1.5's counts each = the mark + one statement."""
    world = World(make, random.Random(5))
    world.add(world.instants(30))
    company_id = world.company.id
    statistics.account_data(company_id)
    db.session.commit()
    with count_queries() as n:
        statistics.account_data(company_id)
    assert n() == 2
    with count_queries() as n:
        statistics._home_counts(company_id)
    assert n() == 2
