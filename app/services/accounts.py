"""Admin sign-in and the caller's own account: 1.0, 1.1, 1.2, 5.8."""

from flask import g
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app import rule_cache
from app.extensions import db
from app.limits import login_name_key
from app.models.admin import STATUS_ENABLED, AdminUser
from app.responses import ApiError, Code
from app.security import hash_password, new_token, password_is_strong, verify_password
from app.services import oplog
from app.timefmt import utcnow

WEAK_PASSWORD_MSG = "密码复杂度检查未通过,请检查最小长度为八位,包含大小写字母和数字"  # noqa: S105 - a message, not a password


def login(username: str, password: str) -> AdminUser:
    """The admin user for these credentials; `previous_login_date` holds the login before this one."""
    user = db.session.scalars(
        select(AdminUser)
        .options(joinedload(AdminUser.company), joinedload(AdminUser.role))
        .where(func.lower(AdminUser.login_user) == login_name_key(username))
        .order_by(AdminUser.id)
        .limit(1)
    ).first()
    if not verify_password(user.password_hash if user else None, password):
        _failed_login(user, username, "账号或密码错误")
        raise ApiError(Code.BAD_LOGIN, "账号或密码错误")
    if user.status != STATUS_ENABLED:
        _failed_login(user, username, "账户未启用")
        raise ApiError(Code.DISABLED, "账户未启用")
    user.previous_login_date = user.last_login_date
    user.last_login_date = utcnow()
    db.session.flush()
    oplog.record_event(oplog.LOGIN, admin=user, target_type="admin_user", target_id=user.id)
    return user


def _failed_login(user: AdminUser | None, username: str, reason: str) -> None:
    summary = {"username": oplog.summarize({"username": username})["username"], "reason": reason}
    oplog.record_refusal(oplog.LOGIN_FAILED, admin=user, summary=summary)


def login_name_taken(name: str, exclude_id: int | None = None) -> bool:
    """Login names are unique whatever their case and surrounding spaces (`Admin` is `admin`)."""
    stmt = select(AdminUser.id).where(func.lower(AdminUser.login_user) == login_name_key(name))
    if exclude_id is not None:
        stmt = stmt.where(AdminUser.id != exclude_id)
    return db.session.scalar(stmt.limit(1)) is not None


def check_password_strength(password: str) -> None:
    if not password_is_strong(password):
        raise ApiError(Code.FORBIDDEN_SELF, WEAK_PASSWORD_MSG)


def revoke_credentials(user: AdminUser) -> None:
    """New token and invite secret: every signature made with the old token stops working, and so does every
    scan-to-join QR code the user handed out (docs/security.md)."""
    user.token = new_token()
    user.invite_secret = new_token()
    # a security event: every invite (scan-to-join QR code) the user handed out stops working
    oplog.record_event(
        oplog.CREDENTIALS_REVOKED, admin=g.get("admin") or user, target_type="admin_user", target_id=user.id
    )


def set_password(user: AdminUser, password: str, *, by_owner: bool) -> None:
    """Store a new password; the credentials rotate so every old signature and invite stops working."""
    check_password_strength(password)
    user.password_hash = hash_password(password)
    revoke_credentials(user)
    user.is_reset_password = by_owner
    db.session.flush()


def modify_password(user: AdminUser, password1: str, password2: str) -> str:
    if password1 != password2:
        raise ApiError.invalid("两次输入的密码不一致")
    set_password(user, password1, by_owner=True)
    return user.token


def logout(user: AdminUser) -> None:
    """Sign out: the token rotates, so every signature made with the old one (any tab, any device) stops working."""
    user.token = new_token()
    db.session.flush()


def login_rules(user: AdminUser) -> list[str]:
    """The url_paths of the caller's role (role 1 holds every rule)."""
    return list(rule_cache.role_paths(None if user.is_superadmin else user.role_id))


def switch_user(target_id: int) -> AdminUser:
    """5.8: the platform operator acts as another admin user."""
    user = db.session.get(AdminUser, target_id, options=[joinedload(AdminUser.company), joinedload(AdminUser.role)])
    if user is None:
        raise ApiError.not_found("用户")
    if user.status != STATUS_ENABLED:
        raise ApiError(Code.DISABLED, "账户未启用")
    return user
