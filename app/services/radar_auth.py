"""The radar user's login: WeChat Work OAuth through the company's AI雷达 (or Boss雷达) app (docs/wechat.md)."""

from sqlalchemy import select

from app.extensions import db
from app.models.company import APP_NAMES, Company, CompanyApp
from app.models.radar import RADAR_ENABLED, RadarUser
from app.responses import ApiError, Code
from app.timefmt import utcnow
from app.wechat import work_oauth
from app.wechat.work import WorkClient


def _radar_app(company_id: int, app_type: int) -> tuple[Company, CompanyApp]:
    company = db.session.get(Company, company_id)
    if company is None:
        raise ApiError.not_found("公司")
    app = db.session.scalars(
        select(CompanyApp).where(CompanyApp.company_id == company_id, CompanyApp.app_type == app_type)
    ).first()
    if not (company.corp_id and app is not None and app.secret):
        raise ApiError.invalid(f"公司尚未配置企业微信{APP_NAMES[app_type]}应用")
    return company, app


def login_radar_user(company_id: int, app_type: int, code: str) -> RadarUser:
    """The enabled radar user the WeChat Work member behind `code` is (its token stays as it is)."""
    company, app = _radar_app(company_id, app_type)
    visitor = work_oauth.visitor(WorkClient(company.corp_id, app.secret), code)
    if visitor.userid is None:
        raise ApiError.forbidden("仅企业微信成员可以登录")
    stmt = select(RadarUser).where(RadarUser.company_id == company.id, RadarUser.userid == visitor.userid)
    user = db.session.scalars(stmt).first()
    if user is None:
        raise ApiError(Code.NOT_FOUND, "您还不是雷达用户，请联系管理员开通")
    if user.status != RADAR_ENABLED:
        raise ApiError(Code.DISABLED, "账户未启用")
    user.last_login_date = utcnow()
    db.session.flush()
    return user
