"""4.1–4.4 roles (role 1 only)."""

from flask import Blueprint

from app.auth import superadmin_only
from app.declare import Empty, Page, answers, takes
from app.responses import ok
from app.schemas.answers import RoleIdSchema, RoleRowSchema
from app.schemas.role import RoleSchema
from app.services import roles as service
from app.timefmt import fmt_datetime

bp = Blueprint("admin_role", __name__, url_prefix="/admin_role")


@bp.get("")
@superadmin_only
@answers(Page(RoleRowSchema))
def index():
    """4.1 角色 - 展示全部角色."""
    roles, rules = service.list_roles()
    tree = service.rule_tree(rules)
    ret_data = [
        {
            "role_id": role_id,
            "role_name": name,
            "rules_data": service.rules_data(held, tree),
            "create_date": fmt_datetime(create_date),
        }
        for role_id, name, create_date, held in roles
    ]
    return ok({"ret_data": ret_data, "data_count": len(roles)}, "查询成功")


@bp.post("/add/<int:o_id>")
@superadmin_only
@answers(RoleIdSchema)
@takes(RoleSchema)
def add(o_id, body):
    """4.2 角色 - 增加角色."""
    role = service.save_role(body)
    return ok({"role_id": role.id}, "增加成功")


@bp.post("/update/<int:o_id>")
@superadmin_only
@answers(Empty)
@takes(RoleSchema)
def update(o_id, body):
    """4.3 角色 - 修改角色."""
    service.save_role(body, service.get_role(o_id))
    return ok(msg="修改成功")


@bp.post("/delete/<int:o_id>")
@superadmin_only
@answers(Empty)
def delete(o_id):
    """4.4 角色 - 删除角色."""
    service.delete_role(o_id)
    return ok(msg="删除成功")
