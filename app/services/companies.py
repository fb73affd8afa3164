"""7.1–7.4 companies: terms, the list's figures, WeChat Work credentials."""

from datetime import date

from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from app.auth import check_company
from app.extensions import db
from app.models.company import APP_NAMES, TERM_MONTHS, Company, CompanyApp
from app.pagination import order_by, paginate
from app.responses import ApiError
from app.schemas.company import CompanyOutSchema
from app.services.db import name_taken, unique_or_300
from app.services.statistics import seat_and_customer_counts
from app.timefmt import local_today

DUPLICATE_MSG = "公司名称已存在"
ORDER_COLUMNS = {
    "create_date": Company.create_date,
    "id": Company.id,
    "name": Company.name,
    "charging_start_time": Company.charging_start_time,
    "account_expired_time": Company.account_expired_time,
}


def expiry_date(start: date, open_length_time: int) -> date:
    """Charging start + the term; relativedelta clamps to the month's end (Jan 31 + 1 month = Feb 28)."""
    return start + relativedelta(months=TERM_MONTHS[open_length_time])


def service_days(company: Company, today: date) -> tuple[int, int]:
    """(used_days, available_days), each clamped to [0, term] (SPEC §12)."""
    if company.charging_start_time is None or company.account_expired_time is None:
        return 0, 0
    term = (company.account_expired_time - company.charging_start_time).days
    used = (today - company.charging_start_time).days
    left = (company.account_expired_time - today).days
    return min(max(used, 0), term), min(max(left, 0), term)


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


def list_companies(scope: int | None, query: dict) -> tuple[list[Company], int]:
    stmt = select(Company)
    if scope is not None:
        stmt = stmt.where(Company.id == scope)
    if query["name"]:
        stmt = stmt.where(Company.name.contains(query["name"], autoescape=True))
    stmt = order_by(stmt, query["order"], ORDER_COLUMNS).order_by(Company.id.desc())
    return paginate(stmt, query["current_page"], query["length"])


def get_company(company_id: int, scope: int | None = None) -> Company:
    check_company(company_id, scope)
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


def set_tongxunlu(company: Company, data: dict) -> None:
    """Store the address-book credentials (encrypted) and mark them unvalidated."""
    company.corp_id = data["corp_id"]
    company.tongxunlu_secret = data["tongxunlu_secret"]
    company.is_validate = False
    if data["weChatQrCode"] is not None:
        company.wechat_qr_code = data["weChatQrCode"]
    db.session.flush()


def set_agent(company: Company, data: dict) -> CompanyApp:
    app = next((a for a in company.apps if a.app_type == data["app_type"]), None)
    if app is None:
        app = CompanyApp(app_type=data["app_type"])
        company.apps.append(app)
    app.agent_id = data["agent_id"]
    app.secret = data["app_secret"]
    app.name = data["name"] or APP_NAMES[data["app_type"]]
    app.is_validate = False
    db.session.flush()
    return app


def author_status(company: Company) -> list[dict]:
    """7.1: whether the address book and each radar app are validated."""
    apps = {app.app_type: app for app in company.apps}
    rows = [{"name": "通讯录", "is_validate": bool(company.is_validate)}]
    for app_type, name in APP_NAMES.items():
        app = apps.get(app_type)
        rows.append({"name": name, "is_validate": bool(app and app.is_validate), "app_type": app_type})
    return rows
