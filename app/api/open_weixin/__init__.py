"""/zhugeleida/open_weixin — WeChat's callbacks to the third-party platform (no signed credentials:
each message is verified with the component token / AES key)."""

from flask import Blueprint

from app.api.open_weixin import event, message

open_weixin_bp = Blueprint("open_weixin", __name__, url_prefix="/zhugeleida/open_weixin")

CHILDREN: list[Blueprint] = [event.bp, message.bp]
for child in CHILDREN:
    open_weixin_bp.register_blueprint(child)
