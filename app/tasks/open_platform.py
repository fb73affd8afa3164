"""Third-party platform jobs: batch code release (12.3–12.8), the periodic audit poll, bulk mini-program codes
(5.6). Each batch job takes the app ids and records one outcome per app (app.services.code_release_batch)."""

import logging

from flask import current_app

from app.extensions import db
from app.jobs import enqueue
from app.models.jobs import Job
from app.services import code_release, code_release_batch, open_platform, wxa_qrcode

log = logging.getLogger(__name__)


def upload_code(job: Job, app_ids: list[int], template_id: int, user_version: str, user_desc: str) -> dict:
    params = {"template_id": template_id, "user_version": user_version, "user_desc": user_desc}
    return code_release_batch.run_batch(job, code_release.UPLOAD, app_ids, **params)


def submit_audit(job: Job, app_ids: list[int]) -> dict:
    return code_release_batch.run_batch(job, code_release.SUBMIT, app_ids)


def poll_audit(job: Job, app_ids: list[int] | None = None, source: str = "job") -> dict:
    """12.5 (and the cron poll): every app waiting for an audit result, unless told which."""
    ids = code_release.apps_in_audit() if app_ids is None else app_ids
    return code_release_batch.run_batch(job, code_release.POLL, ids, source=source)


def undo_audit(job: Job, app_ids: list[int]) -> dict:
    return code_release_batch.run_batch(job, code_release.UNDO, app_ids)


def release(job: Job, app_ids: list[int], source: str = "job") -> dict:
    return code_release_batch.run_batch(job, code_release.RELEASE, app_ids, source=source)


def revert_release(job: Job, app_ids: list[int]) -> dict:
    return code_release_batch.run_batch(job, code_release.REVERT, app_ids)


def bulk_wxa_qrcodes(job: Job, company_id: int, env_version: str = "release") -> dict:
    return wxa_qrcode.bulk_codes(job, company_id, env_version)


def record_authorization(job: Job, kind: str, appid: str, auth_code: str) -> dict:
    return open_platform.record_pushed_authorization(job, kind, appid, auth_code)


def poll_audits_cron() -> str | None:
    """The periodic safety net behind the audit pushes (registry CRON): one poll job when some app is in audit,
    sharing 12.5's lock so that two polls never overlap."""
    with current_app._get_current_object().app_context():
        if not code_release.apps_in_audit():
            return None
        kind, lock = code_release_batch.JOB_KINDS[code_release.POLL], code_release_batch.POLL_LOCK
        started = enqueue(kind, company_id=None, args={"source": "poll"}, lock=lock)
        db.session.commit()
        log.info("audit poll", extra={"job_id": started.job.id, "created": started.created})
        return started.job.id
