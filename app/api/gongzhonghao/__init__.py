"""/zhugeleida/gongzhonghao — the customer's H5 pages (official account): signed by customers by default."""

from flask import Blueprint

from app.api.gongzhonghao import article, card, plugin_report, work_gongzhonghao_auth
from app.api.gongzhonghao.create_gongzhonghao_auth_url import bp as create_gongzhonghao_auth_url_bp  # 14.1
from app.auth import principal_guard

gongzhonghao_bp = Blueprint("gongzhonghao", __name__, url_prefix="/zhugeleida/gongzhonghao")
gongzhonghao_bp.before_request(principal_guard("customer"))

CHILDREN: list[Blueprint] = [
    create_gongzhonghao_auth_url_bp,
    article.bp,
    card.bp,
    plugin_report.bp,
    work_gongzhonghao_auth.bp,
]
for child in CHILDREN:
    gongzhonghao_bp.register_blueprint(child)
