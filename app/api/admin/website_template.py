"""/zhugeleida/admin/website_template — 6.3–6.5 global website templates (role 1 manages them)."""

from flask import Blueprint

from app.auth import superadmin_only
from app.declare import Empty, Page, answers, page, takes
from app.responses import ok
from app.schemas.answers import IdSchema
from app.schemas.website import TemplateOutSchema, TemplateQuerySchema, TemplateSchema
from app.services import website as service

bp = Blueprint("website_template", __name__, url_prefix="/website_template")


@bp.get("")
@answers(Page(TemplateOutSchema))
@takes(query=TemplateQuerySchema)
def index(query):
    """6.3 官网模板 - 展示所有模板."""
    items, total = service.list_templates(query)
    return ok(page(items, total, TemplateOutSchema), "查询成功")


@bp.post("/add/<int:o_id>")
@superadmin_only
@answers(IdSchema)
@takes(TemplateSchema)
def add(o_id, body):
    """6.4 官网模板 - 增加模板."""
    template = service.create_template(body)
    return ok({"id": template.id}, "保存成功")


@bp.post("/update/<int:o_id>")
@superadmin_only
@answers(Empty)
@takes(TemplateSchema)
def update(o_id, body):
    """6.5 官网模板 - 修改模板."""
    service.update_template(o_id, body)
    return ok(msg="修改成功")


@bp.post("/delete/<int:o_id>")
@superadmin_only
@answers(Empty)
def delete(o_id):
    """6.5 官网模板 - 删除模板."""
    service.delete_template(o_id)
    return ok(msg="删除成功")
