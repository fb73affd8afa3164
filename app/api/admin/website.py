"""/zhugeleida/admin/website — 6.1–6.2 a company's website content, and the templates to apply (read-only)."""

from flask import Blueprint, request

from app.auth import current_admin, tenant_scope
from app.responses import ok
from app.schemas.base import load
from app.schemas.website import (
    TemplateOutSchema,
    TemplateQuerySchema,
    WebsiteEditSchema,
    WebsiteOutSchema,
    WebsiteQuerySchema,
)
from app.services import website as service

bp = Blueprint("website", __name__, url_prefix="/website")


@bp.get("")
def index():
    """6.1 官网 - 展示官网内容 (`company_id`, the caller's own by default)."""
    query = load(WebsiteQuerySchema, request.args)
    company = service.get_website(current_admin(), tenant_scope(), query["company_id"])
    return ok({"ret_data": [WebsiteOutSchema().dump(company)], "data_count": 1}, "查询成功")


@bp.post("/edit/<int:company_id>")
def edit(company_id):
    """6.2 官网 - 编辑并保存官网内容."""
    data = load(WebsiteEditSchema)
    service.save_website(current_admin(), tenant_scope(), company_id, data["website_content"])
    return ok(msg="保存成功")


@bp.get("/templates")
def templates():
    """官网模板（只读）: 6.3's templates for every role holding `website`, to copy one into 6.2 (套用模板)."""
    items, total = service.list_templates(load(TemplateQuerySchema, request.args))
    return ok({"ret_data": TemplateOutSchema(many=True).dump(items), "data_count": total}, "查询成功")
