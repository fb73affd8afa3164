"""Where a browser lands after WeChat's authorization page: the console, with the outcome in the query."""

from urllib.parse import urlencode

from flask import current_app

from app.extensions import db
from app.models.open_platform import MiniProgramApp
from app.responses import ApiError
from app.services.open_platform import complete_grant


def landing_url(grant: str, auth_code: str) -> str:
    """Record the grant as the JSON callback does; answer the console URL saying how it went. A refused grant
    writes nothing (rolled back) and says why (code, msg)."""
    try:
        app = complete_grant(grant, auth_code)
        db.session.flush()
    except ApiError as err:
        db.session.rollback()
        return _console({"authorization": "failed", "code": int(err.code), "msg": err.msg})
    kind = "xcx" if isinstance(app, MiniProgramApp) else "gzh"
    outcome = {"kind": kind, "appid": app.authorizer_appid, "company_id": app.company_id, "name": app.name or ""}
    return _console({"authorization": "ok", **outcome})


def _console(query: dict) -> str:
    base = current_app.config["CONSOLE_BASE_URL"]
    return f"{base}{'&' if '?' in base else '?'}{urlencode(query)}"
