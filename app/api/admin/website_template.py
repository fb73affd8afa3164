"""/zhugeleida/admin/website_template — 6.3–6.5 global website templates (role 1 manages them)."""

from flask import Blueprint, request

from app.auth import superadmin_only
from app.responses import ok
from app.schemas.base import load
from app.schemas.website import TemplateOutSchema, TemplateQuerySchema, TemplateSchema
from app.services import website as service

bp = Blueprint("website_template", __name__, url_prefix="/website_template")


@bp.get("")
def index():
    """6.3 官网模板 - 展示所有模板."""
    items, total = service.list_templates(load(TemplateQuerySchema, request.args))
    return ok({"ret_data": TemplateOutSchema(many=True).dump(items), "data_count": total}, "查询成功")


@bp.post("/add/<int:o_id>")
@superadmin_only
def add(o_id):
    """6.4 官网模板 - 增加模板."""
    template = service.create_template(load(TemplateSchema))
    return ok({"id": template.id}, "保存成功")


@bp.post("/update/<int:o_id>")
@superadmin_only
def update(o_id):
    """6.5 官网模板 - 修改模板."""
    service.update_template(o_id, load(TemplateSchema))
    return ok(msg="修改成功")


@bp.post("/delete/<int:o_id>")
@superadmin_only
def delete(o_id):
    """6.5 官网模板 - 删除模板."""
    service.delete_template(o_id)
    return ok(msg="删除成功")
