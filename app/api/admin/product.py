"""/zhugeleida/admin/product — 2.1–2.5, 2.9 products and 2.7–2.8 feedback."""

from flask import Blueprint

from app.auth import current_admin, tenant_scope
from app.declare import Empty, Page, answers, page, takes
from app.responses import ok
from app.schemas.answers import IdSchema, ProductStatusAnswerSchema
from app.schemas.feedback import FeedbackOutSchema, FeedbackQuerySchema, FeedbackReplySchema, FeedbackStatusSchema
from app.schemas.product import (
    ProductAddSchema,
    ProductDetailSchema,
    ProductListItemSchema,
    ProductQuerySchema,
    ProductSingleQuerySchema,
    ProductStatusSchema,
    ProductTypeQuerySchema,
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
@answers(Page(ProductListItemSchema))
@takes(query=ProductQuerySchema)
def product_list(query):
    """2.1 展示产品(公司产品+个人产品)."""
    items, total = service.list_products(tenant_scope(), query)
    return ok(page(items, total, ProductListItemSchema), "查询成功")


@bp.get("/product_single")
@answers(Page(ProductDetailSchema))
@takes(query=ProductSingleQuerySchema)
def product_single(query):
    """2.2 查看单个产品(公司产品+个人产品)."""
    product = service.get_product(tenant_scope(), query["product_id"], query["product_type"])
    return ok(page([product], 1, ProductDetailSchema(viewer_id=current_admin().id)), "查询成功")


@bp.post("/add/<int:o_id>")
@answers(IdSchema)
@takes(ProductAddSchema, source=lambda: with_query("product_type"), also_query=ProductTypeQuerySchema)
def add(o_id, body):
    """2.3 增加产品 (`product_type` in the query string or the form)."""
    product = service.create_product(current_admin(), tenant_scope(), body)
    return ok({"id": product.id}, "添加成功")


@bp.post("/update/<int:o_id>")
@answers(Empty)
@takes(ProductUpdateSchema)
def update(o_id, body):
    """2.4 修改公司和个人产品 (who may: as for delete)."""
    service.update_product(current_admin(), tenant_scope(), o_id, body)
    return ok(msg="修改成功")


@bp.post("/delete/<int:o_id>")
@answers(Empty)
def delete(o_id):
    """2.4 删除产品 (role 1 any, role 2 its company's, others only personal products they added)."""
    service.delete_product(current_admin(), tenant_scope(), o_id)
    return ok(msg="删除成功")


@bp.post("/change_status/<int:o_id>")
@answers(ProductStatusAnswerSchema)
@takes(ProductStatusSchema)
def change_status(o_id, body):
    """2.5 上架 | 下架产品 (who may: as for delete)."""
    product = service.set_product_status(current_admin(), tenant_scope(), o_id, body["status"])
    return ok(status_data(product), "修改状态成功")


@bp.post("/recommend_index/<int:o_id>")
@answers(Empty)
@takes(RecommendIndexSchema, source=recommend_index_input)
def recommend_index(o_id, body):
    """2.9 修改产品推荐指数 (`index`, or `recommend_index`, 0–10; who may: as for delete)."""
    service.set_recommend_index(current_admin(), tenant_scope(), o_id, body["index"])
    return ok(msg="修改成功")


@bp.get("/feedback_list")
@answers(Page(FeedbackOutSchema))
@takes(query=FeedbackQuerySchema)
def feedback_list(query):
    """2.7 展示意见反馈."""
    items, total = feedback_service.list_feedback(tenant_scope(), query)
    return ok(page(items, total, FeedbackOutSchema), "查询成功")


@bp.post("/change_feedback_status/<int:o_id>")
@answers(Empty)
@takes(FeedbackStatusSchema)
def change_feedback_status(o_id, body):
    """2.8 修改意见反馈状态."""
    feedback_service.set_feedback_status(tenant_scope(), o_id, body["status"])
    return ok(msg="修改状态成功")


@bp.post("/reply_feedback/<int:o_id>")
@answers(FeedbackOutSchema)
@takes(FeedbackReplySchema)
def reply_feedback(o_id, body):
    """回复意见反馈: `reply` (1–2000) is stored and the feedback marked handled (status 2)."""
    feedback = feedback_service.reply_feedback(current_admin(), tenant_scope(), o_id, body["reply"])
    return ok(FeedbackOutSchema().dump(feedback), "回复成功")


@bp.post("/delete_feedback/<int:o_id>")
@answers(Empty)
def delete_feedback(o_id):
    """删除意见反馈 (roles 1 and 2; role 3 → 403)."""
    feedback_service.delete_feedback(current_admin(), tenant_scope(), o_id)
    return ok(msg="删除成功")
