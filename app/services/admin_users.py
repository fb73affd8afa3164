"""5.1–5.5 admin users, confined to the caller's company unless the caller is role 1."""

from functools import cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload, load_only

from app.extensions import db
from app.models.admin import ROLE_SUPERADMIN, STATUS_DISABLED, AdminUser, Role
from app.models.company import Company
from app.pagination import Paged, order_by, paged, paginate
from app.responses import ApiError, Code
from app.security import hash_password, new_token
from app.services.accounts import check_password_strength, login_name_taken, revoke_credentials, set_password
from app.services.db import unique_or_300
from app.tenancy import Tenant

DUPLICATE_MSG = "登录用户名已存在"
ORDER_COLUMNS = {"create_date": AdminUser.create_date, "id": AdminUser.id, "login_user": AdminUser.login_user}
# What 5.1 shows of each user (app/schemas/admin_user.py AdminUserOutSchema): the list reads these columns only,
# with the name of its company and of its role.
_LISTED = load_only(
    AdminUser.login_user,
    AdminUser.avatar,
    AdminUser.username,
    AdminUser.position,
    AdminUser.company_id,
    AdminUser.role_id,
    AdminUser.status,
    AdminUser.is_reset_password,
    AdminUser.create_date,
    AdminUser.last_login_date,
)


def list_admin_users(tenant: Tenant, query: dict) -> tuple[list[AdminUser], int]:
    company_id = tenant.list_company(query["company_id"])
    listed = _listed(company_id is not None, query["order"])
    return paginate(listed, query["current_page"], query["length"], {"company_id": company_id})


@cache
def _listed(confined: bool, order: str | None) -> Paged:
    """5.1's statement, once per shape (a company's users or everyone's; the order asked for)."""
    stmt = select(AdminUser).options(
        _LISTED, joinedload(AdminUser.company).load_only(Company.name), joinedload(AdminUser.role).load_only(Role.name)
    )
    if confined:
        stmt = stmt.where(AdminUser.company_id == bindparam("company_id"))
    return paged(order_by(stmt, order, ORDER_COLUMNS).order_by(AdminUser.id.desc()))


def _get_manageable(actor: AdminUser, user_id: int, tenant: Tenant) -> AdminUser:
    """A user the actor may change: in scope, and never a role-1 account unless the actor is role 1."""
    user = tenant.get(AdminUser, user_id, "用户")
    if user.role_id == ROLE_SUPERADMIN and not actor.is_superadmin:
        raise ApiError.forbidden("不能修改超级管理员账号")
    return user


def _check_role_and_company(actor: AdminUser, data: dict, tenant: Tenant) -> None:
    if db.session.get(Role, data["role_id"]) is None:
        raise ApiError.not_found("角色")
    if data["role_id"] == ROLE_SUPERADMIN and not actor.is_superadmin:
        raise ApiError.forbidden("只有超级管理员可以设置超级管理员角色")
    tenant.resolve(data["company_id"])


def create_admin_user(actor: AdminUser, tenant: Tenant, data: dict) -> AdminUser:
    # Strength first: a weak password must not reveal whether a login name exists (in any company).
    check_password_strength(data["password"])
    _check_role_and_company(actor, data, tenant)
    if login_name_taken(data["login_user"]):
        raise ApiError.duplicate(DUPLICATE_MSG)
    user = AdminUser(
        login_user=data["login_user"],
        password_hash=hash_password(data["password"]),
        role_id=data["role_id"],
        company_id=data["company_id"],
        username=data["username"],
        position=data["position"],
        token=new_token(),
        invite_secret=new_token(),
    )
    with unique_or_300(DUPLICATE_MSG):
        db.session.add(user)
    return user


def update_admin_user(actor: AdminUser, tenant: Tenant, user_id: int, data: dict) -> AdminUser:
    user = _get_manageable(actor, user_id, tenant)
    if data["password"]:
        check_password_strength(data["password"])
    _check_role_and_company(actor, data, tenant)
    if login_name_taken(data["login_user"], exclude_id=user.id):
        raise ApiError.duplicate(DUPLICATE_MSG)
    if data["password"]:
        set_password(user, data["password"], by_owner=user.id == actor.id)
    with unique_or_300(DUPLICATE_MSG):
        user.login_user, user.role_id, user.company_id = data["login_user"], data["role_id"], data["company_id"]
        user.username, user.position = data["username"], data["position"]
    return user


def _refuse_self(actor: AdminUser, user: AdminUser, action: str) -> None:
    if user.id == actor.id:
        raise ApiError(Code.FORBIDDEN_SELF, f"不允许{action}自己")


def delete_admin_user(actor: AdminUser, tenant: Tenant, user_id: int) -> None:
    user = _get_manageable(actor, user_id, tenant)
    _refuse_self(actor, user, "删除")
    db.session.delete(user)
    db.session.flush()


def set_admin_user_status(actor: AdminUser, tenant: Tenant, user_id: int, status: int) -> AdminUser:
    user = _get_manageable(actor, user_id, tenant)
    _refuse_self(actor, user, "停用或启用")
    if status == STATUS_DISABLED and user.status != STATUS_DISABLED:
        revoke_credentials(user)  # every signature and invite made with the old secrets stops working
    user.status = status
    db.session.flush()
    return user
