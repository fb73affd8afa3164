"""Migrations are the schema — upgrade, downgrade to base, upgrade, and no pending diff."""

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db
from app.models.company import Company
from app.models.radar import CreatedDay, Customer, FollowInfo, RadarUser, StatRollup, UserCustomer
from config import TestingConfig


def _migration_database_url(tmp_path) -> str:
    base = TestingConfig.SQLALCHEMY_DATABASE_URI
    if not base.startswith("mysql"):
        return f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
    url = make_url(base)
    name = f"{url.database}_migrations"
    server = create_engine(url.set(database=""))
    with server.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        conn.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
    server.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def migration_app(tmp_path):
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = _migration_database_url(tmp_path)

    app = create_app(Config)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _diff():
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_upgrade_downgrade_upgrade_and_no_pending_diff(migration_app):
    upgrade()
    tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert _diff() == []


def test_created_day_is_backfilled_up_to_each_rollup_mark(migration_app):
    """0012: each mark's closed_until becomes its midnight; customers and notes created before it counted per day."""
    upgrade(revision="0011_job_heartbeat")
    marks = {"Asia/Shanghai": date(2026, 3, 20), "America/New_York": date(2026, 3, 12)}
    # Both sides of New York's DST change (2026-03-08 07:00 UTC) and of both zones' midnights.
    times = [datetime(2026, 3, 1) + timedelta(hours=7 * i, minutes=i % 60) for i in range(80)]
    times += [datetime(2026, 3, 8, 4, 59, 59), datetime(2026, 3, 8, 5), datetime(2026, 3, 9, 3, 59, 59)]
    times += [datetime(2026, 3, 19, 15, 59, 59), datetime(2026, 3, 19, 16), datetime(2026, 3, 12, 4)]
    companies = {}
    for n, (zone, closed_until) in enumerate(marks.items()):
        company = Company(
            name=f"迁移{n}", charging_start_time=date(2026, 1, 1), open_length_time=4, mingpian_available_num=5
        )
        company.account_expired_time = date(2030, 1, 1)
        db.session.add(company)
        db.session.flush()
        user = RadarUser(company_id=company.id, userid="u", username="u", token="t")
        db.session.add(user)
        db.session.flush()
        for i, when in enumerate(times):
            customer = Customer(company_id=company.id, openid=f"o{i}", token="t", create_date=when)
            db.session.add(customer)
            db.session.flush()
            relation = UserCustomer(company_id=company.id, radar_user_id=user.id, customer_id=customer.id)
            db.session.add(relation)
            db.session.flush()
            for k in range(i % 3):
                note_at = when + timedelta(hours=5 * k)
                db.session.add(
                    FollowInfo(company_id=company.id, user_customer_id=relation.id, content="x", create_date=note_at)
                )
        mark = "INSERT INTO stat_rollup (company_id, closed_until, timezone) VALUES (:c, :d, :z)"
        db.session.execute(text(mark), {"c": company.id, "d": closed_until, "z": zone})
        companies[company.id] = (zone, closed_until)
    unmarked = Company(
        name="未统计", charging_start_time=date(2026, 1, 1), open_length_time=4, mingpian_available_num=5
    )
    unmarked.account_expired_time = date(2030, 1, 1)
    db.session.add(unmarked)
    db.session.flush()
    db.session.add(Customer(company_id=unmarked.id, openid="o", token="t", create_date=times[0]))
    db.session.commit()

    upgrade()

    for company_id, (zone, closed_until) in companies.items():
        tz = ZoneInfo(zone)
        for kind, model in ((1, Customer), (2, FollowInfo)):
            days = Counter(
                t.replace(tzinfo=UTC).astimezone(tz).date()
                for t in db.session.scalars(select(model.create_date).where(model.company_id == company_id))
            )
            expected = {day: num for day, num in days.items() if day < closed_until}
            rows = db.session.execute(
                select(CreatedDay.day, CreatedDay.num).where(
                    CreatedDay.company_id == company_id, CreatedDay.kind == kind
                )
            )
            assert dict(rows.all()) == expected and expected
        midnight = datetime.combine(closed_until, datetime.min.time(), tzinfo=tz).astimezone(UTC).replace(tzinfo=None)
        assert db.session.get(StatRollup, company_id).counted_until == midnight
    assert db.session.scalar(select(func.count()).where(CreatedDay.company_id == unmarked.id)) == 0
