"""/zhugeleida/open_weixin — WeChat's callbacks to the third-party platform (no signed credentials:
each message is verified with the component token / AES key)."""

from flask import Blueprint

open_weixin_bp = Blueprint("open_weixin", __name__, url_prefix="/zhugeleida/open_weixin")

CHILDREN: list[Blueprint] = []
for child in CHILDREN:
    open_weixin_bp.register_blueprint(child)
