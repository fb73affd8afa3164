"""Sandboxed official-account web OAuth through the platform and JS-SDK tickets (docs/wechat.md), on
api.weixin.qq.com: `sns/oauth2/component/access_token`, `sns/userinfo`, `cgi-bin/ticket/getticket`.

As WeChat does, the `sns/*` successes carry no errcode, the ticket's does; errors are {"errcode", "errmsg"} with
api.weixin.qq.com's ` rid: …` suffix.
"""

import time

from flask import Blueprint, request

from app.wechat.sandbox.common import WxError, before_wechat_call, state, wx_json
from app.wechat.sandbox.h5_state import USER_TOKEN_LIFETIME
from app.wechat.sandbox.open_platform import authorizer_caller, authorizer_of, component_caller, error_response
from app.wechat.sandbox.open_platform_state import OFFICIAL_ACCOUNT

bp = Blueprint("sandbox_sns", __name__, url_prefix="/api")
bp.before_request(before_wechat_call)
bp.register_error_handler(WxError, error_response)

ERRMSG = {
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40003: "invalid openid",
    40013: "invalid appid",
    40029: "invalid code",
    40097: "invalid args",
    40163: "code been used",
    41001: "access_token missing",
    41008: "missing code",
    42001: "access_token expired",
    42003: "code expired",
    48001: "api unauthorized",
    61003: "component is not authorized by this account",
}


def wx(errcode: int) -> WxError:
    return WxError(errcode, ERRMSG[errcode])


@bp.get("/sns/oauth2/component/access_token")
def component_access_token():
    args = request.args
    with state().lock:
        platform = component_caller()
        if args.get("component_appid") != platform.component.appid:
            raise wx(40013)
        if args.get("grant_type") != "authorization_code":
            raise wx(40002)
        authorizer = authorizer_of(platform, args.get("appid"))
        if authorizer.kind != OFFICIAL_ACCOUNT:
            raise wx(40013)
        if not args.get("code"):
            raise wx(41008)
        grant = state().h5.codes.get(args["code"])
        if grant is None or grant.appid != authorizer.appid:
            raise wx(40029)
        if grant.used:
            raise wx(40163)
        if grant.expires_at <= time.time():
            raise wx(42003)
        grant.used = True
        token = state().h5.new_user_token(grant)
    return wx_json(
        {
            "access_token": token,
            "expires_in": USER_TOKEN_LIFETIME,
            "refresh_token": f"refresh@@@{token[:24]}",
            "openid": grant.openid,
            "scope": grant.scope,
        }
    )


@bp.get("/sns/userinfo")
def userinfo():
    value = request.args.get("access_token", "")
    if not value:
        raise wx(41001)
    with state().lock:
        h5 = state().h5
        token = h5.user_tokens.get(value)
        if token is None:
            raise wx(40001)
        if token.expires_at <= time.time():
            raise wx(42001)
        if token.scope != "snsapi_userinfo":
            raise wx(48001)
        if request.args.get("openid") != token.openid:
            raise wx(40003)
        user = h5.users.get((token.appid, token.openid))
        if user is None:
            raise wx(40003)
        return wx_json(user.userinfo())


@bp.get("/cgi-bin/ticket/getticket")
def getticket():
    with state().lock:
        authorizer = authorizer_caller()
        if request.args.get("type") != "jsapi":
            raise wx(40097)
        ticket, expires_in = state().h5.ticket_for(authorizer.appid)
    return wx_json({"errcode": 0, "errmsg": "ok", "ticket": ticket, "expires_in": expires_in})
