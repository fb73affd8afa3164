"""1.0 login, 1.1 modify_password, 1.2 login_rules — at the root of /zhugeleida/admin."""

from flask import Blueprint

from app.auth import current_admin, public
from app.limits import login_limits
from app.responses import ok
from app.schemas.account import LoginResultSchema, LoginSchema, ModifyPasswordSchema
from app.schemas.base import load
from app.services import accounts

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
