"""/zhugeleida/qiyeweixin — the radar user's side (WeChat Work): signed by radar users by default."""

from flask import Blueprint

from app.api.qiyeweixin import article, work_weixin_auth
from app.auth import principal_guard

qiyeweixin_bp = Blueprint("qiyeweixin", __name__, url_prefix="/zhugeleida/qiyeweixin")
qiyeweixin_bp.before_request(principal_guard("radar"))

CHILDREN: list[Blueprint] = [
    article.bp,
    work_weixin_auth.bp,
]
for child in CHILDREN:
    qiyeweixin_bp.register_blueprint(child)
