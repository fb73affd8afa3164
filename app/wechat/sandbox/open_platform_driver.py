"""The sandbox's driver API for the third-party platform, under /sandbox/open_platform/ (not WeChat): register
the component, seed accounts and templates, play the admin confirming an authorization, decide audits, and
build WeChat's encrypted pushes — returned to the caller, and POSTed to `deliver_to` when given.
"""

import hashlib
import secrets
import time

import requests
import xmltodict
from flask import Blueprint, abort, jsonify, request
from wechatpy.crypto import WeChatCrypto

from app.wechat.sandbox.common import state
from app.wechat.sandbox.open_platform import platform
from app.wechat.sandbox.open_platform_state import Authorizer, Component, Template
from app.wechat.sandbox.state import Fault

bp = Blueprint("sandbox_open_platform_driver", __name__, url_prefix="/sandbox/open_platform")

AUTHORIZER_FIELDS = (
    "nick_name",
    "user_name",
    "principal_name",
    "head_img",
    "qrcode_url",
    "signature",
    "alias",
    "verify_type",
    "service_type",
    "categories",
    "category_list",
    "func_info",
    "rotate_refresh",
)
AUDIT_EVENTS = {0: "weapp_audit_success", 1: "weapp_audit_fail", 4: "weapp_audit_delay"}


def authorizer_or_404(appid: str) -> Authorizer:
    authorizer = platform().authorizers.get(appid)
    if authorizer is None:
        abort(404)
    return authorizer


def component_or_409() -> Component:
    if platform().component is None:
        abort(409, "register the component first: POST /sandbox/open_platform/component")
    return platform().component


# --- pushes -----------------------------------------------------------------------------------


def plain_xml(fields: dict) -> str:
    parts = "".join(
        f"<{key}>{value}</{key}>" if isinstance(value, int) else f"<{key}><![CDATA[{value}]]></{key}>"
        for key, value in fields.items()
    )
    return f"<xml>{parts}</xml>"


def pushed_at() -> int:
    """When WeChat sent the push: now, or the driver call's `at` (Unix seconds) to build an old one."""
    at = (request.get_json(silent=True) or {}).get("at")
    return int(at) if at is not None else int(time.time())


def encrypted_push(fields: dict, outer: dict) -> dict:
    """{"query": {...}, "body": "<xml>…<Encrypt>…</Encrypt></xml>"} as WeChat would POST it."""
    component = component_or_409()
    crypto = WeChatCrypto(component.token, component.aes_key, component.appid)
    nonce, timestamp = str(secrets.randbelow(10**9)), str(pushed_at())
    reply = xmltodict.parse(crypto.encrypt_message(plain_xml(fields), nonce, timestamp))["xml"]
    signature = hashlib.sha1("".join(sorted([component.token, timestamp, nonce])).encode()).hexdigest()
    query = {
        "signature": signature,
        "timestamp": timestamp,
        "nonce": nonce,
        "encrypt_type": "aes",
        "msg_signature": reply["MsgSignature"],
    }
    return {"query": query, "body": plain_xml({**outer, "Encrypt": reply["Encrypt"]})}


PUSH_TRIES = 3  # WeChat pushes again when the answer is not `success` in time
PUSH_REPLY_TIMEOUT = 5  # seconds WeChat waits for the answer


def answer(push: dict) -> dict:
    """The push, delivered to `deliver_to` (the platform's URL) when the driver call names one: as WeChat does,
    it waits PUSH_REPLY_TIMEOUT seconds for the plain `success` and pushes again (PUSH_TRIES in all) otherwise."""
    body = request.get_json(silent=True) or {}
    target = body.get("deliver_to")
    if target:
        for attempt in range(1, PUSH_TRIES + 1):
            try:
                response = requests.post(
                    target, params=push["query"], data=push["body"].encode(), timeout=PUSH_REPLY_TIMEOUT
                )
                status, text = response.status_code, response.text[:200]
            except requests.RequestException as exc:
                status, text = None, type(exc).__name__
            push["delivered"] = {"status": status, "text": text, "attempts": attempt}
            if status == 200 and text == "success":
                break
    return push


def component_push(info_type: str, **fields) -> dict:
    component = component_or_409()
    message = {"AppId": component.appid, "CreateTime": pushed_at(), "InfoType": info_type, **fields}
    return encrypted_push(message, {"AppId": component.appid})


def authorization_push(info_type: str, authorizer: Authorizer) -> dict:
    sandbox = platform()
    if info_type == "unauthorized":
        return component_push(info_type, AuthorizerAppid=authorizer.appid)
    code = sandbox.last_auth_code.get(authorizer.appid) if info_type == "authorized" else None
    code = code or sandbox.new_auth_code(authorizer.appid)  # `authorized` carries the code of the redirect
    return component_push(
        info_type,
        AuthorizerAppid=authorizer.appid,
        AuthorizationCode=code,
        AuthorizationCodeExpiredTime=int(time.time()) + 600,
        PreAuthCode="preauthcode@@@" + secrets.token_urlsafe(16),
    )


def audit_push(authorizer: Authorizer, status: int, reason: str, screenshot: str) -> dict:
    now = int(time.time())
    fields = {"ToUserName": authorizer.user_name, "FromUserName": "o" + secrets.token_hex(13), "CreateTime": now}
    fields.update(MsgType="event", Event=AUDIT_EVENTS[status])
    if status == 0:
        fields["SuccTime"] = now
    elif status == 1:
        fields.update(Reason=reason, FailTime=now, ScreenShot=screenshot)
    else:
        fields.update(Reason=reason, DelayTime=now)
    return encrypted_push(fields, {"ToUserName": authorizer.user_name})


# --- setup ---------------------------------------------------------------------------------------------


@bp.post("/component")
def register_component():
    """{"appid", "secret", "token", "aes_key"}: the platform as registered on open.weixin.qq.com."""
    body = request.get_json(force=True)
    with state().lock:
        platform().component = Component(body["appid"], body["secret"], body["token"], body["aes_key"])
    return jsonify(ok=True)


@bp.post("/templates")
def upsert_templates():
    """A list of {"template_id", "user_version", "user_desc", "pages"?}."""
    with state().lock:
        for row in request.get_json(force=True):
            template = Template(int(row["template_id"]), row["user_version"], row["user_desc"])
            template.pages = list(row.get("pages") or template.pages)
            platform().templates[template.template_id] = template
    return jsonify(ok=True)


@bp.post("/authorizers")
def create_authorizer():
    """{"appid", "kind": "miniprogram"|"official", "nick_name", "user_name"?, …fields}: an account that may
    authorise the platform (not yet authorised)."""
    body = request.get_json(force=True)
    fields = {key: body[key] for key in AUTHORIZER_FIELDS if key in body}
    fields.setdefault("nick_name", f"沙箱帐号{body['appid'][-4:]}")
    fields.setdefault("user_name", "gh_" + hashlib.md5(body["appid"].encode()).hexdigest()[:12])
    with state().lock:
        platform().authorizers[body["appid"]] = Authorizer(appid=body["appid"], kind=body["kind"], **fields)
    return jsonify(ok=True)


@bp.get("/authorizers/<appid>")
def show_authorizer(appid):
    with state().lock:
        return jsonify(authorizer_or_404(appid).public())


@bp.patch("/authorizers/<appid>")
def update_authorizer(appid):
    body = request.get_json(force=True)
    with state().lock:
        authorizer = authorizer_or_404(appid)
        for key in AUTHORIZER_FIELDS:
            if key in body:
                setattr(authorizer, key, body[key])
    return jsonify(ok=True)


@bp.post("/authorizers/<appid>/faults")
def add_authorizer_fault(appid):
    """{"path": "wxa/commit", "errcode", "errmsg"?, "times"?}: only this account's calls fail."""
    body = request.get_json(force=True)
    fault = Fault(body["path"], body.get("errcode"), body.get("errmsg"), times=int(body.get("times", 1)))
    with state().lock:
        authorizer_or_404(appid).faults.append(fault)
    return jsonify(ok=True)


# --- what happens on WeChat's side ------------------------------------------------------------------------


@bp.post("/authorizers/<appid>/authorize")
def authorize(appid):
    """The account authorises the platform without the browser page (benchmarks): its auth code."""
    with state().lock:
        code = platform().authorize(authorizer_or_404(appid))
    return jsonify(auth_code=code, expires_in=600)


@bp.post("/authorizers/<appid>/unauthorize")
def unauthorize(appid):
    """The account cancels the authorization: the `unauthorized` push."""
    with state().lock:
        authorizer = authorizer_or_404(appid)
        platform().unauthorize(authorizer)
        push = authorization_push("unauthorized", authorizer)
    return jsonify(answer(push))


@bp.post("/authorizers/<appid>/audit")
def decide_audit(appid):
    """{"status": 0 approve | 1 reject | 4 delay, "reason"?, "screenshot"?}: WeChat's reviewers decide the open
    audit; answers with the weapp_audit_* push for the message/event URL."""
    body = request.get_json(force=True)
    status = int(body["status"])
    if status not in AUDIT_EVENTS:
        abort(400)
    with state().lock:
        authorizer = authorizer_or_404(appid)
        audit = authorizer.latest_audit
        if audit is None or audit.status not in (2, 4):
            abort(409, "no audit under review")
        audit.status, audit.reason = status, str(body.get("reason") or "")
        audit.screenshot = str(body.get("screenshot") or "")
        push = audit_push(authorizer, status, audit.reason, audit.screenshot)
    return jsonify(answer(push))


@bp.post("/push")
def push():
    """{"info_type": "component_verify_ticket" | "authorized" | "updateauthorized" | "unauthorized",
    "appid"?: the account, "at"?: when it was sent}: the authorization-event push (a new ticket; for
    `authorized` the auth code the browser redirect carried too, as WeChat sends both; a new one otherwise)."""
    body = request.get_json(force=True)
    info_type = body["info_type"]
    with state().lock:
        if info_type == "component_verify_ticket":
            component_or_409()
            message = component_push(info_type, ComponentVerifyTicket=platform().new_ticket())
        else:
            message = authorization_push(info_type, authorizer_or_404(body["appid"]))
    return jsonify(answer(message))


@bp.post("/tokens/expire")
def expire_tokens():
    """Every component and authorizer token expires (42001 on next use)."""
    with state().lock:
        count = platform().expire_tokens()
    return jsonify(ok=True, expired=count)
