"""1.0 login, 1.1 modify_password, 1.2 login_rules, logout and role_list — at the root of /zhugeleida/admin."""

from flask import Blueprint

from app.auth import current_admin, public
from app.declare import Empty, Page, answers, page, takes
from app.limits import login_limits
from app.responses import ok
from app.schemas.account import LoginResultSchema, LoginSchema, ModifyPasswordSchema
from app.schemas.answers import LoginRulesSchema, PasswordChangedSchema
from app.schemas.role import RoleOptionSchema
from app.services import accounts, roles

bp = Blueprint("account", __name__)


@bp.post("/login")
@public
@login_limits
@answers(LoginResultSchema)
@takes(LoginSchema)
def login(body):
    """1.0 后台 - login登录."""
    user = accounts.login(body["username"], body["password"])
    return ok(LoginResultSchema().dump(user), "登录成功")


@bp.post("/modify_password")
@answers(PasswordChangedSchema)
@takes(ModifyPasswordSchema)
def modify_password(body):
    """1.1 后台管理 - 重置密码."""
    token = accounts.modify_password(current_admin(), body["password1"], body["password2"])
    return ok({"token": token, "user_id": current_admin().id}, "修改密码成功")


@bp.get("/login_rules")
@answers(LoginRulesSchema)
def login_rules():
    """1.2 登录权限展示."""
    return ok({"rules_list": accounts.login_rules(current_admin())})


@bp.post("/logout")
@answers(Empty)
def logout():
    """退出登录: the caller's token rotates; a new login is needed (docs/contract_extensions.md)."""
    accounts.logout(current_admin())
    return ok(msg="已退出登录")


@bp.get("/role_list")
@answers(Page(RoleOptionSchema))
def role_list():
    """可分配的角色: the roles the caller may give an admin user in 5.2/5.3 (role 1: all; others: all but 1)."""
    items = roles.assignable_roles(current_admin())
    return ok(page(items, len(items), RoleOptionSchema), "查询成功")
