"""Periodic housekeeping (registered in app.jobs.registry.CRON)."""

import logging

from flask import current_app
from rq.exceptions import StopRequested
from sqlalchemy import select

from app.extensions import db
from app.jobs import heartbeat, locks
from app.models.jobs import ACTIVE, INTERRUPTED, Job
from app.timefmt import utcnow

log = logging.getLogger(__name__)


def _stale(job: Job) -> bool:
    if job.status == INTERRUPTED:  # waiting for its retry: failed only once it outlived every retry
        return utcnow() - job.create_date > locks.longest_run(job)
    return not locks.is_alive(job)


def reap_stale_jobs() -> int:
    """Fail the rows of jobs that can no longer run (RQ lost them, or they outlived every retry) and free
    their locks, so the status endpoint stops saying "started" and the next request may start again."""
    with current_app._get_current_object().app_context():  # type: ignore[attr-defined]
        heartbeat.reap_dead()
        stale = [job for job in db.session.scalars(select(Job).where(Job.status.in_(ACTIVE))) if _stale(job)]
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


def reap_interrupted(app) -> int:
    """The worker's maintenance (every WORKER_MAINTENANCE_INTERVAL): interrupt and retry the jobs of dead
    processes."""
    with app.app_context():
        try:
            count = heartbeat.reap_dead()
        except StopRequested:  # SIGTERM arrived during the query: the worker stops as asked
            raise
        except Exception as exc:  # noqa: BLE001 - the database away: the next maintenance tries again
            db.session.rollback()
            log.warning("reaper skipped", extra={"error": type(exc).__name__})
            return 0
        finally:
            db.session.remove()
    return count


def horse_died(app, job_id: str) -> None:
    """The worker saw the process running `job_id` die: mark its run interrupted at once."""
    with app.app_context():
        try:
            heartbeat.mark_interrupted(job_id)
        except Exception as exc:  # noqa: BLE001 - the database away: the heartbeat timeout catches it later
            db.session.rollback()
            log.warning("interruption not recorded", extra={"job_id": job_id, "error": type(exc).__name__})
        finally:
            db.session.remove()
