"""`flask demo-data`: sized by options, deterministic with --seed, idempotent per company name."""

from sqlalchemy import func, select

from app.commands.demo import demo_data_command
from app.extensions import db
from app.models.admin import AdminUser
from app.models.company import Company
from app.models.radar import (
    RADAR_ENABLED,
    AccessLog,
    Customer,
    Department,
    FollowInfo,
    RadarUser,
    TempUser,
    UserCustomer,
)
from app.services import statistics
from tests.conftest import body

UNTIL = "2026-06-30T08:00:00"
SMALL = ["--users", "6", "--customers", "30", "--events", "500", "--days", "20", "--until", UNTIL]


def _run(app, *args):
    result = app.test_cli_runner().invoke(demo_data_command, [*SMALL, *args])
    assert result.exit_code == 0, result.output
    return result.output


def _count(model, company_id=None) -> int:
    stmt = select(func.count()).select_from(model)
    if company_id is not None:
        stmt = stmt.where(model.company_id == company_id)
    return db.session.scalar(stmt)


def _company(name) -> Company:
    return db.session.scalar(select(Company).where(Company.name == name))


def _signature(company_id: int) -> tuple:
    """Everything generated for a company that does not depend on ids, tokens or the name."""
    users = db.session.execute(
        select(RadarUser.userid, RadarUser.username, RadarUser.wechat_phone, RadarUser.status, RadarUser.create_date)
        .where(RadarUser.company_id == company_id)
        .order_by(RadarUser.id)
    ).all()
    customers = db.session.execute(
        select(Customer.openid, Customer.nickname, Customer.create_date)
        .where(Customer.company_id == company_id)
        .order_by(Customer.id)
    ).all()
    events = db.session.execute(
        select(AccessLog.action, AccessLog.create_date).where(AccessLog.company_id == company_id).order_by(AccessLog.id)
    ).all()
    return tuple(users), tuple(customers), tuple(events)


def test_demo_data_sizes(app, ctx):
    output = _run(app, "--companies", "2", "--prefix", "演示")
    assert "password" in output
    for name in ("演示1", "演示2"):
        company = _company(name)
        assert _count(RadarUser, company.id) == 6 and _count(Customer, company.id) == 30
        assert _count(AccessLog, company.id) == 500 and _count(Department, company.id) == 6
        assert _count(TempUser, company.id) == 3 and _count(UserCustomer, company.id) >= 30
        assert company.mingpian_available_num >= 6
        enabled = db.session.scalar(
            select(func.count()).where(RadarUser.company_id == company.id, RadarUser.status == RADAR_ENABLED)
        )
        assert enabled <= company.mingpian_available_num
        admin = db.session.scalar(select(AdminUser).where(AdminUser.company_id == company.id))
        assert admin.login_user == f"demo{company.id}"
    assert _count(FollowInfo) > 0


def test_demo_data_is_idempotent_per_company_name(app, ctx):
    _run(app, "--prefix", "重复")
    before = (_count(Company), _count(RadarUser), _count(AccessLog), _count(AdminUser))
    output = _run(app, "--prefix", "重复", "--companies", "2")
    assert "已存在，跳过" in output
    assert _count(Company) == before[0] + 1 and _count(AccessLog) == before[2] + 500
    output = _run(app, "--prefix", "重复", "--companies", "2")
    assert "password" not in output
    assert _count(Company) == before[0] + 1


def test_demo_data_is_deterministic_with_seed(app, ctx):
    _run(app, "--prefix", "甲", "--seed", "7")
    _run(app, "--prefix", "乙", "--seed", "7")
    _run(app, "--prefix", "丙", "--seed", "8")
    first, same, other = (_signature(_company(n).id) for n in ("甲1", "乙1", "丙1"))
    assert first == same
    assert first != other


def test_demo_events_are_in_the_history_window_and_in_the_statistics(app, ctx, api):
    _run(app, "--prefix", "统计")
    company = _company("统计1")
    first, last = db.session.execute(
        select(func.min(AccessLog.create_date), func.max(AccessLog.create_date)).where(
            AccessLog.company_id == company.id
        )
    ).one()
    assert first.isoformat() >= "2026-06-10" and last.isoformat() <= UNTIL
    browse = db.session.scalar(
        select(func.count()).where(AccessLog.company_id == company.id, AccessLog.action.in_([1, 14]))
    )
    assert statistics.account_data(company.id)["count_data"]["browse_num"] == browse
    admin = db.session.scalar(select(AdminUser).where(AdminUser.company_id == company.id))
    payload = body(api.as_(admin).get("/zhugeleida/admin/user"))
    assert payload["data"]["data_count"] == 6 and len(payload["data"]["department_list"]) == 6


def test_demo_data_rejects_a_bad_until(app, ctx):
    result = app.test_cli_runner().invoke(demo_data_command, ["--until", "yesterday"])
    assert result.exit_code != 0 and "ISO" in result.output
