"""POST /zhugeleida/open_weixin/message/<appid> — the platform's 消息与事件接收URL (configured as
…/message/$APPID$, docs/wechat.md): mini-program audit results (weapp_audit_success / fail / delay)."""

from flask import Blueprint, Response, request

from app.auth import public
from app.services import code_release, open_platform

bp = Blueprint("message", __name__, url_prefix="/message")


@bp.post("/<appid>")
@public
def receive(appid):
    """消息与事件接收: verify, decrypt, check freshness, record an audit result once (a poll may have recorded it
    already); an auto-release is a job. No WeChat call here: WeChat waits about 5 s for `success`."""
    message = open_platform.accept_account_push(request.get_data(cache=False), request.args)
    if message is not None:  # None: already received
        code_release.record_audit_push(appid, message)
    return Response("success", mimetype="text/plain")
