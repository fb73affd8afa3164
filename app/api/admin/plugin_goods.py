"""8.10–8.13 插件 - 商品."""

from flask import Blueprint

from app.auth import current_admin, tenant_scope
from app.declare import Empty, Page, answers, page, takes
from app.responses import ok
from app.schemas.answers import IdSchema
from app.schemas.plugin import GoodsOutSchema, GoodsSchema, ListQuerySchema
from app.services import plugins as service

bp = Blueprint("plugin_goods", __name__, url_prefix="/plugin_goods")


@bp.get("")
@bp.get("/plugin_goods_list")
@answers(Page(GoodsOutSchema))
@takes(query=ListQuerySchema)
def index(query):
    """8.10 插件 - 商品展示 (also served at /plugin_goods_list, as the console sends it)."""
    goods, total = service.list_goods(tenant_scope(), query)
    return ok(page(goods, total, GoodsOutSchema), "查询成功")


@bp.post("/add/<int:o_id>")
@answers(IdSchema)
@takes(GoodsSchema)
def add(o_id, body):
    """8.11 插件 - 添加商品."""
    goods = service.create_goods(current_admin(), body)
    return ok({"id": goods.id}, "添加成功")


@bp.post("/update/<int:o_id>")
@answers(Empty)
@takes(GoodsSchema, partial=True)
def update(o_id, body):
    """8.12 插件 - 修改商品详情."""
    service.update_goods(tenant_scope(), o_id, body)
    return ok(msg="修改成功")


@bp.post("/delete/<int:o_id>")
@answers(Empty)
def delete(o_id):
    """8.13 插件 - 删除商品."""
    service.delete_goods(tenant_scope(), o_id)
    return ok(msg="删除成功")
