"""1.0 login, 1.1 modify_password, 1.2 login_rules, logout and role_list — at the root of /zhugeleida/admin."""

from flask import Blueprint

from app.auth import current_admin, public
from app.limits import login_limits
from app.responses import ok
from app.schemas.account import LoginResultSchema, LoginSchema, ModifyPasswordSchema
from app.schemas.base import load
from app.schemas.role import RoleOptionSchema
from app.services import accounts, roles

bp = Blueprint("account", __name__)


@bp.post("/login")
@public
@login_limits
def login():
    """1.0 后台 - login登录."""
    data = load(LoginSchema)
    user = accounts.login(data["username"], data["password"])
    return ok(LoginResultSchema().dump(user), "登录成功")


@bp.post("/modify_password")
def modify_password():
    """1.1 后台管理 - 重置密码."""
    data = load(ModifyPasswordSchema)
    token = accounts.modify_password(current_admin(), data["password1"], data["password2"])
    return ok({"token": token, "user_id": current_admin().id}, "修改密码成功")


@bp.get("/login_rules")
def login_rules():
    """1.2 登录权限展示."""
    return ok({"rules_list": accounts.login_rules(current_admin())})


@bp.post("/logout")
def logout():
    """退出登录: the caller's token rotates; a new login is needed (docs/contract_extensions.md)."""
    accounts.logout(current_admin())
    return ok(msg="已退出登录")


@bp.get("/role_list")
def role_list():
    """可分配的角色: the roles the caller may give an admin user in 5.2/5.3 (role 1: all; others: all but 1)."""
    items = roles.assignable_roles(current_admin())
    return ok({"ret_data": RoleOptionSchema(many=True).dump(items), "data_count": len(items)}, "查询成功")
