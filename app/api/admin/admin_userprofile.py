"""5.1–5.5 and 5.8 admin users."""

from flask import Blueprint

from app.auth import current_admin, superadmin_only, tenant_scope
from app.declare import Empty, Page, answers, page, takes
from app.responses import ok
from app.schemas.account import SessionSchema
from app.schemas.admin_user import (
    AdminUserOutSchema,
    AdminUserQuerySchema,
    AdminUserSchema,
    AdminUserUpdateSchema,
    StatusSchema,
)
from app.schemas.answers import IdSchema
from app.services import accounts
from app.services import admin_users as service

bp = Blueprint("admin_userprofile", __name__, url_prefix="/admin_userprofile")


@bp.get("")
@answers(Page(AdminUserOutSchema))
@takes(query=AdminUserQuerySchema)
def index(query):
    """5.1 用户 - 展示全部用户."""
    users, total = service.list_admin_users(tenant_scope(), query)
    return ok(page(users, total, AdminUserOutSchema), "查询成功")


@bp.post("/add/<int:o_id>")
@answers(IdSchema)
@takes(AdminUserSchema)
def add(o_id, body):
    """5.2 用户 - 增加用户."""
    user = service.create_admin_user(current_admin(), tenant_scope(), body)
    return ok({"id": user.id}, "增加成功")


@bp.post("/update/<int:o_id>")
@answers(Empty)
@takes(AdminUserUpdateSchema)
def update(o_id, body):
    """5.3 用户 - 修改用户."""
    service.update_admin_user(current_admin(), tenant_scope(), o_id, body)
    return ok(msg="修改成功")


@bp.post("/delete/<int:o_id>")
@answers(Empty)
def delete(o_id):
    """5.4 用户 - 删除用户."""
    service.delete_admin_user(current_admin(), tenant_scope(), o_id)
    return ok(msg="删除成功")


@bp.post("/update_status/<int:o_id>")
@answers(Empty)
@takes(StatusSchema)
def update_status(o_id, body):
    """5.5 用户 - 用户状态启用和未启用."""
    service.set_admin_user_status(current_admin(), tenant_scope(), o_id, body["status"])
    return ok(msg="修改成功")


@bp.post("/switch_admin_user/<int:o_id>")
@superadmin_only
@answers(SessionSchema)
def switch_admin_user(o_id):
    """5.8 用户 - 手动切换用户."""
    return ok(SessionSchema().dump(accounts.switch_user(o_id)), "获取成功")
