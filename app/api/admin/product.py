"""/zhugeleida/admin/product — 2.1–2.5, 2.9 products and 2.7–2.8 feedback."""

from flask import Blueprint, request

from app.auth import current_admin, tenant_scope
from app.responses import ok
from app.schemas.base import load
from app.schemas.feedback import FeedbackOutSchema, FeedbackQuerySchema, FeedbackReplySchema, FeedbackStatusSchema
from app.schemas.product import (
    ProductAddSchema,
    ProductDetailSchema,
    ProductListItemSchema,
    ProductQuerySchema,
    ProductSingleQuerySchema,
    ProductStatusSchema,
    ProductUpdateSchema,
    RecommendIndexSchema,
    recommend_index_input,
    status_data,
    with_query,
)
from app.services import feedback as feedback_service
from app.services import products as service

bp = Blueprint("product", __name__, url_prefix="/product")


@bp.get("/product_list")
def product_list():
    """2.1 展示产品(公司产品+个人产品)."""
    items, total = service.list_products(tenant_scope(), load(ProductQuerySchema, request.args))
    return ok({"ret_data": ProductListItemSchema(many=True).dump(items), "data_count": total}, "查询成功")


@bp.get("/product_single")
def product_single():
    """2.2 查看单个产品(公司产品+个人产品)."""
    query = load(ProductSingleQuerySchema, request.args)
    product = service.get_product(tenant_scope(), query["product_id"], query["product_type"])
    item = ProductDetailSchema(viewer_id=current_admin().id).dump(product)
    return ok({"ret_data": [item], "data_count": 1}, "查询成功")


@bp.post("/add/<int:o_id>")
def add(o_id):
    """2.3 增加产品 (`product_type` in the query string or the form)."""
    product = service.create_product(
        current_admin(), tenant_scope(), load(ProductAddSchema, with_query("product_type"))
    )
    return ok({"id": product.id}, "添加成功")


@bp.post("/update/<int:o_id>")
def update(o_id):
    """2.4 修改公司和个人产品 (who may: as for delete)."""
    service.update_product(current_admin(), tenant_scope(), o_id, load(ProductUpdateSchema))
    return ok(msg="修改成功")


@bp.post("/delete/<int:o_id>")
def delete(o_id):
    """2.4 删除产品 (role 1 any, role 2 its company's, others only personal products they added)."""
    service.delete_product(current_admin(), tenant_scope(), o_id)
    return ok(msg="删除成功")


@bp.post("/change_status/<int:o_id>")
def change_status(o_id):
    """2.5 上架 | 下架产品 (who may: as for delete)."""
    product = service.set_product_status(current_admin(), tenant_scope(), o_id, load(ProductStatusSchema)["status"])
    return ok(status_data(product), "修改状态成功")


@bp.post("/recommend_index/<int:o_id>")
def recommend_index(o_id):
    """2.9 修改产品推荐指数 (`index`, or `recommend_index`, 0–10; who may: as for delete)."""
    index = load(RecommendIndexSchema, recommend_index_input())["index"]
    service.set_recommend_index(current_admin(), tenant_scope(), o_id, index)
    return ok(msg="修改成功")


@bp.get("/feedback_list")
def feedback_list():
    """2.7 展示意见反馈."""
    items, total = feedback_service.list_feedback(tenant_scope(), load(FeedbackQuerySchema, request.args))
    return ok({"ret_data": FeedbackOutSchema(many=True).dump(items), "data_count": total}, "查询成功")


@bp.post("/change_feedback_status/<int:o_id>")
def change_feedback_status(o_id):
    """2.8 修改意见反馈状态."""
    feedback_service.set_feedback_status(tenant_scope(), o_id, load(FeedbackStatusSchema)["status"])
    return ok(msg="修改状态成功")


@bp.post("/reply_feedback/<int:o_id>")
def reply_feedback(o_id):
    """回复意见反馈: `reply` (1–2000) is stored and the feedback marked handled (status 2)."""
    data = load(FeedbackReplySchema)
    feedback = feedback_service.reply_feedback(current_admin(), tenant_scope(), o_id, data["reply"])
    return ok(FeedbackOutSchema().dump(feedback), "回复成功")


@bp.post("/delete_feedback/<int:o_id>")
def delete_feedback(o_id):
    """删除意见反馈 (roles 1 and 2; role 3 → 403)."""
    feedback_service.delete_feedback(current_admin(), tenant_scope(), o_id)
    return ok(msg="删除成功")
