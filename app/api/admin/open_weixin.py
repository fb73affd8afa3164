"""11.4 the mini-program grant URL, and the redirect back from WeChat's authorization page (docs/open_platform.md)."""

from flask import Blueprint, redirect, request

from app.auth import current_admin, public, tenant_scope
from app.limits import oauth_login
from app.responses import ok
from app.schemas.base import load
from app.schemas.open_platform import AuthCodeQuerySchema, CompanyTargetQuerySchema
from app.services import grant_landing
from app.services import open_platform as service
from app.services.radar_users import target_company

bp = Blueprint("open_weixin", __name__, url_prefix="/open_weixin")


@bp.post("/create_grant_url")
def create_grant_url():
    """11.4 小程序授权 - 生成微信授权的页面: the authorization link (auth_type=2) for the company's mini-program."""
    admin = current_admin()
    return ok(service.create_grant_url(service.XCX, _company_id(), admin), "生成【授权链接】成功")


@bp.get("/auth_code")
@public
@oauth_login
def auth_code():
    """授权回调: WeChat's page sends the admin back here with `auth_code`; it is exchanged (api_query_auth), the
    account recorded with its refresh token (encrypted) and details. `grant` is our signed parameter. A browser
    is then redirected (302) to the console, CONSOLE_BASE_URL, with the outcome in the query; other clients get
    the envelope."""
    data = load(AuthCodeQuerySchema, request.args)
    if _from_a_browser():
        return redirect(grant_landing.landing_url(data["grant"], data["auth_code"]), code=302)
    app = service.complete_grant(data["grant"], data["auth_code"])
    return ok({"authorization_appid": app.authorizer_appid, "name": app.name}, "授权成功")


def _from_a_browser() -> bool:
    """A browser navigating here asks for HTML first; an API client asks for JSON or anything."""
    return request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html"


def _company_id() -> int:
    """The caller's company, or for role 1 the client company named by `company_id` (302 for another's)."""
    query = load(CompanyTargetQuerySchema, request.args)
    return target_company(current_admin(), tenant_scope(), query["company_id"]).id
