"""Sandboxed third-party platform (api.weixin.qq.com/cgi-bin/component, docs/wechat.md) and its browser
authorization page (open.weixin.qq.com/wxaopen/safe/bindcomponent).

Served under /api/cgi-bin/component/ (WECHAT_API_BASE = <sandbox>/api/) and /open/wxaopen/ (WECHAT_OPEN_BASE).
Success bodies carry no errcode here, as WeChat's don't; errors are {"errcode", "errmsg": "... rid: …"}.
"""

import html
import secrets
import time
from urllib.parse import urlencode

from flask import Blueprint, Response, redirect, request

from app.wechat.sandbox.common import WxError, before_wechat_call, json_body, state, wx_json
from app.wechat.sandbox.open_platform_state import (
    MINI_PROGRAM,
    OFFICIAL_ACCOUNT,
    PRE_AUTH_LIFETIME,
    Authorizer,
    OpenPlatformState,
    new_secret,
)

bp = Blueprint("sandbox_component", __name__, url_prefix="/api/cgi-bin/component")
bp.before_request(before_wechat_call)
page_bp = Blueprint("sandbox_bindcomponent", __name__, url_prefix="/open/wxaopen")

ERRMSG = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40013: "invalid appid",
    40097: "invalid args",
    40125: "invalid appsecret",
    40129: "invalid scene",
    40169: "invalid length for scene, or the data is not json string",
    41001: "access_token missing",
    41030: "invalid page",
    42001: "access_token expired",
    43001: "require GET method",
    44002: "empty post data",
    45009: "reach max api daily quota limit",
    47001: "data format error",
    61003: "component is not authorized by this account",
    61005: "component ticket is expired",
    61006: "component ticket is invalid",
    61007: "api is unauthorized to component",
    61009: "code is invalid",
    61010: "code is expired",
    61023: "refresh_token is invalid",
    85006: "tag is in invalid format",
    85007: "page path is in invalid format",
    85009: "already submit a version under auditing",
    85011: "title is in invalid format",
    85012: "invalid audit id",
    85013: "invalid custom config",
    85014: "template not exist",
    85019: "no version is under auditing",
    85020: "status not allowed",
    85023: "item size is not in 1-5",
    85052: "app is already released",
    85058: "no valid audit_id exist",
    85077: "invalid category",
    85086: "must commit code before submit audit",
    86001: "component experience version not exists",
    87012: "version can not revert",
    87013: "no quota to undo code",
}


def error_response(err: WxError) -> Response:
    """api.weixin.qq.com's errmsg suffix: ` rid: <id>`."""
    errmsg = ERRMSG.get(err.errcode, err.errmsg) if err.errmsg == "unknown error" else err.errmsg
    rid = f"{secrets.token_hex(4)}-{secrets.token_hex(4)}-{secrets.token_hex(4)}"
    return wx_json({"errcode": err.errcode, "errmsg": f"{errmsg} rid: {rid}"})


bp.register_error_handler(WxError, error_response)


def wx(errcode: int) -> WxError:
    return WxError(errcode, ERRMSG.get(errcode))


def platform() -> OpenPlatformState:
    return state().open_platform


# --- callers ---------------------------------------------------------------------------------------


def component_caller(body: dict | None = None) -> OpenPlatformState:
    """The component token in the query (either name), and the body's component_appid."""
    sandbox = platform()
    token = request.args.get("component_access_token") or request.args.get("access_token") or ""
    if not token:
        raise wx(41001)
    expires_at = sandbox.component_tokens.get(token)
    if expires_at is None:
        raise wx(40001)
    if expires_at <= time.time():
        raise wx(42001)
    if body is not None and body.get("component_appid") != sandbox.component.appid:
        raise wx(40013)
    return sandbox


def authorizer_of(sandbox: OpenPlatformState, appid) -> Authorizer:
    authorizer = sandbox.authorizers.get(str(appid or ""))
    if authorizer is None or not authorizer.authorized:
        raise wx(61003)
    return authorizer


def authorizer_caller(permission: int | None = None) -> Authorizer:
    """The account whose authorizer token is in `access_token`; its own injected faults apply here."""
    sandbox = platform()
    value = request.args.get("access_token", "")
    if not value:
        raise wx(41001)
    token = sandbox.authorizer_tokens.get(value)
    if token is None or token.invalid:
        raise wx(40001)
    if token.expires_at <= time.time():
        raise wx(42001)
    authorizer = authorizer_of(sandbox, token.appid)
    if permission is not None and permission not in authorizer.func_info:
        raise wx(61007)
    for fault in list(authorizer.faults):
        if fault.matches(request.path):
            fault.times -= 1
            if fault.times <= 0:
                authorizer.faults.remove(fault)
            if fault.errcode is not None:
                raise WxError(fault.errcode, fault.errmsg or ERRMSG.get(fault.errcode))
    return authorizer


# --- component APIs ---------------------------------------------------------------------------------


@bp.post("/api_component_token")
def api_component_token():
    body = json_body()
    sandbox = platform()
    with state().lock:
        component = sandbox.component
        if component is None or body.get("component_appid") != component.appid:
            raise wx(40013)
        if not secrets.compare_digest(str(body.get("component_appsecret") or "").encode(), component.secret.encode()):
            raise wx(40125)
        expires_at = component.tickets.get(str(body.get("component_verify_ticket") or ""))
        if expires_at is None:
            raise wx(61006)
        if expires_at <= time.time():
            raise wx(61005)
        token = sandbox.new_component_token()
    return wx_json({"component_access_token": token, "expires_in": 7200})


@bp.post("/api_create_preauthcode")
def api_create_preauthcode():
    body = json_body()
    with state().lock:
        sandbox = component_caller(body)
        code = new_secret("preauthcode@@@", 32)
        sandbox.pre_auth_codes[code] = time.time() + PRE_AUTH_LIFETIME
    return wx_json({"pre_auth_code": code, "expires_in": PRE_AUTH_LIFETIME})


def func_info(authorizer: Authorizer) -> list[dict]:
    return [{"funcscope_category": {"id": fid}} for fid in authorizer.func_info]


@bp.post("/api_query_auth")
def api_query_auth():
    body = json_body()
    with state().lock:
        sandbox = component_caller(body)
        grant = sandbox.auth_codes.get(str(body.get("authorization_code") or ""))
        if grant is None or grant.used:
            raise wx(61009)  # unknown, or already exchanged: a code is single use
        if grant.expires_at <= time.time():
            raise wx(61010)
        grant.used = True
        authorizer = authorizer_of(sandbox, grant.appid)
        token = sandbox.new_authorizer_token(authorizer.appid)
        info = {
            "authorizer_appid": authorizer.appid,
            "authorizer_access_token": token,
            "expires_in": 7200,
            "authorizer_refresh_token": authorizer.refresh_token,
            "func_info": func_info(authorizer),
        }
    return wx_json({"authorization_info": info})


@bp.post("/api_authorizer_token")
def api_authorizer_token():
    body = json_body()
    with state().lock:
        sandbox = component_caller(body)
        authorizer = authorizer_of(sandbox, body.get("authorizer_appid"))
        given = str(body.get("authorizer_refresh_token") or "").encode()
        if not secrets.compare_digest(given, authorizer.refresh_token.encode()):
            raise wx(61023)
        token = sandbox.new_authorizer_token(authorizer.appid)
        if authorizer.rotate_refresh:
            authorizer.refresh_token = new_secret("refreshtoken@@@", 24)
        refresh = authorizer.refresh_token
    return wx_json({"authorizer_access_token": token, "expires_in": 7200, "authorizer_refresh_token": refresh})


def authorizer_info(authorizer: Authorizer) -> dict:
    info = {
        "nick_name": authorizer.nick_name,
        "head_img": authorizer.head_img,
        "service_type_info": {"id": authorizer.service_type},
        "verify_type_info": {"id": authorizer.verify_type},
        "user_name": authorizer.user_name,
        "principal_name": authorizer.principal_name,
        "business_info": {"open_store": 0, "open_scan": 0, "open_pay": 0, "open_card": 0, "open_shake": 0},
        "qrcode_url": authorizer.qrcode_url,
        "account_status": 1,
    }
    if authorizer.kind == MINI_PROGRAM:
        info["signature"] = authorizer.signature
        info["MiniProgramInfo"] = {
            "network": {"RequestDomain": [], "WsRequestDomain": [], "UploadDomain": [], "DownloadDomain": []},
            "categories": [dict(c) for c in authorizer.categories],
            "visit_status": 0,
        }
        info["register_type"] = 0
        info["basic_config"] = {"is_phone_configured": True, "is_email_configured": True}
    else:
        info["alias"] = authorizer.alias
    return info


@bp.post("/api_get_authorizer_info")
def api_get_authorizer_info():
    body = json_body()
    with state().lock:
        sandbox = component_caller(body)
        authorizer = authorizer_of(sandbox, body.get("authorizer_appid"))
        authorization = {
            "authorizer_appid": authorizer.appid,
            "authorizer_refresh_token": authorizer.refresh_token,
            "func_info": func_info(authorizer),
        }
        info = authorizer_info(authorizer)
    return wx_json({"authorizer_info": info, "authorization_info": authorization})


# --- the browser authorization page ------------------------------------------------------------------

AUTH_TYPE_KINDS = {"1": {OFFICIAL_ACCOUNT}, "2": {MINI_PROGRAM}, "3": {OFFICIAL_ACCOUNT, MINI_PROGRAM}}


def page(text: str, status: int = 200) -> Response:
    body = f"<!doctype html><meta charset='utf-8'><title>授权</title><body>{text}</body>"
    return Response(body, status=status, mimetype="text/html")


def eligible(sandbox: OpenPlatformState) -> list[Authorizer]:
    kinds = AUTH_TYPE_KINDS.get(request.args.get("auth_type") or "3", set())
    biz_appid = request.args.get("biz_appid")
    if biz_appid:  # biz_appid wins over auth_type
        return [a for a in sandbox.authorizers.values() if a.appid == biz_appid]
    return [a for a in sandbox.authorizers.values() if a.kind in kinds]


@page_bp.get("/safe/bindcomponent")
def bindcomponent():
    """Without `confirm_appid`: the page listing the accounts that may authorise. With it (the sandbox's stand-in
    for the admin's scan and confirmation): authorise, consume the pre-auth code, redirect with auth_code."""
    sandbox = platform()
    args = request.args
    with state().lock:
        if sandbox.component is None or args.get("component_appid") != sandbox.component.appid:
            return page("参数错误：component_appid 无效")
        expires_at = sandbox.pre_auth_codes.get(args.get("pre_auth_code", ""))
        if expires_at is None or expires_at <= time.time():
            return page("授权链接已失效，请重新获取")
        redirect_uri = args.get("redirect_uri", "")
        accounts = eligible(sandbox)
        chosen = next((a for a in accounts if a.appid == args.get("confirm_appid")), None)
        if chosen is None:
            links = "".join(
                f"<li><a href='?{html.escape(urlencode({**args.to_dict(), 'confirm_appid': a.appid}))}'>"
                f"{html.escape(a.nick_name)} ({a.appid})</a></li>"
                for a in accounts
            )
            return page(f"<p>请选择要授权的帐号</p><ul>{links}</ul>")
        del sandbox.pre_auth_codes[args["pre_auth_code"]]  # single use
        code = sandbox.authorize(chosen)
    glue = "&" if "?" in redirect_uri else "?"
    return redirect(f"{redirect_uri}{glue}{urlencode({'auth_code': code, 'expires_in': 600})}", code=302)
