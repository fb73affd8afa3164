"""What every sandboxed WeChat API shares: the error body, JSON bodies, the call log and injected faults.

WeChat answers errors with HTTP 200 and `{"errcode", "errmsg"}`; errmsg is free text with a suffix that
differs per host (docs/wechat.md). Handlers raise `WxError(code)` and the area's blueprint renders it.
"""

import json
import secrets
import time

from flask import Response, current_app, request

from app.inputs import parse_json
from app.wechat.sandbox.state import SandboxState

# English errmsg texts, as WeChat answers them; clients must branch on errcode only.
ERRMSG = {
    -1: "system busy",
    40001: "invalid credential",
    40003: "invalid userid",
    40013: "invalid corpid",
    40014: "invalid access_token",
    40056: "invalid agentid",
    40058: "invalid Request Parameter",  # list_id's limit/cursor: WeChat documents no code
    40066: "invalid department list",
    40091: "secret is invalid",
    41001: "access_token missing",
    41002: "corpid missing",
    41004: "corpsecret missing",
    42001: "access_token expired",
    43002: "require POST method",
    44002: "empty post data",
    45009: "api freq out of limit",
    47001: "data format error",
    48002: "api forbidden",
    60001: "invalid department name length",
    60003: "department not found",
    60004: "parent department not found",
    60005: "department contains user",
    60006: "department contains sub-department",
    60007: "not allow to delete root department",
    60008: "department existed",
    60009: "department name contains illegal characters",
    60010: "department exists loop",
    60011: "no privilege to access/modify contact/party/agent",
    60020: "not allow to access from your ip",
    60102: "userid existed",
    60103: "mobile invalid",
    60104: "mobile existed",
    60105: "email invalid",
    60106: "email existed",
    60110: "user department count exceed limit",
    60111: "userid not found",
    60112: "invalid username",
    60123: "invalid department id",
    60124: "invalid parent department id",
    60127: "department missing",
    60129: "mobile and email can not both be empty",
    85005: "redirect domain not verified",
    301002: "access_token has no privilege to access this agent",
}


class WxError(Exception):
    def __init__(self, errcode: int, errmsg: str | None = None):
        super().__init__(errcode)
        self.errcode, self.errmsg = errcode, errmsg or ERRMSG.get(errcode, "unknown error")


def wx_json(body: dict, status: int = 200) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json")


def work_errmsg(errcode: int, errmsg: str) -> str:
    """qyapi.weixin.qq.com's suffix: hint, caller ip and a link to the error-code page."""
    hint = f"{int(time.time())}_{secrets.randbelow(100)}_{secrets.token_hex(8)}"
    return (
        f"{errmsg}, hint: [{hint}], from ip: {request.remote_addr}, "
        f"more info at https://open.work.weixin.qq.com/devtool/query?e={errcode}"
    )


def state() -> SandboxState:
    return current_app.extensions["wechat_sandbox"]


def json_body() -> dict:
    """The JSON object posted: 44002 when empty, 47001 when not JSON (WeChat takes no form posts)."""
    raw = request.get_data()
    if not raw.strip():
        raise WxError(44002)
    try:
        body = parse_json(raw)
    except ValueError:
        raise WxError(47001) from None
    if not isinstance(body, dict):
        raise WxError(47001)
    return body


def int_param(value, errcode: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise WxError(errcode) from None


def before_wechat_call():
    """Log the call (path only: queries carry secrets) and apply the next matching injected fault."""
    sandbox = state()
    sandbox.record_call(request.method, request.path)
    fault = sandbox.take_fault(request.path)
    if fault is None:
        return None
    if fault.delay:
        time.sleep(fault.delay)
    if fault.http_status:
        return Response("sandbox: injected failure", status=fault.http_status, mimetype="text/plain")
    if fault.errcode is not None:
        raise WxError(fault.errcode, fault.errmsg)
    return None
