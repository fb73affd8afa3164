"""/zhugeleida/admin/open_weixin — endpoints arrive with the third-party-platform issue."""

from flask import Blueprint

bp = Blueprint("open_weixin", __name__, url_prefix="/open_weixin")
