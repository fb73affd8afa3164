"""/zhugeleida/admin/website — 6.1–6.2 a company's website content, and the templates to apply (read-only)."""

from flask import Blueprint

from app.auth import current_admin, tenant_scope
from app.declare import Empty, Page, answers, page, takes
from app.responses import ok
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
@answers(Page(WebsiteOutSchema))
@takes(query=WebsiteQuerySchema)
def index(query):
    """6.1 官网 - 展示官网内容 (`company_id`, the caller's own by default)."""
    company = service.get_website(current_admin(), tenant_scope(), query["company_id"])
    return ok(page([company], 1, WebsiteOutSchema), "查询成功")


@bp.post("/edit/<int:company_id>")
@answers(Empty)
@takes(WebsiteEditSchema)
def edit(company_id, body):
    """6.2 官网 - 编辑并保存官网内容."""
    service.save_website(current_admin(), tenant_scope(), company_id, body["website_content"])
    return ok(msg="保存成功")


@bp.get("/templates")
@answers(Page(TemplateOutSchema))
@takes(query=TemplateQuerySchema)
def templates(query):
    """官网模板（只读）: 6.3's templates for every role holding `website`, to copy one into 6.2 (套用模板)."""
    items, total = service.list_templates(query)
    return ok(page(items, total, TemplateOutSchema), "查询成功")
