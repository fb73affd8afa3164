"""3.1–3.4 access rules (role 1 only)."""

from flask import Blueprint

from app.auth import superadmin_only
from app.declare import Empty, Page, answers, page, takes
from app.responses import ok
from app.schemas.access_rule import AccessRuleOutSchema, AccessRuleQuerySchema, AccessRuleSchema
from app.schemas.answers import IdSchema
from app.services import access_rules as service

bp = Blueprint("access_rules", __name__, url_prefix="/access_rules")


@bp.get("")
@superadmin_only
@answers(Page(AccessRuleOutSchema))
@takes(query=AccessRuleQuerySchema)
def index(query):
    """3.1 权限 - 展示权限条目."""
    rules = service.list_rules(query["parents_only"])
    return ok(page(rules, len(rules), AccessRuleOutSchema), "查询成功")


@bp.post("/add/<int:o_id>")
@superadmin_only
@answers(IdSchema)
@takes(AccessRuleSchema)
def add(o_id, body):
    """3.2 权限 - 增加权限条目."""
    rule = service.save_rule(body)
    return ok({"id": rule.id}, "增加成功")


@bp.post("/update/<int:o_id>")
@superadmin_only
@answers(Empty)
@takes(AccessRuleSchema)
def update(o_id, body):
    """3.3 权限 - 更新权限条目."""
    service.save_rule(body, service.get_rule(o_id))
    return ok(msg="修改成功")


@bp.post("/delete/<int:o_id>")
@superadmin_only
@answers(Empty)
def delete(o_id):
    """3.4 权限 - 删除权限条目."""
    service.delete_rule(o_id)
    return ok(msg="删除成功")
