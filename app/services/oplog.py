"""The operation log (docs/operation_log.md): the one place entries are written, and the list.

- `record_write(response)` runs in the admin blueprint's after_request for every successful write (envelope
  code 200), before the request's commit: the entry commits or rolls back with the write itself.
- `record_event(...)` records a security event in the request's transaction; `record_refusal(...)` records
  one beside a refused request (its own short transaction: the refused request's is rolled back).
"""

import logging
import re
from datetime import date, datetime, timedelta

from flask import current_app, g, has_request_context, request
from sqlalchemy import delete, func, insert, select

from app.access import required_rule
from app.extensions import db
from app.inputs import SAFE_METHODS, remembered_inputs
from app.models.oplog import CATEGORY_SECURITY, CATEGORY_WRITE, OperationLog
from app.pagination import paginate
from app.services.stat_rollup import utc_midnight
from app.tenancy import Tenant
from app.timefmt import utcnow

log = logging.getLogger(__name__)

CHANGED = "已修改"  # what a secret field's summary says: only that it changed
_SECRET = re.compile(r"pass|token|secret|rand_str|signature|private|credential|key$|_key", re.IGNORECASE)
_MAX_KEYS, _MAX_TEXT, _MAX_LIST = 30, 80, 10

# Security events (action of category "security") besides the admin writes.
LOGIN, LOGIN_FAILED, RATE_LIMITED = "login", "login_failed", "rate_limited"
SIGNATURE_REFUSED, CREDENTIALS_REVOKED = "signature_refused", "credentials_revoked"
SWITCH_USER = "switch_admin_user"
# Admin writes that are also security events.
SECURITY_ENDPOINTS = {
    "admin.account.modify_password",
    "admin.account.logout",
    "admin.admin_userprofile.switch_admin_user",
}


# --- what an entry says ----------------------------------------------------------------------------------------


def _compact(value):
    """A short, JSON-safe rendering of one input value."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str):
        return value if len(value) <= _MAX_TEXT else value[:_MAX_TEXT] + "…"
    if isinstance(value, list | tuple | set):
        items = list(value)
        if len(items) <= _MAX_LIST and all(v is None or isinstance(v, bool | int | float) for v in items):
            return items
        return f"[{len(items)}项]"
    if isinstance(value, dict):
        return f"{{{len(value)}项}}"
    filename = getattr(value, "filename", None)  # an uploaded file
    return filename[:_MAX_TEXT] if isinstance(filename, str) else type(value).__name__


def summarize(data: dict | None) -> dict | None:
    """The changed fields of a loaded input: values shortened, secrets only marked as changed."""
    if not data:
        return None
    summary = {}
    for key, value in list(data.items())[:_MAX_KEYS]:
        key = str(key)
        if value is None and _SECRET.search(key):
            continue
        summary[key] = CHANGED if _SECRET.search(key) else _compact(value)
    return summary or None


def _client_ip() -> str | None:
    return ((request.remote_addr or "")[:64] or None) if has_request_context() else None


def _request_id() -> str | None:
    rid = g.get("request_id") if has_request_context() else None
    return str(rid)[:64] if rid else None


def _switched_from(admin_id: int) -> int | None:
    """The operator whose 5.8 switch opened the admin's latest session (its own later sign-in ends that).
    Two indexed look-ups: the admin's latest sign-in and the latest switch to it."""
    login = db.session.scalar(
        select(func.max(OperationLog.id)).where(OperationLog.admin_id == admin_id, OperationLog.action == LOGIN)
    )
    switch = db.session.execute(
        select(OperationLog.id, OperationLog.admin_id)
        .where(
            OperationLog.target_type == "admin_user",
            OperationLog.target_id == str(admin_id),
            OperationLog.action == SWITCH_USER,
        )
        .order_by(OperationLog.id.desc())
        .limit(1)
    ).first()
    return switch.admin_id if switch is not None and (login is None or switch.id > login) else None


def _entry(action, *, admin=None, company_id=None, category=CATEGORY_SECURITY, **fields) -> dict:
    if admin is not None:
        fields.setdefault("admin_id", admin.id)
        fields.setdefault("admin_name", (admin.username or admin.login_user or "")[:64] or None)
        company_id = admin.company_id if company_id is None else company_id
    target_id = fields.pop("target_id", None)
    return {
        "create_date": utcnow(),
        "category": category,
        "company_id": company_id,
        "action": action[:128],
        "target_id": None if target_id is None else str(target_id)[:64],
        "client_ip": _client_ip(),
        "request_id": _request_id(),
        "endpoint": ((request.endpoint or "")[:128] or None) if has_request_context() else None,
        **fields,
    }


# --- recording ------------------------------------------------------------------------------------------------


def _created_id(data):
    """The id a create answered: {"id": …}, {"role_id": …}, [{"tag_id": …}] and the like."""
    item = data[0] if isinstance(data, list) and data else data
    if not isinstance(item, dict):
        return None
    keys = ["id", *(key for key in item if key.endswith("_id") and key not in ("user_id", "job_id"))]
    value = next((item[key] for key in keys if key in item), None)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _target(response_data) -> tuple[str | None, str | None]:
    """(target type, target id): the endpoint's group, and the id in the URL (or the id a create answered)."""
    target_type = (request.blueprint or "").rsplit(".", 1)[-1] or None
    url_id = next(iter((request.view_args or {}).values()), None)
    created = _created_id(response_data) if "/add" in request.path or url_id is None else None
    if created is not None:
        return target_type, str(created)
    return target_type, None if url_id is None else str(url_id)


def record_write(response):
    """admin_bp.after_request: one entry for a successful write by an authenticated admin."""
    admin = g.get("admin")
    view = current_app.view_functions.get(request.endpoint)
    if request.method in SAFE_METHODS or admin is None or response.status_code >= 400 or not response.is_json:
        return response
    if view is None or getattr(view, "is_public", False):  # login: recorded as a security event
        return response
    if getattr(view, "reads_only", False):  # a read the contract makes a POST
        return response
    payload = response.get_json(silent=True)
    if not isinstance(payload, dict) or payload.get("code") != 200:
        return response
    inputs = {}
    for data in remembered_inputs():
        inputs.update(data)
    target_type, target_id = _target(payload.get("data"))
    summary = summarize(inputs)
    secret_changed = any(value == CHANGED for value in (summary or {}).values())
    entry = _entry(
        required_rule(request.endpoint, view),
        admin=admin,
        category=CATEGORY_SECURITY if request.endpoint in SECURITY_ENDPOINTS or secret_changed else CATEGORY_WRITE,
        target_type=target_type,
        target_id=target_id,
        summary=summary,
        switched_from_id=_switched_from(admin.id),
    )
    if request.endpoint == "admin.admin_userprofile.switch_admin_user":
        entry["action"] = SWITCH_USER  # what _switched_from() looks for
        entry["target_type"] = "admin_user"
    db.session.execute(insert(OperationLog), [entry])
    return response


def record_event(action: str, *, admin=None, company_id=None, target_type=None, target_id=None, summary=None):
    """A security event in the request's own transaction (it commits with the request)."""
    entry = _entry(action, admin=admin, company_id=company_id, target_type=target_type, target_id=target_id)
    entry["summary"] = summary
    db.session.execute(insert(OperationLog), [entry])


def record_refusal(action: str, *, admin=None, company_id=None, summary=None) -> None:
    """A security event beside a refused request, in a transaction of its own (the request's rolls back).
    A failure to record never turns the refusal into a 500."""
    entry = _entry(action, admin=admin, company_id=company_id)
    entry["summary"] = summary
    try:
        with db.engine.begin() as connection:
            connection.execute(insert(OperationLog), [entry])
    except Exception:
        log.exception("operation log entry not recorded", extra={"action": action})


# --- reading and retention ------------------------------------------------------------------------------------


def log_query(query: dict):
    """The entries `query` filters, newest first, of every company (the caller confines them)."""
    stmt = select(OperationLog)
    for column, key in (
        (OperationLog.admin_id, "admin_id"),
        (OperationLog.action, "action"),
        (OperationLog.category, "category"),
        (OperationLog.target_type, "target_type"),
    ):
        if query.get(key) is not None:
            stmt = stmt.where(column == query[key])
    if query.get("target_id") is not None:
        stmt = stmt.where(OperationLog.target_id == str(query["target_id"]))
    if query.get("start_date") is not None:
        stmt = stmt.where(OperationLog.create_date >= utc_midnight(query["start_date"]))
    if query.get("end_date") is not None:
        stmt = stmt.where(OperationLog.create_date < utc_midnight(query["end_date"] + timedelta(days=1)))
    return stmt.order_by(OperationLog.id.desc())


def list_entries(tenant: Tenant, query: dict) -> tuple[list[OperationLog], int]:
    """Role 2 its company's entries, role 1 every company's (or one company's)."""
    stmt = tenant.confine(log_query(query), OperationLog, query["company_id"])
    return paginate(stmt, query["current_page"], query["length"])


def purge_old_entries() -> int:
    """Cron: drop entries older than OPERATION_LOG_DAYS."""
    with current_app._get_current_object().app_context():
        cutoff = utcnow() - timedelta(days=current_app.config["OPERATION_LOG_DAYS"])
        done = db.session.execute(delete(OperationLog).where(OperationLog.create_date < cutoff))
        db.session.commit()
    return done.rowcount or 0
