"""8.1–8.4 插件 - 名片."""

from flask import Blueprint, request

from app.auth import current_admin, tenant_scope
from app.responses import ok
from app.schemas.base import load
from app.schemas.plugin import CardOutSchema, CardSchema, ListQuerySchema
from app.services import plugins as service

bp = Blueprint("plugin_mingpian", __name__, url_prefix="/plugin_mingpian")


@bp.get("")
def index():
    """8.1 插件管理 - 名片展示."""
    cards, total = service.list_cards(tenant_scope(), load(ListQuerySchema, request.args))
    return ok({"ret_data": CardOutSchema(many=True).dump(cards), "data_count": total}, "查询成功")


@bp.post("/add/<int:o_id>")
def add(o_id):
    """8.2 插件 - 添加插件名片."""
    card = service.create_card(current_admin(), load(CardSchema))
    return ok({"id": card.id}, "添加成功")


@bp.post("/update/<int:o_id>")
def update(o_id):
    """8.3 插件 - 修改插件名片."""
    service.update_card(tenant_scope(), o_id, load(CardSchema, partial=True))
    return ok(msg="修改成功")


@bp.post("/delete/<int:o_id>")
def delete(o_id):
    """8.4 插件 - 删除插件名片."""
    service.delete_card(tenant_scope(), o_id)
    return ok(msg="删除成功")
