"""3.1–3.4 access rules (role 1 only)."""

from flask import Blueprint, request

from app.auth import superadmin_only
from app.responses import ok
from app.schemas.access_rule import AccessRuleOutSchema, AccessRuleQuerySchema, AccessRuleSchema
from app.schemas.base import load
from app.services import access_rules as service

bp = Blueprint("access_rules", __name__, url_prefix="/access_rules")


@bp.get("")
@superadmin_only
def index():
    """3.1 权限 - 展示权限条目."""
    query = load(AccessRuleQuerySchema, request.args)
    rules = service.list_rules(query["parents_only"])
    return ok({"ret_data": AccessRuleOutSchema(many=True).dump(rules), "data_count": len(rules)}, "查询成功")


@bp.post("/add/<int:o_id>")
@superadmin_only
def add(o_id):
    """3.2 权限 - 增加权限条目."""
    rule = service.save_rule(load(AccessRuleSchema))
    return ok({"id": rule.id}, "增加成功")


@bp.post("/update/<int:o_id>")
@superadmin_only
def update(o_id):
    """3.3 权限 - 更新权限条目."""
    service.save_rule(load(AccessRuleSchema), service.get_rule(o_id))
    return ok(msg="修改成功")


@bp.post("/delete/<int:o_id>")
@superadmin_only
def delete(o_id):
    """3.4 权限 - 删除权限条目."""
    service.delete_rule(o_id)
    return ok(msg="删除成功")
