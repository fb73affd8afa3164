"""The H5 side of the sandbox's driver API (under /sandbox/h5/, not WeChat): test-driver users of official
accounts, OAuth codes issued without the browser page, WeChat Work OAuth codes, JS-SDK ticket expiry.
`h5_remote.H5Driver` calls it from Python (tests, demo scripts)."""

import time

from flask import Blueprint, abort, jsonify, request

from app.wechat.sandbox.common import state
from app.wechat.sandbox.h5_state import SCOPES, OAUser

bp = Blueprint("sandbox_h5_driver", __name__, url_prefix="/sandbox/h5")

USER_FIELDS = ("nickname", "sex", "province", "city", "country", "headimgurl", "unionid")
BROWSER_COOKIE = "wx_sandbox_user"  # who holds the phone on the sandbox's OAuth pages: an openid or a userid


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400)
    return body


@bp.post("/users")
def upsert_user():
    """{"appid", "openid", "nickname"?, "sex"?, "province"?, "city"?, "country"?, "headimgurl"?, "unionid"?}"""
    body = _body()
    key = (str(body["appid"]), str(body["openid"]))
    with state().lock:
        user = state().h5.users.get(key) or OAUser(*key)
        for name in USER_FIELDS:
            if name in body:
                setattr(user, name, body[name])
        state().h5.users[key] = user
    return jsonify(ok=True)


@bp.post("/oauth_codes")
def oauth_code():
    """{"appid", "openid", "scope"}: the code WeChat's redirect would carry after the user's (silent) consent."""
    body = _body()
    if body.get("scope") not in SCOPES:
        abort(400)
    with state().lock:
        if (body["appid"], body["openid"]) not in state().h5.users:
            abort(404)
        code = state().h5.new_code(body["appid"], body["openid"], body["scope"])
    return jsonify(code=code)


@bp.post("/work_codes")
def work_code():
    """{"corpid", "userid"} for a member (404 unless active), or {"corpid", "openid"} for an outsider."""
    body = _body()
    sandbox = state()
    with sandbox.lock:
        corp = sandbox.corps.get(body["corpid"])
        if corp is None:
            abort(404)
        userid = body.get("userid")
        if userid is not None and (userid not in corp.members or corp.members[userid].get("status") != 1):
            abort(404)
        code = sandbox.h5.new_work_code(corp.corpid, userid, None if userid else str(body.get("openid") or "o_x"))
    return jsonify(code=code)


@bp.post("/tickets/expire")
def expire_tickets():
    with state().lock:
        tickets = state().h5.tickets
        for ticket, (appid, _expires_at) in list(tickets.items()):
            tickets[ticket] = (appid, time.time() - 1)
    return jsonify(ok=True)
