"""Authentication (signed requests) for every principal kind, access-rule and tenant guards (docs/architecture.md)."""

import time
from functools import cache, wraps

from flask import current_app, g, request
from flask.sessions import SessionInterface
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.util import identity_key

from app import caller_cache, rule_cache
from app.access import required_rule
from app.extensions import db
from app.inputs import SAFE_METHODS
from app.models.admin import STATUS_ENABLED, AdminUser
from app.responses import ApiError, Code
from app.security import sign, signature_matches
from app.services import oplog
from app.signatures import first_use
from app.tenancy import Tenant


def _digits(text: str) -> bool:
    """ASCII digits only (str.isdigit() also accepts '²', which int() refuses), and few enough for a 64-bit
    integer."""
    return text.isascii() and text.isdigit() and len(text) <= 18


def signed_params() -> tuple[str, str, int]:
    """`rand_str`, `timestamp` (ms) and `user_id` of a signed request — a principal's or an invite's; refused
    (AUTH_FAILED) when one is missing or not digits."""
    rand_str, timestamp, user_id = (request.args.get(key, "") for key in ("rand_str", "timestamp", "user_id"))
    if not (rand_str and _digits(timestamp) and _digits(user_id)):
        raise ApiError.auth("缺少认证参数 rand_str、timestamp、user_id")
    return rand_str, timestamp, int(user_id)


def authenticate(model, kind: str):
    """The principal of `model` that signed this request with `rand_str`, `timestamp`, `user_id`.

    A write needs a signature never accepted before (`kind` keeps the principal kinds' ids apart)."""
    try:
        return _authenticate(model, kind)
    except ApiError as err:
        if kind == "admin" and request.method not in SAFE_METHODS and err.code == Code.AUTH_FAILED:
            _record_refused_write(model, err.msg)
        raise


def _record_refused_write(model, reason: str) -> None:
    """A write refused for its signature is a security event (app/services/oplog.py)."""
    user_id = request.args.get("user_id", "")
    user = db.session.get(model, int(user_id)) if _digits(user_id) else None
    oplog.record_refusal(oplog.SIGNATURE_REFUSED, admin=user, summary={"reason": reason, "path": request.path[:200]})


def check_skew(timestamp: str) -> None:
    """The signed timestamp (ms) is within AUTH_MAX_SKEW_SECONDS of the server's clock."""
    skew_ms = current_app.config["AUTH_MAX_SKEW_SECONDS"] * 1000
    if abs(time.time() * 1000 - int(timestamp)) > skew_ms:
        raise ApiError.auth("请求时间戳已过期，请校准本机时间后重试")


def check_principal(rand_str: str, timestamp: str, token: str | None, status: int | None) -> None:
    """The signature matches the principal's token (None: no such principal) and the principal is enabled."""
    if token is None or not signature_matches(rand_str, timestamp, token):
        raise ApiError.auth("认证失败，请重新登录")
    if status != STATUS_ENABLED:
        raise ApiError(Code.DISABLED, "账户未启用")


def _authenticate(model, kind: str):
    rand_str, timestamp, user_id = signed_params()
    check_skew(timestamp)
    user, first = caller_cache.lookup(user_id, kind, rand_str, timestamp) if model is AdminUser else (None, None)
    if user is None:
        user = _caller(model, user_id)
        check_principal(rand_str, timestamp, user.token if user else None, user.status if user else None)
    # Every accepted signature is remembered (a read's too: its URL may sit in a log); a write needs a new one.
    if first is None:
        first = first_use(kind, user.id, timestamp, rand_str)
    if not first and request.method not in SAFE_METHODS and not _reuse_allowed():
        raise ApiError.auth("该请求签名已使用过，请勿重复提交（每次写操作需要新的时间戳和签名）")
    return user


def _caller(model, user_id: int):
    """The caller by id, with its company (one statement): most views need it.

    A request's session starts empty: the statement is built once per principal kind and run as it is. A
    session that already holds the caller (a test's, or a second authentication in one request) answers
    through `session.get`, from what it holds."""
    if identity_key(model, user_id) in db.session.identity_map:
        return db.session.get(model, user_id, options=_caller_options(model))
    # Kept only when this statement opens the transaction: its snapshot is then newer than the versions.
    found = caller_cache.versions(user_id) if model is AdminUser and not db.session().in_transaction() else None
    user = db.session.execute(_caller_statement(model), {"user_id": user_id}).unique().scalar_one_or_none()
    if found is not None and user is not None:
        caller_cache.keep(user, found)
    return user


@cache
def _caller_options(model) -> tuple:
    company = getattr(model, "company", None)
    return (joinedload(company),) if company is not None else ()


@cache
def _caller_statement(model) -> Select:
    return select(model).where(model.id == bindparam("user_id")).options(*_caller_options(model))


def _reuse_allowed() -> bool:
    view = current_app.view_functions.get(request.endpoint)
    return bool(getattr(view, "signature_reusable", False))


def signature_reusable(view):
    """The view's writes may share one signature (the chunks and merge of one upload, which the
    contract names by the signed `timestamp`): they are idempotent and write nothing another call reads."""
    view.signature_reusable = True
    return view


def authenticate_admin() -> AdminUser:
    g.admin = authenticate(AdminUser, "admin")
    return g.admin


def current_admin() -> AdminUser:
    return g.admin


def principal_kind(kind: str):
    """Mark a view as called by another principal kind than its blueprint's default
    ("admin", "radar" or "customer")."""

    def mark(view):
        view.principal_kind = kind
        return view

    return mark


def principal_guard(default_kind: str):
    """A before_request for a blueprint whose views are signed by `default_kind` principals:
    it authenticates the caller and stores it on `g.<kind>` (`g.admin`, `g.radar_user`, `g.customer`)."""

    def guard() -> None:
        from app.models.radar import Customer, RadarUser

        models = {"admin": (AdminUser, "admin"), "radar": (RadarUser, "radar_user"), "customer": (Customer, "customer")}
        view = current_app.view_functions.get(request.endpoint)
        if view is None or getattr(view, "is_public", False) or getattr(view, "checks_own_signature", False):
            return
        kind = getattr(view, "principal_kind", default_kind)
        model, attr = models[kind]
        setattr(g, attr, authenticate(model, kind))

    return guard


def current_radar_user():
    return g.radar_user


def current_customer():
    return g.customer


def tenant_scope() -> Tenant:
    """The tenant the calling admin acts for (app/tenancy.py): its company, or any for role 1."""
    return Tenant(current_admin())


class NoCookieSession(SessionInterface):
    """Every request is signed (above); none carries a cookie session. Flask's default session interface would
    still build a signing serializer and read the cookie on every request: this one opens a null session (a
    write to `flask.session` raises) and saves nothing."""

    def open_session(self, app, request):
        return self.make_null_session(app)

    def save_session(self, app, session, response) -> None:
        return None


# --- view markers --------------------------------------------------------------------------


def public(view):
    """The view needs no credentials (login)."""
    view.is_public = True
    return view


def checks_own_signature(view):
    """The view authenticates its signed caller itself, off the database (the 16.5 heartbeat's cached check,
    app/services/hot_buffer.py); it is documented and signed like its blueprint's other views."""
    view.checks_own_signature = True
    return view


def reads_only(view):
    """A POST the contract uses for a read (1.7): the operation log does not record it as a write."""
    view.reads_only = True
    return view


def access_rule(url_path: str):
    """The access rule a view belongs to, when it is not its blueprint's name."""

    def mark(view):
        view.access_rule = url_path
        return view

    return mark


def superadmin_only(view):
    """Only role 1 (超级管理员) may call the view, whatever rules a role holds."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_admin().is_superadmin:
            raise ApiError.forbidden("仅超级管理员可进行此操作")
        return view(*args, **kwargs)

    wrapper.superadmin_only = True
    return wrapper


def role_rule_paths(admin: AdminUser) -> frozenset[str]:
    """The url_paths of the admin's role, from the process's cache (app/rule_cache.py)."""
    return frozenset(rule_cache.role_paths(admin.role_id))


def guard_admin_request() -> None:
    """before_request of /zhugeleida/admin: authenticate, then check the endpoint's rule."""
    view = current_app.view_functions.get(request.endpoint)
    if view is None or getattr(view, "is_public", False):
        return
    admin = authenticate_admin()
    if admin.is_superadmin:
        return
    if required_rule(request.endpoint, view) not in role_rule_paths(admin):
        raise ApiError.forbidden("当前角色没有此功能的权限")


# --- scan-to-join invites -------------------------------------------------------------------


def invite_params(admin: AdminUser, timestamp_ms: int | None = None) -> dict:
    """rand_str/timestamp/user_id of a scan-to-join invite: signed with the admin's invite secret, never its token."""
    timestamp = str(int(time.time() * 1000) if timestamp_ms is None else timestamp_ms)
    return {"rand_str": sign(timestamp, admin.invite_secret), "timestamp": timestamp, "user_id": admin.id}


def authenticate_invite() -> AdminUser:
    """The admin whose invite signed this request; refused once older than INVITE_TTL_DAYS (400)."""
    rand_str, timestamp, user_id = signed_params()
    age_ms = time.time() * 1000 - int(timestamp)
    skew_ms = current_app.config["AUTH_MAX_SKEW_SECONDS"] * 1000
    if not -skew_ms <= age_ms <= current_app.config["INVITE_TTL_DAYS"] * 86_400_000:
        raise ApiError.auth("二维码已过期，请联系管理员重新生成")
    admin = db.session.get(AdminUser, user_id)
    if admin is None or not signature_matches(rand_str, timestamp, admin.invite_secret):
        raise ApiError.auth("二维码无效，请联系管理员重新生成")
    if admin.status != STATUS_ENABLED:
        raise ApiError(Code.DISABLED, "邀请人的账户未启用")
    return admin
