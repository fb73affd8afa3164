"""13.3 the official-account grant URL (the redirect comes back to /admin/open_weixin/auth_code)."""

from flask import Blueprint

from app.auth import current_admin, tenant_scope
from app.declare import Text, answers, takes
from app.responses import ok
from app.schemas.open_platform import CompanyTargetQuerySchema
from app.services import open_platform as service
from app.services.radar_users import target_company

bp = Blueprint("open_weixin_gongzhonghao", __name__, url_prefix="/open_weixin_gongzhonghao")


@bp.post("/create_grant_url")
@answers(Text)
@takes(query=CompanyTargetQuerySchema)
def create_grant_url(query):
    """13.3 代公众号授权 - 生成微信授权的页面: the authorization link (auth_type=1) for the company's account."""
    admin = current_admin()
    return ok(service.create_grant_url(service.GZH, _company_id(query), admin), "生成【授权链接】成功")


def _company_id(query: dict) -> int:
    """The caller's company, or for role 1 the client company named by `company_id` (302 for another's)."""
    return target_company(current_admin(), tenant_scope(), query["company_id"]).id
