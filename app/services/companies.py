"""7.1–7.4 companies: terms, the list's figures, WeChat Work credentials."""

from sqlalchemy import select

from app.extensions import db
from app.jobs import Enqueued, enqueue
from app.jobs.registry import WECHAT_WORK_SYNC
from app.models.company import APP_NAMES, Company, CompanyApp, expiry_date, service_days
from app.models.jobs import Job
from app.pagination import order_by, paginate
from app.responses import ApiError
from app.schemas.company import CompanyOutSchema
from app.services import wechat_work
from app.services.db import name_taken, unique_or_300
from app.services.statistics import seat_and_customer_counts
from app.tenancy import Tenant
from app.timefmt import fmt_datetime, local_today
from app.wechat.errors import WeChatError
from app.wechat.work import (
    API_FORBIDDEN,
    get_agent,
    oauth_home_url,
    radar_entry,
    set_agent_home,
    verified_client,
    verified_contacts_client,
)

DUPLICATE_MSG = "公司名称已存在"
AGENT_NEEDS_TONGXUNLU = "请先添加并验证企业微信通讯录秘钥，再添加应用"
NOT_ADDRESS_BOOK_APP_MSG = (
    "企业微信拒绝用这个 Secret 读取通讯录（48002）：它不是通讯录同步的 Secret。请在企业微信管理后台"
    "「管理工具 - 通讯录同步」中查看并填写通讯录同步的 Secret（不是 AI雷达/Boss雷达 等应用的 Secret）"
)
ORDER_COLUMNS = {
    "create_date": Company.create_date,
    "id": Company.id,
    "name": Company.name,
    "charging_start_time": Company.charging_start_time,
    "account_expired_time": Company.account_expired_time,
}


def company_rows(companies: list[Company]) -> list[dict]:
    """7.1.1 rows: the company's fields plus seats used, customers and days used/left."""
    today = local_today()
    counts = seat_and_customer_counts([c.id for c in companies])
    rows = []
    for company, row in zip(companies, CompanyOutSchema(many=True).dump(companies), strict=True):
        used, available = service_days(company, today)
        user_count, customer_num = counts[company.id]
        row.update(user_count=user_count, customer_num=customer_num, used_days=used, available_days=available)
        rows.append(row)
    return rows


def list_companies(tenant: Tenant, query: dict) -> tuple[list[Company], int]:
    stmt = select(Company)
    if tenant.scope is not None:
        stmt = stmt.where(Company.id == tenant.scope)
    if query["name"]:
        stmt = stmt.where(Company.name.contains(query["name"], autoescape=True))
    stmt = order_by(stmt, query["order"], ORDER_COLUMNS).order_by(Company.id.desc())
    return paginate(stmt, query["current_page"], query["length"])


def get_company(company_id: int, tenant: Tenant | None = None) -> Company:
    """Company `company_id`, 302 when none (or another company's, for a confined `tenant`)."""
    if tenant is not None:
        return tenant.resolve(company_id)
    company = db.session.get(Company, company_id)
    if company is None:
        raise ApiError.not_found("公司")
    return company


def save_company(data: dict, company: Company | None = None) -> Company:
    if name_taken(Company.name, data["name"], exclude_id=company.id if company else None):
        raise ApiError.duplicate(DUPLICATE_MSG)
    company = company or Company()
    company.name = data["name"]
    company.charging_start_time = data["charging_start_time"]
    company.open_length_time = data["open_length_time"]
    company.account_expired_time = expiry_date(data["charging_start_time"], data["open_length_time"])
    company.mingpian_available_num = data["mingpian_available_num"]
    if data.get("remarks") is not None:
        company.remarks = data["remarks"]
    with unique_or_300(DUPLICATE_MSG):
        db.session.add(company)
    return company


def set_tongxunlu(company: Company, data: dict, created_by_id: int | None = None) -> Enqueued:
    """7.3: WeChat must accept the corp id + secret as the address-book secret — a token, and a read only that
    secret may make (its errcode/errmsg answers otherwise, an app's secret is named as the wrong one, and
    nothing is saved); then they are stored encrypted, marked validated, and a first sync is started."""
    try:
        verified_contacts_client(data["corp_id"], data["tongxunlu_secret"])
    except WeChatError as err:
        if err.errcode == API_FORBIDDEN:
            raise WeChatError(API_FORBIDDEN, NOT_ADDRESS_BOOK_APP_MSG) from None
        raise
    if company.corp_id != data["corp_id"]:
        for app in company.apps:  # agents belong to the corp: another corp's must be validated again
            app.is_validate = False
    company.corp_id = data["corp_id"]
    company.tongxunlu_secret = data["tongxunlu_secret"]
    company.is_validate = True
    if data["wechat_qr_code"] is not None:
        company.wechat_qr_code = data["wechat_qr_code"]
    db.session.flush()
    return start_sync(company, created_by_id)


def start_sync(company: Company, created_by_id: int | None = None) -> Enqueued:
    """5.7: one address-book sync per company at a time; a second request gets the running job back."""
    if not (company.corp_id and company.tongxunlu_secret and company.is_validate):
        raise ApiError.invalid(wechat_work.NOT_READY_MSG)
    return enqueue(
        WECHAT_WORK_SYNC,
        company_id=company.id,
        args={"company_id": company.id},
        lock=wechat_work.sync_lock(company.id),
        created_by_id=created_by_id,
    )


def set_agent(company: Company, data: dict) -> CompanyApp:
    """7.4: WeChat must know the agent under this secret (agent/get: its name is taken from there); its home
    page and trusted domain are pointed at our radar-user OAuth entry (agent/set); then it is saved."""
    if not (company.corp_id and company.is_validate):
        raise ApiError.invalid(AGENT_NEEDS_TONGXUNLU)
    client = verified_client(company.corp_id, data["app_secret"])
    agent = get_agent(client, data["agent_id"])
    entry, domain = radar_entry(company.id, data["app_type"])
    set_agent_home(client, data["agent_id"], oauth_home_url(company.corp_id, data["agent_id"], entry), domain)
    app = next((a for a in company.apps if a.app_type == data["app_type"]), None)
    if app is None:
        app = CompanyApp(app_type=data["app_type"])
        company.apps.append(app)
    app.agent_id = data["agent_id"]
    app.secret = data["app_secret"]
    app.name = agent["name"][:64] or APP_NAMES[data["app_type"]]
    app.is_validate = True
    db.session.flush()
    return app


def author_status(company: Company) -> list[dict]:
    """7.1: whether WeChat accepted the address-book secret and each radar app (as last checked: when saved,
    and whenever a job finds the secret refused), with the latest address-book sync."""
    apps = {app.app_type: app for app in company.apps}
    sync = db.session.scalars(
        select(Job)
        .where(Job.company_id == company.id, Job.kind == WECHAT_WORK_SYNC)
        .order_by(Job.create_date.desc(), Job.id)
        .limit(1)
    ).first()
    rows = [
        {
            "name": "通讯录",
            "is_validate": bool(company.is_validate),
            "corp_id": company.corp_id,
            "last_sync": None
            if sync is None
            else {"job_id": sync.id, "status": sync.status, "create_date": fmt_datetime(sync.create_date)},
        }
    ]
    for app_type, name in APP_NAMES.items():
        app = apps.get(app_type)
        row = {"name": name, "is_validate": bool(app and app.is_validate), "app_type": app_type}
        if app is not None:
            row.update(agent_id=app.agent_id, agent_name=app.name)
        rows.append(row)
    return rows
