"""The sandbox's OAuth page (open.weixin.qq.com/connect/oauth2/authorize): what WeChat does in the browser.

- An official account authorised to the platform (`component_appid` given): the test-driver user
  in the browser (cookie, see h5_driver) consents and is sent to `redirect_uri?code=&state=&appid=`.
- A WeChat Work corp (`appid` = corpid, `agentid`): the member in the browser is sent to
  `redirect_uri?code=&state=`; someone outside the corp gets a code that identifies an outsider.

Errors are plain pages with a 4xx status, as WeChat shows an error page rather than redirecting.
"""

from urllib.parse import urlencode, urlsplit

from flask import Blueprint, Response, redirect, request

from app.wechat.sandbox.common import before_wechat_call, state
from app.wechat.sandbox.h5_driver import BROWSER_COOKIE
from app.wechat.sandbox.h5_state import SCOPES
from app.wechat.sandbox.open_platform_state import OFFICIAL_ACCOUNT

bp = Blueprint("sandbox_oauth_page", __name__, url_prefix="/open/connect/oauth2")
bp.before_request(before_wechat_call)


def page(text: str, status: int = 400) -> Response:
    return Response(f"<html><body><p>{text}</p></body></html>", status=status, mimetype="text/html")


def _back(redirect_uri: str, **params) -> Response:
    separator = "&" if "?" in redirect_uri else "?"
    return redirect(redirect_uri + separator + urlencode(params), code=302)


@bp.get("/authorize")
def authorize():
    args = request.args
    appid, redirect_uri, scope = args.get("appid", ""), args.get("redirect_uri", ""), args.get("scope", "")
    if not (appid and redirect_uri) or args.get("response_type") != "code":
        return page("参数错误")
    user = request.cookies.get(BROWSER_COOKIE, "")
    if not user:
        return page("sandbox: 浏览器中没有微信用户（cookie wx_sandbox_user）", 401)
    sandbox = state()
    with sandbox.lock:
        if appid in sandbox.corps:
            return _work_member(appid, user, redirect_uri, args)
        return _official_account(appid, user, redirect_uri, scope, args)


def _work_member(corpid: str, userid: str, redirect_uri: str, args) -> Response:
    sandbox = state()
    corp = sandbox.corps[corpid]
    if args.get("agentid"):
        agent = corp.agents.get(int(args["agentid"])) if args["agentid"].isdigit() else None
        if agent is None:
            return page("agentid参数错误")
        if agent.redirect_domain and urlsplit(redirect_uri).netloc != agent.redirect_domain:
            return page("redirect_uri需与应用的可信域名一致（50001）", 403)
    member = corp.members.get(userid)
    if member is not None and member.get("status") != 1:
        return page("该成员已被禁用", 403)
    code = (
        sandbox.h5.new_work_code(corpid, userid=userid) if member else sandbox.h5.new_work_code(corpid, openid=userid)
    )
    return _back(redirect_uri, code=code, state=args.get("state", ""))


def _official_account(appid: str, openid: str, redirect_uri: str, scope: str, args) -> Response:
    platform = state().open_platform
    authorizer = platform.authorizers.get(appid)
    component = platform.component
    if authorizer is None or authorizer.kind != OFFICIAL_ACCOUNT or not authorizer.authorized:
        return page("appid参数错误")
    if component is None or args.get("component_appid") != component.appid:
        return page("component_appid参数错误")
    if scope not in SCOPES:
        return page("scope参数错误")
    if (appid, openid) not in state().h5.users:
        return page("sandbox: 该公众号没有这个测试用户", 404)
    code = state().h5.new_code(appid, openid, scope)
    return _back(redirect_uri, code=code, state=args.get("state", ""), appid=appid)
