"""11.4 the mini-program grant URL, and the redirect WeChat's authorization page comes back to (SPEC §2)."""

from flask import Blueprint, request

from app.auth import current_admin, public
from app.limits import oauth_login
from app.responses import ok
from app.schemas.base import load
from app.schemas.open_platform import AuthCodeQuerySchema
from app.services import open_platform as service

bp = Blueprint("open_weixin", __name__, url_prefix="/open_weixin")


@bp.post("/create_grant_url")
def create_grant_url():
    """11.4 小程序授权 - 生成微信授权的页面: the authorization link (auth_type=2) for the company's mini-program."""
    admin = current_admin()
    return ok(service.create_grant_url(service.XCX, admin.company_id, admin), "生成【授权链接】成功")


@bp.get("/auth_code")
@public
@oauth_login
def auth_code():
    """授权回调: WeChat's page sends the admin back here with `auth_code`; it is exchanged (api_query_auth), the
    account recorded with its refresh token (encrypted) and details. `grant` is our signed parameter."""
    data = load(AuthCodeQuerySchema, request.args)
    app = service.complete_grant(data["grant"], data["auth_code"])
    return ok({"authorization_appid": app.authorizer_appid, "name": app.name}, "授权成功")
