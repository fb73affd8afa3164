"""The jobs' own housekeeping: dead runs interrupted and retried (app/jobs/heartbeat.py tells them), stale rows
failed and their locks freed — by the worker's maintenance, the cron reaper (app.jobs.registry.CRON) and the
job-status endpoint."""

import logging

from flask import current_app
from rq.exceptions import StopRequested
from sqlalchemy import func, or_, select, update

from app.extensions import db
from app.jobs import heartbeat, locks, runner
from app.models.jobs import ACTIVE, FAILED, INTERRUPTED, STARTED, Job
from app.timefmt import utcnow

log = logging.getLogger(__name__)


def _stale(job: Job) -> bool:
    if job.status == INTERRUPTED:  # waiting for its retry: failed only once it outlived every retry
        return utcnow() - job.create_date > locks.longest_run(job)
    return not locks.is_alive(job)


def interrupt(job: Job) -> bool:
    """Mark a dead run `interrupted` (conditional: a beat committed meanwhile wins) and retry or fail it by its
    kind's policy (JOB_RETRY_MAX). Commits. True when this call did it."""
    cutoff = utcnow() - heartbeat.timeout()
    marked = db.session.execute(
        update(Job)
        .where(
            Job.id == job.id,
            Job.status == STARTED,
            or_(Job.heartbeat_at < cutoff, Job.heartbeat_at.is_(None) & (Job.started_at < cutoff)),
        )
        .values(
            status=INTERRUPTED,
            stage=heartbeat.INTERRUPTED_STAGE,
            error_code=heartbeat.INTERRUPTED_CODE,
            error=heartbeat.INTERRUPTED_MSG,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if marked.rowcount != 1:  # type: ignore[attr-defined]
        return False
    db.session.refresh(job)
    log.warning("job interrupted: its process stopped beating", extra={"job_id": job.id, "attempts": job.attempts})
    if job.attempts >= 1 + max(current_app.config["JOB_RETRY_MAX"], 0):
        job.status, job.finished_at, job.error = FAILED, utcnow(), locks.LOST_MSG
        locks.release(job)
        db.session.commit()
        return True
    runner.resubmit(job.id)
    return True


def reap_dead() -> int:
    """Interrupt every `started` row whose heartbeat is stale (the worker's maintenance and the cron reaper)."""
    cutoff = utcnow() - heartbeat.timeout()
    rows = db.session.scalars(
        select(Job).where(Job.status == STARTED, func.coalesce(Job.heartbeat_at, Job.started_at) < cutoff)
    ).all()
    return sum(interrupt(job) for job in rows)


def reap_stale_jobs() -> int:
    """Fail the rows of jobs that can no longer run (RQ lost them, or they outlived every retry) and free
    their locks, so the status endpoint stops saying "started" and the next request may start again."""
    with current_app._get_current_object().app_context():  # type: ignore[attr-defined]
        reap_dead()
        stale = [job for job in db.session.scalars(select(Job).where(Job.status.in_(ACTIVE))) if _stale(job)]
        for job in stale:
            locks.mark_lost(job)
        db.session.commit()
    if stale:
        log.warning("stale jobs failed", extra={"count": len(stale)})
    return len(stale)


def reap_interrupted(app) -> int:
    """The worker's maintenance (every WORKER_MAINTENANCE_INTERVAL): interrupt and retry the jobs of dead
    processes."""
    with app.app_context():
        try:
            count = reap_dead()
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
