"""`flask --app wsgi demo-data`: realistic demo tenants for the dashboard and the benchmarks.

Deterministic: the same --seed and --until give the same rows (tokens and password hashes aside).
Idempotent per company name: a company that already exists is left as it is. Rows go in with bulk
executemany inserts in batches, so a million events take well under a minute on SQLite.
"""

import random
import secrets
from datetime import datetime, timedelta

import click
from sqlalchemy import insert, select

from app.extensions import db
from app.models.admin import ROLE_ADMIN, AdminUser
from app.models.company import Company, expiry_date
from app.models.radar import (
    RADAR_DISABLED,
    RADAR_ENABLED,
    AccessLog,
    Customer,
    Department,
    FollowInfo,
    RadarUser,
    TempUser,
    UserCustomer,
    radar_user_department,
)
from app.security import hash_password, new_token
from app.services.stat_rollup import refresh_rollup, reset_rollup
from app.timefmt import to_local, utcnow

BATCH = 20_000
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉斌宇浩凯健俊帆"
DEPARTMENTS = ["销售一部", "销售二部", "市场部", "客服部", "技术部", "总经办"]
POSITIONS = ["销售经理", "销售代表", "客户经理", "市场专员", "客服专员", "技术支持", "区域总监"]
PLACES = [("北京", "北京"), ("上海", "上海"), ("广东", "广州"), ("广东", "深圳"), ("浙江", "杭州"), ("四川", "成都")]
NOTES = ["电话沟通，有购买意向", "已发送产品资料", "约好下周面谈", "客户在比较价格", "已报价，等待回复"]
# Action codes (docs/domain.md) with how often customers do them.
ACTION_WEIGHTS = {
    1: 30, 2: 12, 3: 5, 4: 5, 5: 2, 6: 4, 7: 2, 8: 2, 9: 5, 10: 1,
    11: 2, 12: 1, 13: 3, 14: 18, 15: 3, 16: 2, 17: 1, 19: 4,
}  # fmt: skip


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"


def _bulk(model_or_table, rows: list[dict], bar=None) -> None:
    table = getattr(model_or_table, "__table__", model_or_table)
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        db.session.execute(insert(table), chunk)
        if bar is not None:
            bar.update(len(chunk))


class DemoTenant:
    """One demo company and everything in it, generated from its own random stream."""

    def __init__(self, name: str, rng: random.Random, options: dict, until: datetime):
        self.name, self.rng, self.options, self.until = name, rng, options, until
        self.start = until - timedelta(days=options["days"])

    def _time(self, after: datetime | None = None) -> datetime:
        low = after or self.start
        return low + (self.until - low) * self.rng.random()

    def create(self, password: str) -> Company:
        company = self._company()
        self._admin(company, password)
        departments = self._departments(company)
        users = self._radar_users(company, departments)
        self._temp_users(company, departments)
        customers = self._customers(company)
        relations = self._relations(company, users, customers)
        self._follow_notes(company, relations)
        self._events(company, relations)
        reset_rollup(company.id)
        refresh_rollup(company.id)
        return company

    def _company(self) -> Company:
        users, rng = self.options["users"], self.rng
        start = to_local(self.until).date() - timedelta(days=rng.randint(30, 300))
        term = rng.choice([4, 5])
        company = Company(
            name=self.name,
            charging_start_time=start,
            open_length_time=term,
            account_expired_time=expiry_date(start, term),
            mingpian_available_num=users + max(users // 10, 1),
            remarks="演示数据",
            create_date=self.start,
        )
        db.session.add(company)
        db.session.flush()
        return company

    def _admin(self, company: Company, password: str) -> None:
        login = f"demo{company.id}"
        while db.session.scalar(select(AdminUser.id).where(AdminUser.login_user == login)) is not None:
            login += "_"
        db.session.add(
            AdminUser(
                login_user=login,
                username=f"{self.name}管理员",
                password_hash=hash_password(password),
                company_id=company.id,
                role_id=ROLE_ADMIN,
                token=new_token(),
                invite_secret=new_token(),
                is_reset_password=True,
            )
        )
        self.login = login

    def _departments(self, company: Company) -> list[int]:
        rows = [{"company_id": company.id, "name": name, "order": i} for i, name in enumerate(DEPARTMENTS)]
        _bulk(Department, rows)
        return list(db.session.scalars(select(Department.id).where(Department.company_id == company.id)))

    def _radar_users(self, company: Company, departments: list[int]) -> list[int]:
        rng, count = self.rng, self.options["users"]
        rows = []
        for n in range(count):
            phone = _phone(rng)
            rows.append(
                {
                    "company_id": company.id,
                    "userid": f"demo{n + 1:06d}",
                    "username": _name(rng),
                    "gender": rng.choice([1, 2]),
                    "position": rng.choice(POSITIONS),
                    "wechat_phone": phone,
                    "mingpian_phone": phone,
                    "wechat": f"wx_{rng.randrange(16**8):08x}",
                    "status": RADAR_ENABLED if rng.random() < 0.92 else RADAR_DISABLED,
                    "token": new_token(),
                    "popularity": rng.randrange(500),
                    "praise": rng.randrange(100),
                    "forward": rng.randrange(50),
                    "create_date": self._time(),
                    "last_login_date": self._time(),
                }
            )
        _bulk(RadarUser, rows)
        ids = list(db.session.scalars(select(RadarUser.id).where(RadarUser.company_id == company.id).order_by("id")))
        links = [{"radar_user_id": uid, "department_id": rng.choice(departments)} for uid in ids]
        _bulk(radar_user_department, links)
        return ids

    def _temp_users(self, company: Company, departments: list[int]) -> None:
        for n in range(3):
            temp = TempUser(
                company_id=company.id,
                username=f"{_name(self.rng)}{n}",
                position=self.rng.choice(POSITIONS),
                wechat=f"wx_join{n}",
                wechat_phone=_phone(self.rng),
                mingpian_phone=_phone(self.rng),
                create_date=self._time(self.until - timedelta(days=3)),
            )
            temp.departments = [db.session.get(Department, self.rng.choice(departments))]
            db.session.add(temp)
        db.session.flush()

    def _customers(self, company: Company) -> list[tuple[int, datetime]]:
        rng = self.rng
        rows = []
        for _ in range(self.options["customers"]):
            province, city = rng.choice(PLACES)
            rows.append(
                {
                    "company_id": company.id,
                    "openid": f"oDemo{rng.randrange(16**23):023x}",
                    "user_type": rng.choice([1, 1, 2]),
                    "nickname": _name(rng),
                    "sex": rng.choice([0, 1, 2]),
                    "province": province,
                    "city": city,
                    "country": "中国",
                    "token": secrets.token_hex(16),
                    "create_date": self._time(),
                }
            )
        _bulk(Customer, rows)
        stmt = select(Customer.id, Customer.create_date).where(Customer.company_id == company.id).order_by(Customer.id)
        return [tuple(row) for row in db.session.execute(stmt)]

    def _relations(self, company: Company, users: list[int], customers) -> list[tuple[int, int, int, datetime]]:
        """(relation id, radar user, customer, customer's create time) — one per customer, a few have two."""
        rng, rows = self.rng, []
        for customer_id, created in customers:
            for user_id in {rng.choice(users) for _ in range(1 if rng.random() < 0.85 else 2)}:
                rows.append(
                    {
                        "company_id": company.id,
                        "radar_user_id": user_id,
                        "customer_id": customer_id,
                        "source": rng.choice([1, 2, 3, 4]),
                        "create_date": created,
                        "last_activity_time": self._time(created),
                    }
                )
        _bulk(UserCustomer, rows)
        created_at = dict(customers)
        stmt = select(UserCustomer.id, UserCustomer.radar_user_id, UserCustomer.customer_id).where(
            UserCustomer.company_id == company.id
        )
        return [
            (rid, uid, cid, created_at[cid]) for rid, uid, cid in db.session.execute(stmt.order_by(UserCustomer.id))
        ]

    def _follow_notes(self, company: Company, relations) -> None:
        rng, rows = self.rng, []
        for relation_id, _uid, _cid, created in relations:
            for _ in range(rng.choice([0, 0, 0, 1, 1, 2])):
                rows.append(
                    {
                        "company_id": company.id,
                        "user_customer_id": relation_id,
                        "content": rng.choice(NOTES),
                        "create_date": self._time(created),
                    }
                )
        _bulk(FollowInfo, rows)

    def _events(self, company: Company, relations) -> None:
        rng, total = self.rng, self.options["events"]
        actions, weights = list(ACTION_WEIGHTS), list(ACTION_WEIGHTS.values())
        if not relations or not total:
            return
        with click.progressbar(length=total, label=f"{self.name}: 访问事件", show_pos=True) as bar:
            for start in range(0, total, BATCH):
                size = min(BATCH, total - start)
                rows = []
                for action in rng.choices(actions, weights, k=size):
                    _rid, user_id, customer_id, created = relations[int(rng.random() * len(relations))]
                    when = created + (self.until - created) * rng.random()
                    rows.append(
                        {
                            "company_id": company.id,
                            "action": action,
                            "radar_user_id": user_id,
                            "customer_id": customer_id,
                            "create_date": when,
                        }
                    )
                _bulk(AccessLog, rows, bar)


def _until(value: str | None) -> datetime:
    if value is None:
        return utcnow().replace(microsecond=0)
    try:
        return datetime.fromisoformat(value).replace(microsecond=0)
    except ValueError:
        raise click.BadParameter("must be an ISO time in UTC, e.g. 2026-11-28T12:00:00") from None


@click.command("demo-data")
@click.option("--companies", default=1, show_default=True, type=click.IntRange(1, 100), help="demo companies")
@click.option("--users", default=20, show_default=True, type=click.IntRange(1, 100_000), help="radar users each")
@click.option("--customers", default=500, show_default=True, type=click.IntRange(1, 1_000_000), help="customers each")
@click.option("--events", default=20_000, show_default=True, type=click.IntRange(0, 50_000_000), help="events each")
@click.option("--days", default=90, show_default=True, type=click.IntRange(1, 3650), help="days of history")
@click.option("--seed", default=1, show_default=True, type=int, help="random seed")
@click.option("--prefix", default="演示公司", show_default=True, help="company names are <prefix>1, <prefix>2, …")
@click.option("--until", default=None, help="UTC time the history ends at (default: now); pin it to reproduce")
@click.option("--admin-password", default=None, help="password of each company's admin demo<id> (default: random)")
def demo_data_command(companies, users, customers, events, days, seed, prefix, until, admin_password):
    """Demo companies with radar users, departments, customers, follow-up notes and access events."""
    options = {"users": users, "customers": customers, "events": events, "days": days}
    end = _until(until)
    password = admin_password or secrets.token_urlsafe(9) + "Aa1"
    created = 0
    for n in range(1, companies + 1):
        name = f"{prefix}{n}"
        if db.session.scalar(select(Company.id).where(Company.name == name)) is not None:
            click.echo(f"{name}: 已存在，跳过")
            continue
        tenant = DemoTenant(name, random.Random(f"{seed}:{n}"), options, end)
        company = tenant.create(password)
        db.session.commit()
        created += 1
        click.echo(f"{name}: company_id={company.id}, admin {tenant.login}")
    if created and not admin_password:
        click.echo(f"Demo admins' password: {password} (shown once)")


COMMANDS = [demo_data_command]
