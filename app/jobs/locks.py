"""One active job per lock key (e.g. "wechat_work.sync:<company id>"), kept in the job_lock table; and short,
renewed Redis locks for one step at a time on a shared resource (`renewed_lock`).

A lock whose job is no longer alive — finished, failed, interrupted, lost by RQ, its process silent for longer
than JOB_HEARTBEAT_TIMEOUT, or older than it could possibly run — is taken over, so a dead worker blocks a
company for a minute at most.
"""

import logging
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta

from flask import current_app
from redis.exceptions import LockError
from rq.exceptions import NoSuchJobError
from rq.job import Job as RQJob
from rq.job import JobStatus
from sqlalchemy import delete

from app.extensions import db, redis_connection
from app.jobs import heartbeat, registry
from app.models.jobs import ACTIVE, FAILED, QUEUED, STARTED, Job, JobLock
from app.timefmt import utcnow

log = logging.getLogger(__name__)

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
    """Whether the job still holds its lock: queued or running, with a beating process. An interrupted job
    does not: a new request for the same work starts a new job (the interrupted one is failed)."""
    if job.status not in (QUEUED, STARTED) or heartbeat.is_dead(job):
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


# --- short Redis locks, renewed while held ----------------------------------------------------------------

_RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


@contextmanager
def renewed_lock(redis, key: str, owner: str | None, ttl: float, wait: float):
    """Hold `key` in Redis for the block: a short TTL (`ttl` seconds) that a thread renews every ttl/3 while
    the holder runs, so a dead holder's lock lapses within `ttl`. `owner` (a job id) may take over a lock it
    already holds — the retry of a job whose previous try died holding it. Raises LockError after `wait`."""
    token = owner or uuid.uuid4().hex
    ttl_ms = max(int(ttl * 1000), 1000)
    deadline = time.monotonic() + wait
    while not redis.set(key, token, nx=True, px=ttl_ms):
        if owner is not None and redis.eval(_RENEW, 1, key, token, ttl_ms):
            log.info("lock taken over by its own job", extra={"lock": key, "job_id": owner})
            break
        if time.monotonic() > deadline:
            raise LockError(f"lock {key} busy")
        time.sleep(0.1)
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(ttl / 3):
            try:
                redis.eval(_RENEW, 1, key, token, ttl_ms)
            except Exception as exc:  # noqa: BLE001 - Redis away for a moment: renew at the next tick
                log.warning("lock not renewed", extra={"lock": key, "error": type(exc).__name__})

    renewer = threading.Thread(target=renew, name="lock-renewal", daemon=True)
    renewer.start()
    try:
        yield
    finally:
        stop.set()
        renewer.join(timeout=5)
        try:
            redis.eval(_RELEASE, 1, key, token)
        except Exception as exc:  # noqa: BLE001 - the TTL frees it anyway
            log.warning("lock not released", extra={"lock": key, "error": type(exc).__name__})
