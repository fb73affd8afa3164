"""Sandboxed WeChat Work OAuth (docs/wechat.md): who opened the app's page, from the code of its redirect.

Both paths WeChat has used: `auth/getuserinfo` (current; lower-case keys) and `user/getuserinfo` (older, still
called by wechatpy; capitalised keys). Codes come from the sandbox's authorize page or its driver (h5_driver).
"""

import secrets
import time

from flask import Blueprint, request

from app.wechat.sandbox.common import WxError, before_wechat_call, state, work_errmsg, wx_json
from app.wechat.sandbox.work import caller

bp = Blueprint("sandbox_work_oauth", __name__, url_prefix="/qyapi/cgi-bin")
bp.before_request(before_wechat_call)

INVALID_CODE, MISSING_CODE = 40029, 41008


@bp.errorhandler(WxError)
def wx_error(err: WxError):
    return wx_json({"errcode": err.errcode, "errmsg": work_errmsg(err.errcode, err.errmsg)})


def _grant():
    """The unused, unexpired code of the caller's corp in `code`; it is spent by this call."""
    corp, _token = caller()
    code = request.args.get("code", "")
    if not code:
        raise WxError(MISSING_CODE, "missing code")
    sandbox = state()
    with sandbox.lock:
        grant = sandbox.h5.work_codes.get(code)
        if grant is None or grant.used or grant.corpid != corp.corpid or grant.expires_at <= time.time():
            raise WxError(INVALID_CODE, "invalid code")
        grant.used = True
    return grant


def _device_id() -> str:
    return secrets.token_hex(8)


@bp.get("/auth/getuserinfo")
def auth_getuserinfo():
    grant = _grant()
    if grant.userid is not None:
        return wx_json({"errcode": 0, "errmsg": "ok", "userid": grant.userid})
    return wx_json({"errcode": 0, "errmsg": "ok", "openid": grant.openid, "external_userid": ""})


@bp.get("/user/getuserinfo")
def user_getuserinfo():
    grant = _grant()
    if grant.userid is not None:
        return wx_json({"errcode": 0, "errmsg": "ok", "UserId": grant.userid, "DeviceId": _device_id()})
    return wx_json({"errcode": 0, "errmsg": "ok", "OpenId": grant.openid, "DeviceId": _device_id()})
