"""One active job per lock key (e.g. "wechat_work.sync:<company id>"), kept in the job_lock table.

A lock whose job is no longer alive — finished, failed, lost by RQ, or older than it could possibly run — is
taken over, so a crashed worker never blocks a company for ever.
"""

from datetime import timedelta

from flask import current_app
from rq.exceptions import NoSuchJobError
from rq.job import Job as RQJob
from rq.job import JobStatus
from sqlalchemy import delete

from app.extensions import db, redis_connection
from app.jobs import registry
from app.models.jobs import ACTIVE, FAILED, Job, JobLock
from app.timefmt import utcnow

LOST_CODE = 500
LOST_MSG = "任务已中断（工作进程退出且无法重试），请重新提交"
DEAD_RQ_STATES = {JobStatus.FAILED, JobStatus.FINISHED, JobStatus.STOPPED, JobStatus.CANCELED}
# A row is committed a moment before RQ hears of it: never call a job that young lost.
GRACE = timedelta(seconds=60)


def longest_run(job: Job) -> timedelta:
    """How long after its creation a job can still be legitimately active: every attempt and every pause."""
    config = current_app.config
    timeout = registry.kind(job.kind).timeout or config["JOB_TIMEOUT"]
    attempts = 1 + config["JOB_RETRY_MAX"]
    pauses = sum(config["JOB_RETRY_INTERVALS"]) + max(config["JOB_RETRY_INTERVALS"]) * attempts
    return timedelta(seconds=timeout * attempts + pauses + 600)


def rq_knows(job: Job) -> bool:
    """Whether RQ still holds the job in a state that leads to running it."""
    connection = redis_connection()
    if connection is None:
        return False
    try:
        rq_job = RQJob.fetch(job.id, connection=connection)
    except NoSuchJobError:
        return False
    return rq_job.get_status(refresh=False) not in DEAD_RQ_STATES


def is_alive(job: Job) -> bool:
    if job.status not in ACTIVE:
        return False
    age = utcnow() - job.create_date
    if age > longest_run(job):
        return False
    return age < GRACE or job.queue is None or rq_knows(job)


def mark_lost(job: Job) -> None:
    job.status, job.error_code, job.error, job.finished_at = FAILED, LOST_CODE, LOST_MSG, utcnow()
    release(job)


def release(job: Job) -> None:
    if job.lock_key:
        db.session.execute(delete(JobLock).where(JobLock.key == job.lock_key, JobLock.job_id == job.id))


def live_holder(key: str) -> Job | None:
    """The active job holding `key`, or None after clearing a dead holder (committed)."""
    lock = db.session.get(JobLock, key)
    if lock is None:
        return None
    holder = db.session.get(Job, lock.job_id)
    if holder is not None and is_alive(holder):
        return holder
    if holder is not None and holder.status in ACTIVE:
        mark_lost(holder)
    db.session.execute(delete(JobLock).where(JobLock.key == key))
    db.session.commit()
    return None
