"""Authorising a company's mini-program (11.x) and official account (13.x) to the platform, the component's
authorization-event pushes, and the authorizer clients other areas call WeChat with.

For the H5 side: `official_account_client(company_id)`, `official_account_token(company_id)` and
`oauth_client(company_id)` — each answers 303 when the company's official account is not authorised.
"""

import logging
import time
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from app.extensions import db
from app.jobs import enqueue
from app.jobs.registry import OPEN_PLATFORM_AUTHORIZED
from app.models.admin import AdminUser
from app.models.jobs import Job
from app.models.open_platform import MiniProgramApp, OfficialAccountApp
from app.responses import ApiError
from app.schemas.open_platform import authorizer_details, version_details
from app.services.code_release import version_summary
from app.timefmt import utcnow
from app.wechat.component import (
    AUTH_TYPE_MINI_PROGRAM,
    AUTH_TYPE_OFFICIAL,
    AuthorizerClient,
    ComponentClient,
    OAuthClient,
    authorizer_token_key,
    component_event,
    grant_url,
)
from app.wechat.errors import BAD_ANSWER_MSG, SYSTEM_BUSY, WeChatError
from app.wechat.tokens import token_store

log = logging.getLogger(__name__)

CALLBACK_PATH = "/zhugeleida/admin/open_weixin/auth_code"
GRANT_SALT = "open-platform-grant"
SERVICE_TYPES = {0: "订阅号", 1: "订阅号", 2: "服务号"}
VERIFIED_TYPES = {0, 3, 4, 5}  # WeChat-verified, or qualification-verified (docs/wechat.md)
CODE_SPENT = frozenset({61009, 61010})  # auth code already exchanged / expired
RESET_ON_NEW_APPID = ("name", "head_img", "principal_name", "verify_type_info", "service_category", "qrcode_url")


@dataclass(frozen=True)
class Kind:
    key: str
    model: type
    auth_type: int
    label: str


XCX = Kind("xcx", MiniProgramApp, AUTH_TYPE_MINI_PROGRAM, "小程序")
GZH = Kind("gzh", OfficialAccountApp, AUTH_TYPE_OFFICIAL, "公众号")
KINDS = {kind.key: kind for kind in (XCX, GZH)}


def app_of(kind: Kind, company_id: int):
    return db.session.scalar(select(kind.model).where(kind.model.company_id == company_id))


def is_authorized(app) -> bool:
    return bool(app is not None and app.authorized and app.refresh_token)


def authorized_app(kind: Kind, company_id: int):
    app = app_of(kind, company_id)
    if not is_authorized(app):
        raise ApiError.invalid(f"公司尚未授权{kind.label}，请先完成{kind.label}授权")
    return app


# --- the step machine (11.1 / 13.1) -------------------------------------------------------------------


def claimed_appid(app) -> str | None:
    """The appid the company is authorising: its pending claim, else the account bound to it."""
    return (app.pending_appid or app.authorizer_appid) if app is not None else None


def step_of(kind: Kind, app) -> int | str:
    """1 no appid, 2 not authorised (or a new appid claimed), 3 (mini-program) details missing, '' done."""
    if not claimed_appid(app):
        return 1
    if app.pending_appid:
        return 2
    if not is_authorized(app):
        return 2
    if kind is XCX and not all((app.name, app.head_img, app.introduce, app.service_category)):
        return 3
    return ""


def set_appid(kind: Kind, company_id: int, appid: str):
    """11.2/13.2: the account the caller's company is about to authorise, recorded as a pending claim.

    A claim binds nothing and blocks nobody: any company may claim any appid, and only a completed grant
    (the account's admin confirming on WeChat's page, see complete_grant and _on_authorized) binds the account
    to a company. Claiming another appid than the bound one starts the company's authorization over."""
    app = app_of(kind, company_id)
    if app is None:
        app = kind.model(company_id=company_id)
        if kind is XCX:
            app.auto_release = current_app.config["XCX_AUTO_RELEASE_DEFAULT"]
        db.session.add(app)
    if app.authorizer_appid == appid:
        app.pending_appid = None
    else:
        if app.authorizer_appid:
            _unbind(app)
        app.pending_appid = appid
    db.session.flush()
    return app


def _unbind(app) -> None:
    """The account is no longer the company's: its authorization, token and details are dropped."""
    token_store().delete(authorizer_token_key(app.authorizer_appid))
    app.authorized, app.refresh_token, app.func_info, app.original_id = False, None, None, None
    for field in RESET_ON_NEW_APPID:
        setattr(app, field, None)
    app.authorizer_appid = None


def _bind(kind: Kind, app, appid: str) -> None:
    """A completed grant: the account becomes this company's. The account's admin chose this company, so a
    binding another company held is released (its authorization was the same account's)."""
    if app.authorizer_appid == appid:
        app.pending_appid = None
        return
    other = db.session.scalar(select(kind.model).where(kind.model.authorizer_appid == appid))
    if other is not None and other.id != app.id:
        log.warning("account moved to another company by its own grant", extra={"from_company": other.company_id})
        _unbind(other)
        db.session.flush()  # the unique appid is free before this company takes it
    if app.authorizer_appid:
        _unbind(app)
    app.authorizer_appid, app.pending_appid = appid, None
    db.session.flush()


# --- the grant URL and its callback (11.4 / 13.3, the auth_code redirect) -----------------------------


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=GRANT_SALT)


def create_grant_url(kind: Kind, company_id: int, admin: AdminUser) -> str:
    """A fresh pre-auth code (never shared: one per URL), the company's appid as biz_appid, and our callback
    carrying the company, kind and admin, signed and expiring (OPEN_PLATFORM_GRANT_TTL)."""
    app = app_of(kind, company_id)
    if not claimed_appid(app):
        raise ApiError.invalid(f"请先填写{kind.label} appid")
    grant = _signer().dumps({"c": company_id, "k": kind.key, "a": admin.id})
    base = current_app.config["OPEN_PLATFORM_CALLBACK_BASE_URL"].rstrip("/")
    redirect_uri = f"{base}{CALLBACK_PATH}?grant={grant}"
    return grant_url(ComponentClient(), redirect_uri, kind.auth_type, biz_appid=claimed_appid(app))


def complete_grant(grant: str, auth_code: str):
    """The browser came back from WeChat's page: exchange the code and record the account."""
    try:
        payload = _signer().loads(grant, max_age=current_app.config["OPEN_PLATFORM_GRANT_TTL"])
        kind, company_id, admin_id = KINDS[payload["k"]], int(payload["c"]), payload.get("a")
    except (BadSignature, KeyError, TypeError, ValueError):
        raise ApiError.invalid("授权链接无效或已过期，请重新生成") from None
    app = app_of(kind, company_id)
    if not claimed_appid(app):
        raise ApiError.invalid(f"请先填写{kind.label} appid")
    component = ComponentClient()
    info = component.query_auth(auth_code)
    if info["authorizer_appid"] != claimed_appid(app):
        raise ApiError.invalid(f"授权的帐号（{info['authorizer_appid']}）与填写的{kind.label} appid 不一致")
    _bind(kind, app, info["authorizer_appid"])
    record_authorization(kind, app, info, component)
    if admin_id and db.session.get(AdminUser, admin_id) is not None:
        app.authorizer_admin_id = admin_id
    return app


def record_authorization(kind: Kind, app, info: dict, component: ComponentClient) -> None:
    """Store the refresh token (encrypted) and the granted permission sets, then the account's details."""
    app.refresh_token = info["authorizer_refresh_token"]
    app.func_info = _func_ids(info.get("func_info"))
    app.authorized, app.authorized_at, app.unauthorized_at = True, utcnow(), None
    refresh_details(kind, app, component)


def _func_ids(func_info) -> list[int]:
    try:
        return sorted({int(item["funcscope_category"]["id"]) for item in func_info or []})
    except (KeyError, TypeError, ValueError):
        return []


def refresh_details(kind: Kind, app, component: ComponentClient | None = None) -> None:
    """api_get_authorizer_info → name, head_img, principal_name, verify_type_info, service_category, qrcode_url…
    A mini-program is the account with MiniProgramInfo (docs/wechat.md): the other kind is refused."""
    component = component or ComponentClient()
    try:
        data = component.get_authorizer_info(app.authorizer_appid)
        info = data["authorizer_info"]
        mini_program = isinstance(info.get("MiniProgramInfo"), dict)
        _apply_details(app, info)
    except (KeyError, TypeError, AttributeError, ValueError):
        raise WeChatError(SYSTEM_BUSY, BAD_ANSWER_MSG, network=True) from None
    if mini_program != (kind is XCX):
        raise ApiError.invalid(f"授权的帐号不是{kind.label}，请用{kind.label}授权")
    if kind is XCX:
        categories = info["MiniProgramInfo"].get("categories") or []
        app.service_category = ",".join(f"{c.get('first', '')}\\{c.get('second', '')}" for c in categories) or None
        app.introduce = info.get("signature") or app.introduce
    else:
        app.service_type_info = int((info.get("service_type_info") or {}).get("id", 0))
        app.service_category = SERVICE_TYPES.get(app.service_type_info)
        app.alias = info.get("alias") or None
    app.info_time = utcnow()


def _apply_details(app, info: dict) -> None:
    app.name = str(info["nick_name"])[:64]
    app.head_img = info.get("head_img") or None
    app.principal_name = info.get("principal_name") or None
    app.verify_type_info = int((info.get("verify_type_info") or {}).get("id", -1))
    app.qrcode_url = info.get("qrcode_url") or None
    app.original_id = info.get("user_name") or None


def verified(app) -> bool:
    return app.verify_type_info in VERIFIED_TYPES


def update_details(company_id: int, data: dict) -> MiniProgramApp:
    """11.5: the mini-program's name, avatar, introduction and category as the company presents them."""
    app = authorized_app(XCX, company_id)
    for field in ("name", "head_img", "introduce", "service_category", "auto_release"):
        if data.get(field) is not None:
            setattr(app, field, data[field])
    db.session.flush()
    return app


# --- the authorization-event push (授权事件接收URL) ---------------------------------------------------


def handle_component_push(body: bytes, args) -> str:
    """Verify, decrypt and check freshness; record; hand any WeChat work to a job — never a WeChat call here:
    WeChat waits about 5 s for `success`. The ticket is stored (never an older over a newer one); an
    `authorized`/`updateauthorized` account is recorded by a job (`api_query_auth` + details) unless the
    authorization is already recorded (the browser's callback used the same code: nothing to do); a cancelled
    one is marked. Accounts no company has named are ignored (answered `success`: WeChat would only push them
    again). A push already received (same nonce) is acknowledged and not handled again."""
    component = ComponentClient()
    message = component.accept_push(body, args)
    if message is None:
        log.info("component push already received")
        return "duplicate"
    try:
        return _handle_component_event(component, message)
    except Exception:
        db.session.rollback()
        component.forget_push(args)  # WeChat's retry of this push must be handled
        raise


def _handle_component_event(component: ComponentClient, message: dict) -> str:
    event = component_event(message)
    if event.type == "component_verify_ticket" and event.verify_ticket:
        if not component.store_ticket(event.verify_ticket, _created_at(message)):
            log.info("older verify ticket ignored")
    elif event.type in ("authorized", "updateauthorized"):
        _on_authorized(event.type, event.authorizer_appid, event.authorization_code)
    elif event.type == "unauthorized":
        _on_unauthorized(component, event.authorizer_appid)
    else:
        log.info("component push ignored", extra={"info_type": event.type})
    return event.type


def _created_at(message: dict) -> int:
    try:
        return int(message.get("CreateTime"))
    except (TypeError, ValueError):
        return int(time.time())


def accept_account_push(body: bytes, args) -> dict | None:
    """A message/event push to the platform (e.g. weapp_audit_*), verified, decrypted and checked for freshness
    like the others; None when already received."""
    return ComponentClient().accept_push(body, args)


def _apps_with_appid(appid: str | None):
    """The rows the account is bound to (one per kind at most)."""
    for kind in (XCX, GZH):
        app = db.session.scalar(select(kind.model).where(kind.model.authorizer_appid == appid)) if appid else None
        if app is not None:
            yield kind, app


def _push_target(kind: Kind, appid: str):
    """The company an authorization push is for: the one the account is bound to (while authorised, or when
    nobody else claims it), else the only company claiming it. A push names no company, so an account two
    companies claim waits for the grant's callback, which does (docs/security.md)."""
    bound = db.session.scalar(select(kind.model).where(kind.model.authorizer_appid == appid))
    stmt = select(kind.model).where(kind.model.pending_appid == appid)
    claims = [app for app in db.session.scalars(stmt) if bound is None or app.id != bound.id]
    if bound is not None and (is_authorized(bound) or not claims):
        return bound
    if bound is None and len(claims) == 1:
        return claims[0]
    if claims:
        log.warning("authorized push for an account several companies claim", extra={"claims": len(claims)})
    return None


def authorize_lock(appid: str) -> str:
    return f"open_platform.authorize:{appid}"


def _on_authorized(info_type: str, appid: str, code: str) -> None:
    """Find the company the push is for (no WeChat call: WeChat waits ~5 s for `success`); a job exchanges
    the code and binds the account. Nothing to do when the authorization is recorded already."""
    for kind in (XCX, GZH):
        app = _push_target(kind, appid) if appid else None
        if app is None:
            continue
        if info_type == "authorized" and is_authorized(app) and app.authorizer_appid == appid:
            log.info("authorized push for an authorization already recorded")
            return
        args = {"kind": kind.key, "appid": appid, "auth_code": code}
        enqueue(OPEN_PLATFORM_AUTHORIZED, company_id=app.company_id, args=args, lock=authorize_lock(appid))
        return
    log.info("authorized push for an account no company named")


def record_pushed_authorization(job: Job, kind: str, appid: str, auth_code: str) -> dict:
    """The job behind an authorized/updateauthorized push: api_query_auth with the pushed code, then the
    account's details. A code WeChat says is used or expired (61009/61010) is fine when the authorization is
    recorded already (the browser's callback exchanged it first)."""
    kind_ = KINDS[kind]
    app = _push_target(kind_, appid)
    if app is None:
        return {"appid": appid, "outcome": "not named by any company"}
    component = ComponentClient()
    try:
        info = component.query_auth(auth_code)
    except WeChatError as err:
        if err.errcode in CODE_SPENT and is_authorized(app):
            return {"appid": appid, "outcome": "already recorded"}
        raise
    if info["authorizer_appid"] != appid:
        raise WeChatError(SYSTEM_BUSY, BAD_ANSWER_MSG, network=True)
    app.authorizer_appid, app.pending_appid = appid, None
    record_authorization(kind_, app, info, component)
    db.session.flush()
    return {"appid": appid, "outcome": "recorded"}


def _on_unauthorized(component: ComponentClient, appid: str) -> None:
    for _kind, app in _apps_with_appid(appid):
        app.authorized, app.refresh_token, app.unauthorized_at = False, None, utcnow()
    component.forget_authorizer(appid)
    db.session.flush()


# --- clients for the rest of the product ----------------------------------------------------------------


def authorizer_client(app, component: ComponentClient | None = None) -> AuthorizerClient:
    """The account's client; a refresh token WeChat replaces is saved on the row (flushed)."""

    def keep(new_token: str) -> None:
        app.refresh_token = new_token
        db.session.flush()

    return (component or ComponentClient()).authorizer(app.authorizer_appid, app.refresh_token, keep)


def official_account_client(company_id: int) -> AuthorizerClient:
    return authorizer_client(authorized_app(GZH, company_id))


def official_account_token(company_id: int) -> str:
    """The company's official-account authorizer access token (cached; refreshed when missing)."""
    return official_account_client(company_id).access_token


def oauth_client(company_id: int) -> OAuthClient:
    """Web OAuth on behalf of the company's official account (authorize_url, fetch_access_token…)."""
    app = authorized_app(GZH, company_id)
    return OAuthClient(ComponentClient(), app.authorizer_appid)


def gongzhonghao_auth_url(company_id: int, radar_company_id: int) -> str:
    """14.1: the silent (snsapi_base) OAuth URL of the company's official account, through the platform."""
    if company_id != radar_company_id:
        raise ApiError.not_found("公司")
    redirect_uri = current_app.config["GONGZHONGHAO_OAUTH_REDIRECT_URL"]
    return oauth_client(company_id).authorize_url(redirect_uri, scope="snsapi_base", state="snsapi_base")


# --- what the console shows (11.1/11.6, 13.1/13.4) ------------------------------------------------------

STEP_MSG = {1: "请求成功.请先进行步骤1", 2: "请求成功.请先进行步骤2", 3: "请求成功.请先进行步骤3", "": "请求成功"}


def auth_process(kind: Kind, company_id: int) -> tuple[dict, str]:
    """The step the company is at, and what that step's page shows (the details once done)."""
    app = app_of(kind, company_id)
    step = step_of(kind, app)
    if step in (1, 2):
        ret_data = {"authorization_appid": claimed_appid(app) or ""}
    else:
        ret_data = authorizer_details(app, verified(app))
        if kind is XCX:
            ret_data.update(introduce=app.introduce, auto_release=app.auto_release)
            ret_data.update(version_details(version_summary(app)))
    return {"step": step, "ret_data": ret_data}, STEP_MSG[step]
