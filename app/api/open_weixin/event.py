"""POST /zhugeleida/open_weixin/event — WeChat's 授权事件接收URL (docs/wechat.md): the verify ticket
every 10 minutes, and authorized / updateauthorized / unauthorized events. Answered with the plain `success`."""

from flask import Blueprint, Response, request

from app.auth import public
from app.services import open_platform

bp = Blueprint("event", __name__, url_prefix="/event")


@bp.post("")
@public
def receive():
    """授权事件接收: verify and decrypt (component token / AES key), store the ticket, record the event."""
    open_platform.handle_component_push(request.get_data(cache=False), request.args)
    return Response("success", mimetype="text/plain")
