"""Background jobs (docs/jobs_wechat.md): `enqueue()`, `enqueue_after_commit()`, `set_progress()`.

A job is a `Job` row first (status, progress, result, error, owner company) and an RQ job second, with the
row id as the RQ job id. With REDIS_URL (and JOBS_INLINE off) the job goes to its RQ queue with `Retry`
(network and busy errors) and a timeout; otherwise it runs on a background thread of this process
(app.jobs.runner.dispatch), in its own app context and session, with the same retries, and the row records
the outcome just the same. Either way the request that started it answers at once with the job id. Job
functions take the row and primitives, are idempotent, and checkpoint with `set_progress()`.
"""

import logging
import uuid
from typing import NamedTuple

from flask import current_app
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import get_current_job
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.extensions import db
from app.jobs import locks, registry, runner
from app.jobs.runner import JobLog, job_logger
from app.models.jobs import QUEUED, Job, JobLock

__all__ = ["Enqueued", "JobLog", "enqueue", "enqueue_after_commit", "job_logger", "set_progress"]

log = logging.getLogger(__name__)
_PENDING = "zhugeleida_pending_jobs"


class Enqueued(NamedTuple):
    job: Job
    created: bool  # False: the lock was held, `job` is the one already running


def _new_job(kind: str, company_id: int | None, args: dict | None, created_by_id: int | None, lock: str | None):
    queue = registry.kind(kind).queue
    return Job(
        id=uuid.uuid4().hex,
        kind=kind,
        company_id=company_id,
        created_by_id=created_by_id,
        args=args or {},
        queue=registry.queue_name(current_app.config["JOB_QUEUE_PREFIX"], queue) if runner.uses_redis() else None,
        status=QUEUED,
        progress=0,
        attempts=0,
        lock_key=lock,
    )


def enqueue(
    kind: str, *, company_id: int | None, args: dict | None = None, lock: str | None = None, created_by_id=None
) -> Enqueued:
    """Commit the caller's work and a job row, then run or queue the job. With `lock`, a second request while
    a job holding that lock is alive gets that job back (created=False) and nothing new is started."""
    db.session.commit()
    if lock and (holder := locks.live_holder(lock)) is not None:
        return Enqueued(holder, False)
    job = _new_job(kind, company_id, args, created_by_id, lock)
    job_id = job.id
    db.session.add(job)
    if lock:
        db.session.add(JobLock(key=lock, job_id=job_id))
    try:
        db.session.commit()
    except IntegrityError:  # another request took the lock between our check and our insert
        db.session.rollback()
        holder = locks.live_holder(lock) if lock else None
        if holder is None:
            raise
        return Enqueued(holder, False)
    runner.dispatch(job_id)
    return Enqueued(db.session.get(Job, job_id), True)


def enqueue_after_commit(kind: str, *, company_id: int | None, args: dict | None = None, created_by_id=None) -> Job:
    """Add a job row to the caller's transaction; the job starts once that transaction commits, and never if
    it rolls back. For hooks that run inside another area's request (no lock: use enqueue() for that)."""
    job = _new_job(kind, company_id, args, created_by_id, None)
    db.session.add(job)
    db.session.flush()
    db.session.info.setdefault(_PENDING, []).append(job.id)
    return job


@event.listens_for(Session, "after_commit")
def _start_pending(session: Session) -> None:
    job_ids = session.info.pop(_PENDING, None)
    if not job_ids:
        return
    for job_id in job_ids:
        runner.start_detached(job_id)


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


def set_progress(job: Job, progress: int, stage: str | None = None) -> None:
    """Record how far the job is (0-100) and what it is doing. It commits: a checkpoint of the job's work so
    far, which is safe because jobs are idempotent (a re-run converges)."""
    job.progress = max(0, min(100, int(progress)))
    if stage:
        job.stage = stage[:128]
    db.session.commit()
    rq_job = get_current_job()
    if rq_job is not None:
        rq_job.meta.update(progress=job.progress, stage=job.stage)
        try:
            rq_job.save_meta()
        except (RedisConnectionError, RedisTimeoutError):  # a mirror of the row: Redis away never fails the job
            log.warning("job progress not mirrored to RQ: Redis unreachable", extra={"job_id": job.id})
