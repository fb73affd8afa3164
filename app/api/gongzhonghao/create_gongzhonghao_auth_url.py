"""14.1 the official account's silent OAuth URL, asked for by the radar user who shares (radar-user credentials)."""

from flask import Blueprint

from app.auth import current_radar_user, principal_kind
from app.declare import answers
from app.responses import ok
from app.schemas.answers import AuthorizeUrlSchema
from app.services import open_platform

bp = Blueprint("create_gongzhonghao_auth_url", __name__, url_prefix="/create_gongzhonghao_auth_url")


@bp.get("/<int:o_id>")
@principal_kind("radar")
@answers(AuthorizeUrlSchema)
def create_gongzhonghao_auth_url(o_id):
    """14.1 代公众号 - 生成公众号认证URl: snsapi_base OAuth URL of company `o_id`'s official account, through the
    platform (component_appid); signed by a radar user of that company (302 for another company)."""
    url = open_platform.gongzhonghao_auth_url(o_id, current_radar_user().company_id)
    return ok({"authorize_url": url}, "返回成功成功")
