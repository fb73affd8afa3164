"""Job heartbeats (docs/jobs_wechat.md "Outages"): the process running a job writes `job.heartbeat_at` every
JOB_HEARTBEAT_INTERVAL seconds from a thread of its own; a `started` row whose heartbeat is older than
JOB_HEARTBEAT_TIMEOUT belongs to a process that is gone (SIGKILL, OOM, host lost).

Such a row is marked `interrupted` by whoever sees it first — the worker's maintenance, the cron reaper, the
job-status endpoint, or a request wanting the same lock — and then retried (a fresh RQ job with the same id, or
a job thread of the process that noticed) while it has tries left, failed otherwise. A run is claimed only
when no live run holds the row (app.jobs.runner), so a retry never runs beside the run it replaces. The marking
and the retry are app.jobs.maintenance's (`interrupt`).
"""

import logging
import threading
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, update

from app.extensions import db
from app.models.jobs import INTERRUPTED, STARTED, Job
from app.timefmt import utcnow

log = logging.getLogger(__name__)

INTERRUPTED_STAGE = "已中断，等待重试"
INTERRUPTED_CODE = 500
INTERRUPTED_MSG = "任务中断（执行它的工作进程已退出），将自动重试"


class Heartbeat:
    """`with Heartbeat(job_id):` beats for the job while the block runs (its own thread and connection)."""

    def __init__(self, job_id: str):
        self.app = current_app._get_current_object()
        self.job_id = job_id
        self.interval = self.app.config["JOB_HEARTBEAT_INTERVAL"]
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"heartbeat-{job_id[:8]}", daemon=True)

    def __enter__(self) -> "Heartbeat":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(timeout=5)

    def _beat(self) -> None:
        with self.app.app_context():
            while not self.stop.wait(self.interval):
                try:
                    beat = update(Job).where(Job.id == self.job_id, Job.status == STARTED)
                    with db.engine.begin() as connection:
                        connection.execute(beat.values(heartbeat_at=utcnow()))
                except Exception as exc:  # noqa: BLE001 - the database away for a moment: beat again later
                    log.warning("job heartbeat not written", extra={"job_id": self.job_id, "error": type(exc).__name__})


def timeout() -> timedelta:
    return timedelta(seconds=current_app.config["JOB_HEARTBEAT_TIMEOUT"])


def last_sign(job: Job):
    return job.heartbeat_at or job.started_at or job.create_date


def is_dead(job: Job) -> bool:
    """A `started` row whose running process stopped beating."""
    return job.status == STARTED and last_sign(job) < utcnow() - timeout()


def live_run_clause():
    """SQL: a run of this row is alive (claiming it again would run the job twice)."""
    cutoff = utcnow() - timeout()
    return (Job.status == STARTED) & (func.coalesce(Job.heartbeat_at, Job.started_at, Job.create_date) >= cutoff)


def mark_interrupted(job_id: str) -> bool:
    """A run known dead (its process exited under the worker's eyes): `interrupted` now, whatever its heartbeat
    says; the retry is left to RQ's failure handling, which follows. Commits."""
    marked = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == STARTED)
        .values(status=INTERRUPTED, stage=INTERRUPTED_STAGE, error_code=INTERRUPTED_CODE, error=INTERRUPTED_MSG)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return marked.rowcount == 1
