"""8.1–8.4 插件 - 名片."""

from flask import Blueprint

from app.auth import current_admin, tenant_scope
from app.declare import Empty, Page, answers, page, takes
from app.responses import ok
from app.schemas.answers import IdSchema
from app.schemas.plugin import CardOutSchema, CardSchema, ListQuerySchema
from app.services import plugins as service

bp = Blueprint("plugin_mingpian", __name__, url_prefix="/plugin_mingpian")


@bp.get("")
@answers(Page(CardOutSchema))
@takes(query=ListQuerySchema)
def index(query):
    """8.1 插件管理 - 名片展示."""
    cards, total = service.list_cards(tenant_scope(), query)
    return ok(page(cards, total, CardOutSchema), "查询成功")


@bp.post("/add/<int:o_id>")
@answers(IdSchema)
@takes(CardSchema)
def add(o_id, body):
    """8.2 插件 - 添加插件名片."""
    card = service.create_card(current_admin(), body)
    return ok({"id": card.id}, "添加成功")


@bp.post("/update/<int:o_id>")
@answers(Empty)
@takes(CardSchema, partial=True)
def update(o_id, body):
    """8.3 插件 - 修改插件名片."""
    service.update_card(tenant_scope(), o_id, body)
    return ok(msg="修改成功")


@bp.post("/delete/<int:o_id>")
@answers(Empty)
def delete(o_id):
    """8.4 插件 - 删除插件名片."""
    service.delete_card(tenant_scope(), o_id)
    return ok(msg="删除成功")
