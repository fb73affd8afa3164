"""Periodic housekeeping (registered in app.jobs.registry.CRON)."""

import logging

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.jobs import locks
from app.models.jobs import ACTIVE, Job

log = logging.getLogger(__name__)


def reap_stale_jobs() -> int:
    """Fail the rows of jobs that can no longer run (RQ lost them, or they outlived every retry) and free
    their locks, so the status endpoint stops saying "started" and the next request may start again."""
    with current_app._get_current_object().app_context():
        stale = [
            job for job in db.session.scalars(select(Job).where(Job.status.in_(ACTIVE))) if not locks.is_alive(job)
        ]
        for job in stale:
            locks.mark_lost(job)
        db.session.commit()
    if stale:
        log.warning("stale jobs failed", extra={"count": len(stale)})
    return len(stale)


def purge_operation_log() -> int:
    """Drop operation-log entries older than OPERATION_LOG_DAYS (docs/operation_log.md)."""
    from app.services.oplog import purge_old_entries

    removed = purge_old_entries()
    if removed:
        log.info("operation log purged", extra={"count": removed})
    return removed
