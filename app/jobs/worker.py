"""The RQ worker with the Flask app, and the cron scheduler process (used by worker.py and by `rq worker`).

`rq worker -w app.jobs.worker.AppWorker --with-scheduler --url $REDIS_URL zhugeleida:wechat zhugeleida:default`
is the same worker as `python worker.py`, without the cron process (run `rq cron app.jobs.rq_cron` beside it).
"""

import logging
import multiprocessing
import os

from redis import Redis
from rq import Worker
from rq.cron import CronScheduler

from app.extensions import db
from app.jobs import registry

log = logging.getLogger(__name__)
_fork_hook_installed = False


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
            from app import create_app

            app = create_app()
        self.flask_app = app
        self._app_context = app.app_context()
        self._app_context.push()
        prepare_engine_for_fork()
        super().__init__(*args, **kwargs)


def run_cron(redis_url: str, prefix: str) -> None:
    scheduler = CronScheduler(connection=Redis.from_url(redis_url))
    registry.register_cron(scheduler, prefix)
    scheduler.start()


def start_cron(redis_url: str, prefix: str) -> multiprocessing.Process:
    """RQ's cron scheduler in a child process (it blocks, and wants the main thread for its signals)."""
    process = multiprocessing.get_context("fork").Process(
        target=run_cron, args=(redis_url, prefix), name="rq-cron", daemon=True
    )
    process.start()
    return process
