"""Mini-program code release (12.x): the status machine of docs/domain.md, the release history it is derived from,
audit results from polls and pushes (recorded once), and the 12.1 list and 11.6 version summary.

An app's status is its newest CodeRelease row's `status` (0 未上线过 without rows). Which operation each status
allows follows the document's 前端逻辑说明 (12.1), plus retrying the step that just failed.
"""

import logging

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.jobs import enqueue_after_commit
from app.jobs.registry import CODE_RELEASE_RELEASE
from app.models.open_platform import (
    AUDIT_PASSED,
    AUDIT_REJECTED,
    AUDITING,
    NEVER,
    RELEASE_FAILED,
    RELEASED,
    REVERT_FAILED,
    STATUS_TEXT,
    SUBMIT_FAILED,
    UNDO_FAILED,
    UNDONE,
    UPLOAD_FAILED,
    UPLOADED,
    WX_AUDIT_DELAYED,
    WX_AUDIT_PASSED,
    WX_AUDIT_REJECTED,
    WX_AUDIT_WITHDRAWN,
    CodeRelease,
    CodeReleaseEvent,
    MiniProgramApp,
)
from app.pagination import paginate
from app.responses import ApiError
from app.timefmt import utcnow

log = logging.getLogger(__name__)

UPLOAD, SUBMIT, POLL, UNDO, RELEASE, REVERT = "upload", "submit", "poll", "undo", "release", "revert"
ACTION_TEXT = {
    UPLOAD: "提交代码",
    SUBMIT: "提交审核",
    POLL: "查询审核状态",
    UNDO: "审核撤回",
    RELEASE: "发布上线",
    REVERT: "版本回退",
}
ALL_STATUSES = frozenset(STATUS_TEXT)
ALLOWED = {
    UPLOAD: ALL_STATUSES - {AUDITING},
    SUBMIT: frozenset({UPLOADED, SUBMIT_FAILED}),
    POLL: frozenset({AUDITING, UNDO_FAILED}),
    UNDO: frozenset({AUDITING, UNDO_FAILED}),
    RELEASE: frozenset({AUDIT_PASSED, RELEASE_FAILED}),
    REVERT: frozenset(
        {UPLOAD_FAILED, SUBMIT_FAILED, AUDIT_REJECTED, RELEASED, RELEASE_FAILED, UNDONE, UNDO_FAILED, REVERT_FAILED}
    ),
}
# The status a failed step leaves.
FAILED_STATUS = {UPLOAD: UPLOAD_FAILED, SUBMIT: SUBMIT_FAILED, UNDO: UNDO_FAILED, RELEASE: RELEASE_FAILED}
FAILED_STATUS[REVERT] = REVERT_FAILED
# WeChat's audit result → our status.
AUDIT_RESULT = {WX_AUDIT_PASSED: AUDIT_PASSED, WX_AUDIT_REJECTED: AUDIT_REJECTED, WX_AUDIT_WITHDRAWN: UNDONE}
PENDING = (AUDITING, UNDO_FAILED)
NOT_AUTHORIZED_MSG = "小程序未授权或已取消授权"
MISSING_MSG = "小程序不存在"


def status_of(release: CodeRelease | None) -> int:
    return NEVER if release is None else release.status


def refusal(action: str, app: MiniProgramApp | None, release: CodeRelease | None) -> str | None:
    """Why `action` may not run on the app now, or None."""
    if app is None:
        return MISSING_MSG
    if not (app.authorized and app.refresh_token):
        return NOT_AUTHORIZED_MSG
    status = status_of(release)
    if status not in ALLOWED[action]:
        return f"当前状态【{STATUS_TEXT[status]}】不能{ACTION_TEXT[action]}"
    if action in (POLL, UNDO) and (release.auditid is None or release.audit_status is not None):
        return f"没有审核中的版本，不能{ACTION_TEXT[action]}"
    return None


def latest_release(app_id: int) -> CodeRelease | None:
    stmt = select(CodeRelease).where(CodeRelease.app_id == app_id).order_by(CodeRelease.id.desc()).limit(1)
    return db.session.scalar(stmt)


def latest_releases(app_ids: list[int]) -> dict[int, CodeRelease]:
    """Each app's newest release, in one query."""
    if not app_ids:
        return {}
    newest = (
        select(func.max(CodeRelease.id))
        .where(CodeRelease.app_id.in_(app_ids))
        .group_by(CodeRelease.app_id)
        .scalar_subquery()
    )
    return {r.app_id: r for r in db.session.scalars(select(CodeRelease).where(CodeRelease.id.in_(newest)))}


def set_status(release: CodeRelease, status: int, reason: str | None = None) -> None:
    release.status, release.status_time, release.reason = status, utcnow(), reason


def log_event(app: MiniProgramApp, release: CodeRelease | None, action: str, source: str, **fields) -> None:
    db.session.add(
        CodeReleaseEvent(
            company_id=app.company_id,
            app_id=app.id,
            release_id=release.id if release is not None else None,
            action=action,
            source=source,
            **fields,
        )
    )


def error_reason(err) -> str:
    return f"{err.errcode}: {err.errmsg}"


# --- audit results: polled or pushed, recorded once ---------------------------------------------------


def record_audit_result(release: CodeRelease, wx_status: int, reason: str | None, source: str, job_id=None) -> bool:
    """Move a pending audit to its result (passed / rejected / withdrawn). A conditional UPDATE, so that a poll and
    a push for the same audit — even at the same moment — record it once; True when this call did.
    A delay is noted (reason) without changing the status; "under review" changes nothing."""
    if wx_status == WX_AUDIT_DELAYED:
        release.audit_delay_reason = reason or None
        release.reason = f"审核延后: {reason}" if reason else release.reason
        db.session.flush()
        return False
    status = AUDIT_RESULT.get(wx_status)
    if status is None:
        return False
    now = utcnow()
    done = db.session.execute(
        update(CodeRelease)
        .where(CodeRelease.id == release.id, CodeRelease.audit_status.is_(None), CodeRelease.status.in_(PENDING))
        .values(
            status=status,
            status_time=now,
            reason=reason or None,
            audit_status=wx_status,
            audit_reason=reason or None,
            audit_time=now,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(release)
    if done != 1:
        return False
    app = db.session.get(MiniProgramApp, release.app_id)
    log_event(app, release, "audit", source, status=status, reason=reason or None, job_id=job_id)
    db.session.flush()
    return True


def wants_auto_release(release: CodeRelease) -> bool:
    """The company asked for its mini-program to go online as soon as an audit passes (default off)."""
    return release.status == AUDIT_PASSED and db.session.get(MiniProgramApp, release.app_id).auto_release


AUDIT_EVENTS = {"weapp_audit_success": WX_AUDIT_PASSED, "weapp_audit_fail": WX_AUDIT_REJECTED}
AUDIT_EVENTS["weapp_audit_delay"] = WX_AUDIT_DELAYED


def record_audit_push(appid: str | None, message: dict) -> bool:
    """A weapp_audit_* push (docs/wechat.md): it names the mini-program by original id (ToUserName), not the
    audit, so it applies to the app's pending audit, if any. The message's app and the URL's appid must both
    be that app: a push for one mini-program posted to another's URL changes nothing."""
    wx_status = AUDIT_EVENTS.get(str(message.get("Event") or "").lower())
    if wx_status is None:
        return False
    original_id = message.get("ToUserName")
    match = and_(MiniProgramApp.original_id == original_id, MiniProgramApp.authorizer_appid == appid)
    app = db.session.scalar(select(MiniProgramApp).where(match)) if original_id and appid else None
    release = latest_release(app.id) if app is not None else None
    if release is None or release.auditid is None or release.audit_status is not None:
        log.info("audit push without a pending audit", extra={"event": message.get("Event")})
        return False
    recorded = record_audit_result(release, wx_status, message.get("Reason"), "push")
    if recorded and wants_auto_release(release):
        enqueue_after_commit(CODE_RELEASE_RELEASE, company_id=None, args={"app_ids": [app.id], "source": "auto"})
    return recorded


def apps_in_audit() -> list[int]:
    """Apps whose newest release waits for an audit result (the cron poll's work list)."""
    newest = select(func.max(CodeRelease.id)).group_by(CodeRelease.app_id).scalar_subquery()
    stmt = (
        select(CodeRelease.app_id)
        .join(MiniProgramApp, MiniProgramApp.id == CodeRelease.app_id)
        .where(
            CodeRelease.id.in_(newest),
            CodeRelease.status.in_(PENDING),
            and_(CodeRelease.auditid.is_not(None), CodeRelease.audit_status.is_(None)),
            MiniProgramApp.authorized.is_(True),
        )
        .order_by(CodeRelease.app_id)
    )
    return list(db.session.scalars(stmt))


# --- reading ---------------------------------------------------------------------------------------------


def list_apps(query: dict) -> tuple[list[tuple[MiniProgramApp, CodeRelease | None]], int]:
    """12.1: every authorised mini-program with its newest release (three queries whatever the page); filters
    `status` (of the newest release, 0 = none yet), `company_id`, `name` (part of the name or the appid)."""
    stmt = (
        select(MiniProgramApp)
        .where(MiniProgramApp.authorized.is_(True))
        .options(joinedload(MiniProgramApp.company), joinedload(MiniProgramApp.authorizer_admin))
        .order_by(MiniProgramApp.id.desc())
    )
    stmt = _filter_apps(stmt, query)
    apps, total = paginate(stmt, query["current_page"], query["length"])
    newest = latest_releases([app.id for app in apps])
    return [(app, newest.get(app.id)) for app in apps], total


def _filter_apps(stmt, query: dict):
    if query["company_id"] is not None:
        stmt = stmt.where(MiniProgramApp.company_id == query["company_id"])
    if query["name"]:
        stmt = stmt.where(
            or_(
                MiniProgramApp.name.contains(query["name"], autoescape=True),
                MiniProgramApp.authorizer_appid.contains(query["name"], autoescape=True),
            )
        )
    if query["status"] is not None:
        newest = select(CodeRelease.app_id, func.max(CodeRelease.id).label("release_id")).group_by(CodeRelease.app_id)
        newest = newest.subquery()
        stmt = (
            stmt.outerjoin(newest, newest.c.app_id == MiniProgramApp.id)
            .outerjoin(CodeRelease, CodeRelease.id == newest.c.release_id)
            .where(func.coalesce(CodeRelease.status, NEVER) == query["status"])
        )
    return stmt


def online_release(app_id: int) -> CodeRelease | None:
    """The version online: the newest released one not reverted since."""
    stmt = (
        select(CodeRelease)
        .where(CodeRelease.app_id == app_id, CodeRelease.release_time.is_not(None), CodeRelease.revert_time.is_(None))
        .order_by(CodeRelease.id.desc())
        .limit(1)
    )
    return db.session.scalar(stmt)


def version_summary(app: MiniProgramApp) -> dict:
    """11.6: the version online and the one waiting to go online (in audit, or approved)."""
    waiting = db.session.scalar(
        select(CodeRelease)
        .where(CodeRelease.app_id == app.id, CodeRelease.status.in_((AUDITING, AUDIT_PASSED, UNDO_FAILED)))
        .order_by(CodeRelease.id.desc())
        .limit(1)
    )
    return {"online": online_release(app.id), "waiting": waiting}


def check_apps_exist(app_ids: list[int]) -> None:
    """Every id names a mini-program (302 naming the others): a batch never starts on a typo."""
    found = set(db.session.scalars(select(MiniProgramApp.id).where(MiniProgramApp.id.in_(app_ids))))
    missing = [i for i in app_ids if i not in found]
    if missing:
        raise ApiError.not_found(f"小程序 {','.join(map(str, missing))} ")
