"""/zhugeleida/admin/open_weixin_gongzhonghao — endpoints arrive with the third-party-platform issue."""

from flask import Blueprint

bp = Blueprint("open_weixin_gongzhonghao", __name__, url_prefix="/open_weixin_gongzhonghao")
