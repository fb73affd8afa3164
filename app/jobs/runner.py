"""Running a job: the same code for RQ workers and in-process threads, always in a fresh app context (own
session).

Outcomes on the row: finished (result), failed (error code + message, lock released), or back to queued when a
network/busy error will be retried — by RQ (`Retry` with backoff), or by the thread's own loop (the same
JOB_RETRY_MAX and JOB_RETRY_INTERVALS).

Without Redis (or with JOBS_INLINE) a job runs on a thread of this process, on its queue's pool (JobThreads):
the request that started it never waits for it. The thread pushes its own app context, so Flask-SQLAlchemy
gives it its own session and connection; what it commits, everyone else reads from the database (a test waits
on the row). See docs/jobs_wechat.md.
"""

import logging
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor

from flask import current_app
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import Callback, Queue, Retry, get_current_job
from rq.timeouts import JobTimeoutException
from sqlalchemy import update
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from werkzeug.utils import import_string

from app import request_id
from app.extensions import db, redis_connection
from app.jobs import heartbeat, locks, registry
from app.models.jobs import FAILED, FINISHED, INTERRUPTED, QUEUED, STARTED, TERMINAL, Job
from app.responses import ApiError, Code
from app.timefmt import utcnow
from app.wechat.errors import WeChatError

log = logging.getLogger(__name__)

CRASH_MSG = "任务执行出错"
TIMEOUT_MSG = "任务执行超时"
QUEUE_DOWN_MSG = "任务队列暂时不可用，请稍后重试"
CONNECTION_MSG = "数据库或任务队列连接中断，稍后自动重试"
# MySQL/MariaDB client errors meaning "the server is gone": can't connect, gone away, lost during a query.
_DB_GONE = {2002, 2003, 2006, 2013, 2055}


def is_connection_error(exc: BaseException) -> bool:
    """Redis or the database away for a moment (retried like a busy WeChat), not a bug."""
    if isinstance(exc, (RedisConnectionError, RedisTimeoutError, DisconnectionError)):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, OperationalError):
        args = getattr(exc.orig, "args", ())
        return bool(args) and args[0] in _DB_GONE
    return False


RETRY_STAGE = "等待重试"


class RetryLater(Exception):
    """Raised to RQ so that it applies the job's Retry; the row already says why."""


def _fresh_context():
    return current_app._get_current_object().app_context()


class JobLog(logging.LoggerAdapter):
    """Every line carries the job id, kind and company (merged with the call's own `extra`)."""

    def process(self, msg, kwargs):
        kwargs["extra"] = {**self.extra, **kwargs.get("extra", {})}
        return msg, kwargs


def job_logger(job: Job, name: str = "app.jobs") -> JobLog:
    return JobLog(logging.getLogger(name), {"job_id": job.id, "job_kind": job.kind, "company_id": job.company_id})


# --- dispatch ---------------------------------------------------------------------------------


def uses_redis() -> bool:
    return redis_connection() is not None and not current_app.config["JOBS_INLINE"]


def dispatch(job_id: str) -> None:
    """Queue the committed job on RQ, or start it on a job thread of this process (no Redis, or JOBS_INLINE)."""
    if uses_redis():
        push(job_id)
    else:
        start_thread(job_id)


def push(job_id: str) -> None:
    """Put the committed job on its RQ queue; if Redis refuses, the row fails and the caller gets an error."""
    job = db.session.get(Job, job_id)
    try:
        _enqueue_rq(job, current_app.config["JOB_RETRY_MAX"])
    except Exception as exc:  # noqa: BLE001 - any Redis failure: record it, answer clearly
        log.error("job not queued", extra={"job_id": job_id, "error": type(exc).__name__})
        _record_failure(job, Code.SERVER_ERROR, QUEUE_DOWN_MSG)
        db.session.commit()
        raise ApiError(Code.SERVER_ERROR, QUEUE_DOWN_MSG, status=503) from None


def _enqueue_rq(job: Job, retries: int) -> None:
    config = current_app.config
    kind = registry.kind(job.kind)
    retry = Retry(max=retries, interval=config["JOB_RETRY_INTERVALS"]) if retries > 0 else None
    Queue(job.queue, connection=redis_connection()).enqueue(
        "app.jobs.runner.run_job",
        args=(job.id,),
        job_id=job.id,
        job_timeout=kind.timeout or config["JOB_TIMEOUT"],
        retry=retry,
        on_failure=Callback("app.jobs.runner.on_rq_failure"),
        result_ttl=config["JOB_RESULT_TTL"],
        failure_ttl=config["JOB_RESULT_TTL"],
        description=f"{job.kind} {job.id}",
        meta={"request_id": request_id.current()},  # the worker's log lines carry the starting request's id
    )


def resubmit(job_id: str) -> None:
    """Start an interrupted job again (app.jobs.heartbeat): a fresh RQ job with the same id and the tries it has
    left, or a job thread of this process. If Redis refuses, the row stays `interrupted` for the next reaper."""
    job = db.session.get(Job, job_id)
    tries_left = 1 + max(current_app.config["JOB_RETRY_MAX"], 0) - job.attempts
    if job.queue is None:
        job_threads().start(job_id, registry.kind(job.kind).queue, attempt=job.attempts + 1)
        return
    try:
        _enqueue_rq(job, tries_left - 1)
    except Exception as exc:  # noqa: BLE001 - Redis away: the reaper tries again
        log.warning("interrupted job not requeued yet", extra={"job_id": job_id, "error": type(exc).__name__})


def start_detached(job_id: str) -> None:
    """Start a job whose row was just committed by someone else's transaction (enqueue_after_commit)."""
    try:
        with _fresh_context():
            dispatch(job_id)
    except Exception as exc:  # noqa: BLE001 - never break the commit that triggered us
        log.error("job not started", extra={"job_id": job_id, "error": type(exc).__name__})


class JobThreads:
    """One app's job threads: per queue, a pool of JOB_THREADS threads taking jobs in order (with one thread —
    the default — a queue behaves like one RQ worker: a job starts after the one queued before it). A retry is
    put back on its queue after its pause (a timer), so a pause never holds a thread. `wait_idle` waits until
    no job is running or waiting for its retry."""

    def __init__(self, app):
        self.app = app
        self.pools: dict[str, ThreadPoolExecutor] = {}
        self.outstanding = 0
        self.idle = threading.Condition()

    def start(self, job_id: str, queue: str, attempt: int = 1) -> None:
        with self.idle:
            self.outstanding += 1
        self._submit(job_id, queue, attempt)

    def _submit(self, job_id: str, queue: str, attempt: int) -> None:
        with self.idle:
            pool = self.pools.get(queue)
            if pool is None:
                workers = max(1, self.app.config["JOB_THREADS"])
                pool = self.pools[queue] = ThreadPoolExecutor(workers, thread_name_prefix=f"job-{queue}")
        try:
            pool.submit(self._run, job_id, queue, attempt)
        except RuntimeError:  # the process is shutting down: the row stays queued, its lock is taken over later
            log.warning("job not started: shutting down", extra={"job_id": job_id})
            self._done()

    def _run(self, job_id: str, queue: str, attempt: int) -> None:
        try:
            with self.app.app_context():
                pause = run_attempt(job_id, attempt)
            if pause is not None:
                with self.idle:
                    self.outstanding += 1  # still outstanding while it waits for its retry
                timer = threading.Timer(pause, self._submit, (job_id, queue, attempt + 1))
                timer.daemon = True
                timer.start()
        except Exception as exc:  # noqa: BLE001 - a thread's failure is the row's, never an unseen traceback
            log.error("job thread crashed", extra={"job_id": job_id, "error": type(exc).__name__})
        finally:
            self._done()

    def _done(self) -> None:
        with self.idle:
            self.outstanding -= 1
            self.idle.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no job is running or waiting for a retry (True), or `timeout` seconds (False)."""
        with self.idle:
            return self.idle.wait_for(lambda: self.outstanding == 0, timeout)


_THREADS_LOCK = threading.Lock()


def job_threads(app=None) -> JobThreads:
    app = app or current_app._get_current_object()
    with _THREADS_LOCK:
        threads = app.extensions.get("zhugeleida_job_threads")
        if threads is None:
            threads = app.extensions["zhugeleida_job_threads"] = JobThreads(app)
    return threads


def start_thread(job_id: str) -> None:
    """Run the committed job on a background thread of this process (its kind's queue); returns at once."""
    job = db.session.get(Job, job_id)
    job_threads().start(job_id, registry.kind(job.kind).queue)


def run_attempt(job_id: str, attempt: int) -> float | None:
    """One try in the calling thread: None when the job is done (finished, failed, skipped), or the pause in
    seconds before the next try (a network/busy error with tries left: the row says "等待重试")."""
    config = current_app.config
    attempts = 1 + max(config["JOB_RETRY_MAX"], 0)
    try:
        _run_in_context(job_id, can_retry=attempt < attempts)
    except RetryLater:
        intervals = config["JOB_RETRY_INTERVALS"] or [0]
        return float(intervals[min(attempt - 1, len(intervals) - 1)])
    return None


def run_inline(job_id: str) -> None:
    """Run the job to its end in the calling thread, with the retries and pauses RQ would make."""
    attempt = 1
    while (pause := run_attempt(job_id, attempt)) is not None:
        time.sleep(pause)
        attempt += 1


# --- execution --------------------------------------------------------------------------------


def run_job(job_id: str) -> str:
    """The RQ entry point (app.jobs.runner.run_job)."""
    rq_job = get_current_job()
    with request_id.bound(rq_job.meta.get("request_id") if rq_job else None):
        return _run_in_context(job_id, can_retry=bool(rq_job and rq_job.retries_left))


def _run_in_context(job_id: str, can_retry: bool) -> str:
    with _fresh_context():
        return _run(job_id, can_retry)


def _run(job_id: str, can_retry: bool) -> str:
    job = db.session.get(Job, job_id)
    if job is None or job.status in TERMINAL:
        log.info("job skipped: nothing to do", extra={"job_id": job_id})
        return "skipped"
    # Claimed in SQL, on a status that is still not terminal (a cancel committed since the read above wins)
    # and with no live run of the row (an interrupted job's stale RQ entry never runs beside its retry).
    now = utcnow()
    claimed = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status.not_in(TERMINAL), ~heartbeat.live_run_clause())
        .values(
            status=STARTED, started_at=now, heartbeat_at=now, attempts=Job.attempts + 1, error_code=None, error=None
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if claimed.rowcount != 1:
        log.info("job skipped: canceled, or running elsewhere", extra={"job_id": job_id})
        return "skipped"
    db.session.refresh(job)
    jlog = job_logger(job)
    jlog.info("job started", extra={"attempt": job.attempts})
    try:
        with heartbeat.Heartbeat(job_id):
            result = import_string(registry.kind(job.kind).func)(job, **job.args)
    except Exception as exc:  # noqa: BLE001 - every failure is recorded on the row
        db.session.rollback()
        return _failed(job_id, exc, can_retry)
    job.status, job.progress, job.result, job.finished_at = FINISHED, 100, result, utcnow()
    job.stage = "完成"
    locks.release(job)
    db.session.commit()
    jlog.info("job finished")
    return FINISHED


def _describe(exc: Exception) -> tuple[int, str, bool]:
    """(code, message, retryable) of a failure; unexpected ones are logged by type and place, not by text
    (an exception's text can carry data such as SQL parameters)."""
    if isinstance(exc, WeChatError):
        return exc.errcode, exc.errmsg, exc.retryable
    if isinstance(exc, ApiError):
        return exc.code, exc.msg, False
    if isinstance(exc, JobTimeoutException):
        return Code.SERVER_ERROR, TIMEOUT_MSG, True
    if is_connection_error(exc):  # Redis or the database away for a moment: the next try may pass
        log.warning("job lost a connection", extra={"error": type(exc).__name__})
        return Code.SERVER_ERROR, CONNECTION_MSG, True
    where = [f"{frame.filename}:{frame.lineno}" for frame in traceback.extract_tb(exc.__traceback__)[-5:]]
    log.error("job crashed", extra={"error": type(exc).__name__, "where": where})
    return Code.SERVER_ERROR, CRASH_MSG, False


def _failed(job_id: str, exc: Exception, can_retry: bool) -> str:
    code, msg, retryable = _describe(exc)
    retry = retryable and can_retry
    _record_outcome(job_id, code, msg, retry)
    if retry:
        raise RetryLater(f"{code} {msg}") from None
    return FAILED


def _record_outcome(job_id: str, code: int, msg: str, retry: bool) -> None:
    """Write the failure (or the coming retry) on the row; while the database itself is away, try again for
    up to JOB_DB_WAIT seconds rather than leave the row saying "started"."""
    deadline = time.monotonic() + current_app.config["JOB_DB_WAIT"]
    pause = 0.5
    while True:
        try:
            job = db.session.get(Job, job_id)
            jlog = job_logger(job)
            if retry:
                job.status, job.stage, job.error_code, job.error = QUEUED, RETRY_STAGE, code, msg
            else:
                _record_failure(job, code, msg)
            db.session.commit()
            jlog.warning("job failed, will be retried" if retry else "job failed", extra={"error_code": code})
            return
        except Exception as exc:
            db.session.rollback()
            if not is_connection_error(exc) or time.monotonic() > deadline:
                raise
            log.warning("job outcome not recorded yet: database unreachable", extra={"job_id": job_id})
            time.sleep(pause)
            pause = min(pause * 2, 5)


def _record_failure(job: Job, code: int, msg: str) -> None:
    job.status, job.error_code, job.error, job.finished_at = FAILED, int(code), msg, utcnow()
    locks.release(job)


def on_rq_failure(rq_job, connection, exc_type, exc_value, tb) -> None:
    """RQ's failure callback. Our own failures are already on the row; this catches what never reached our
    code: a worker killed mid-job (AbandonedJobError, found by RQ's cleanup) or a callback-level timeout."""
    if exc_type is RetryLater:
        return
    with _fresh_context():
        job = db.session.get(Job, rq_job.id)
        if job is None or job.status in TERMINAL:
            return
        if job.status == STARTED and not heartbeat.is_dead(job):
            return  # an abandoned RQ entry of a job whose retry is running now
        if rq_job.retries_left:
            if job.status != INTERRUPTED:  # an interrupted row says so until its retry starts
                job.status, job.stage = QUEUED, RETRY_STAGE
        else:
            _record_failure(job, locks.LOST_CODE, locks.LOST_MSG)
        db.session.commit()
        job_logger(job).warning("job interrupted", extra={"error": getattr(exc_type, "__name__", "?")})
