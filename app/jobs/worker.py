"""The RQ worker with the Flask app, and the cron scheduler process (used by worker.py and by `rq worker`).

`rq worker -w app.jobs.worker.AppWorker --with-scheduler --url $REDIS_URL zhugeleida:wechat zhugeleida:default`
is the same worker as `python worker.py`, without the cron process (run `rq cron app.jobs.rq_cron` beside it).

Outages (docs/jobs_wechat.md "Outages"): RQ's own worker quits on a Redis error met outside its idle wait, and
its scheduler process dies on any Redis error and is only restarted at the next maintenance. AppWorker instead
keeps the work horse running while Redis is away (a missed heartbeat is logged, not fatal), restarts its work
loop once Redis answers again, and brings the scheduler back within a poll interval; the cron process
reconnects the same way.
"""

import contextlib
import logging
import multiprocessing
import os
import time

from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import Worker
from rq.cron import CronScheduler
from rq.exceptions import StopRequested
from werkzeug.utils import import_string

from app.extensions import db
from app.jobs import maintenance, registry

log = logging.getLogger(__name__)
_fork_hook_installed = False
REDIS_DOWN = (RedisConnectionError, RedisTimeoutError)


def prepare_engine_for_fork() -> None:
    """Close the parent's pooled connections now, and make every forked work horse start with an empty pool
    of its own (SQLAlchemy's recipe: dispose(close=False) in the child), so no connection is ever shared."""
    global _fork_hook_installed
    engine = db.engine
    engine.dispose()
    if not _fork_hook_installed:
        os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))
        _fork_hook_installed = True


class AppWorker(Worker):
    """An RQ worker whose jobs run inside the Flask app's context."""

    def __init__(self, *args, app=None, **kwargs):
        if app is None:
            app = import_string(registry.APP_FACTORY)()
        self.flask_app = app
        self._app_context = app.app_context()
        self._app_context.push()
        prepare_engine_for_fork()
        config = app.config
        kwargs.setdefault("maintenance_interval", config["WORKER_MAINTENANCE_INTERVAL"])
        kwargs.setdefault("job_monitoring_interval", config["WORKER_HEARTBEAT_INTERVAL"])
        super().__init__(*args, **kwargs)
        self.max_connection_wait_time = config["WORKER_RECONNECT_MAX_WAIT"]

    @property
    def dequeue_timeout(self) -> int:
        """Wait for a job at most WORKER_POLL_INTERVAL seconds at a time (RQ: its TTL less 15 s), so that the
        scheduler check and the registries' maintenance run that often while the worker is idle."""
        return max(1, min(self.worker_ttl - 15, self.flask_app.config["WORKER_POLL_INTERVAL"]))

    def work(self, burst: bool = False, **kwargs) -> bool:
        """RQ's work loop, restarted after it ends on an error (Redis gone while a job ran, or while the worker
        reported its outcome) once Redis answers again. Only a stop request (SIGTERM/SIGINT) or a burst run
        ends it for good."""
        worked = False
        self.stopping = False
        while True:
            with contextlib.suppress(REDIS_DOWN):  # RQ's teardown could not tell Redis the worker stopped
                worked = super().work(burst=burst, **kwargs) or worked
            if burst or self.stopping or self._stop_requested:
                return worked
            log.warning("worker loop ended on an error: restarting once Redis answers", extra={"worker": self.name})
            try:
                self._wait_for_redis()
                self._reset_for_restart()
            except StopRequested:
                return worked

    def request_stop(self, signum, frame):
        self.stopping = True  # RQ raises StopRequested when idle without recording it: remember it here
        super().request_stop(signum, frame)

    def _wait_for_redis(self) -> None:
        pause = 0.5
        while not self.stopping:
            try:
                self.connection.ping()
                return
            except REDIS_DOWN:
                time.sleep(pause)
                pause = min(pause * 2, self.max_connection_wait_time)

    def _reset_for_restart(self) -> None:
        """Forget the previous loop's registration, channel and scheduler so that work() can start afresh under
        the same name (its scheduler locks are released, so the new scheduler takes them at once)."""
        with contextlib.suppress(Exception):  # the old channel is gone with the old connection anyway
            self.unsubscribe()
        self.pubsub = self.pubsub_thread = None
        if self.scheduler is not None:
            with contextlib.suppress(REDIS_DOWN):
                self.scheduler.release_locks()
            self.scheduler = None
        self.connection.delete(self.key)  # our own stale registration (RQ refuses a live name twice)
        self._horse_pid = 0

    def handle_work_horse_killed(self, job, retpid, ret_val, rusage):
        """The horse died under us (OOM killer, SIGKILL): its run is over now, not when its heartbeat goes stale.
        The row says `interrupted`, and RQ's failure handling that follows retries it (app.jobs.runner)."""
        super().handle_work_horse_killed(job, retpid, ret_val, rusage)
        maintenance.horse_died(self.flask_app, job.id)

    def run_maintenance_tasks(self):
        super().run_maintenance_tasks()
        maintenance.reap_interrupted(self.flask_app)

    def heartbeat(self, timeout=None, pipeline=None):
        super().heartbeat(timeout, pipeline)
        if pipeline is None:
            self.revive_scheduler()

    def maintain_heartbeats(self, job, execution):
        """While the work horse runs: a Redis error is logged and the horse goes on (RQ would end the worker
        and leave the horse orphaned); the next beat, once Redis is back, refreshes every TTL."""
        try:
            super().maintain_heartbeats(job, execution)
        except REDIS_DOWN as exc:
            log.warning("heartbeat missed: Redis unreachable", extra={"job_id": job.id, "error": type(exc).__name__})
            return
        self.revive_scheduler()

    def revive_scheduler(self) -> None:
        """RQ's scheduler process (retries with backoff) exits on any Redis error; start it again as soon as
        Redis answers (RQ itself waits for its next maintenance, ten minutes by default)."""
        scheduler = self.scheduler
        if scheduler is None or self.is_horse or getattr(self, "stopping", False) or self._stop_requested:
            return  # (a stop request stops the scheduler on purpose)
        process = scheduler._process
        if process is not None and process.is_alive():
            return
        try:
            if scheduler.acquire_locks(auto_start=True) and process is not None:
                log.warning("RQ scheduler restarted", extra={"worker": self.name})
        except REDIS_DOWN:
            pass


def run_cron(redis_url: str, prefix: str, max_wait: float = 5) -> None:
    """RQ's cron scheduler, started again whenever a Redis error ends it (RQ's own simply exits)."""
    pause = 0.5
    while True:
        scheduler = CronScheduler(connection=Redis.from_url(redis_url))
        registry.register_cron(scheduler, prefix)
        try:
            scheduler.start()  # returns on SIGTERM/SIGINT
            return
        except REDIS_DOWN as exc:
            log.warning("cron scheduler lost Redis: reconnecting", extra={"error": type(exc).__name__})
        try:
            time.sleep(pause)
        except StopRequested:
            return
        pause = min(pause * 2, max_wait)


def start_cron(redis_url: str, prefix: str, max_wait: float = 5) -> multiprocessing.process.BaseProcess:
    """RQ's cron scheduler in a child process (it blocks, and wants the main thread for its signals)."""
    process = multiprocessing.get_context("fork").Process(
        target=run_cron, args=(redis_url, prefix, max_wait), name="rq-cron", daemon=True
    )
    process.start()
    return process
