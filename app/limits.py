"""Rate limits of the sign-ins (docs/security.md, "Sign-in limits").

- The admin login counts only failed attempts, per login name (stripped, case-folded) and per client
  address: guessing is stopped, an office behind one address is never locked out by its own sign-ins.
- The public WeChat OAuth sign-ins (customers, radar users, the platform's auth_code callback) are limited
  per client address, and a WeChat refusal answers a generic message: WeChat's errmsg can carry our egress
  address and request ids, which are nobody's business on a public page.

Client addresses are the socket's, or X-Forwarded-For's as trusted through PROXY_FIX_HOPS.
"""

from functools import wraps

from flask import current_app, g, request
from werkzeug.exceptions import HTTPException

from app.extensions import limiter
from app.responses import Code
from app.services import oplog
from app.wechat.errors import WeChatError

OAUTH_FAILED_MSG = "微信授权登录失败，请重新打开页面再试"


def login_name_key(name) -> str:
    """The one normal form of a login name: what is looked up, stored unique and rate-limited."""
    return name.strip().casefold() if isinstance(name, str) else ""


def _login_name() -> str:
    """The key of a login by its name. A body that cannot be read (over the size limit: 413) has no name: the
    key must not raise, or Flask-Limiter takes its storage for unreachable and counts in its process's memory
    until it looks again. The view refuses that body itself."""
    try:
        body = request.get_json(silent=True)  # any JSON value: a list or a number has no username
        name = request.form.get("username") or (body.get("username") if isinstance(body, dict) else None)
    except HTTPException:
        name = None
    return "login:" + login_name_key(name)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _failed(response) -> bool:
    """Count an attempt only when it did not sign in (envelope code other than 200)."""
    body = response.get_json(silent=True) if response.is_json else None
    return not (isinstance(body, dict) and body.get("code") == Code.OK)


def register_request_check(app) -> None:
    """Flask-Limiter checks every request before its view for the limits that apply beyond one view
    (application, default, blueprint and meta limits, its in-memory fallback's); a view decorated with a limit
    checks that limit itself, in its decorator. The project sets none of the former, so the check before the
    view has nothing to evaluate: it is made only when one is set, or while Flask-Limiter takes its storage
    for unreachable (the check then also probes whether it is back, as before). Every other request skips
    it; the limits checked and counted are the same. Failed-login deductions (after the view) are untouched."""
    funcs = app.before_request_funcs.setdefault(None, [])
    funcs[funcs.index(limiter._check_request_limit)] = _request_wide_check


def has_request_wide_limits() -> bool:
    """Whether limits that Flask-Limiter checks before the view are set (its attributes, Flask-Limiter 4.1)."""
    manager = limiter.limit_manager
    return bool(
        manager._application_limits
        or manager._default_limits
        or manager._blueprint_limits
        or limiter._meta_limits
        or limiter._in_memory_fallback
    )


def _request_wide_check() -> None:
    if limiter._storage_dead or has_request_wide_limits():
        limiter._check_request_limit()


def record_breach(limit) -> None:
    """on_breach of every limit (set by create_app()): a refusal is an operation-log security event."""
    admin = g.get("admin")
    summary = {"limit": str(limit.limit)[:80], "path": request.path[:200]}
    oplog.record_refusal(oplog.RATE_LIMITED, admin=admin, summary=summary)


def login_limits(view):
    """Failed admin logins per client address and per login name."""
    view = limiter.limit(_login_limit, key_func=_login_name, deduct_when=_failed)(view)
    return limiter.limit(_login_limit, deduct_when=_failed)(view)


def _oauth_limit() -> str:
    return current_app.config["OAUTH_LOGIN_RATE_LIMIT"]


def oauth_login(view):
    """A public WeChat OAuth sign-in: limited per client address, WeChat's refusals in our words."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except WeChatError as err:
            raise WeChatError(err.errcode, OAUTH_FAILED_MSG, network=err.network) from None

    return limiter.limit(_oauth_limit)(wrapper)
