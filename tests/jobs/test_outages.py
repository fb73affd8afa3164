"""Fault tests: real `python worker.py` processes against a private Redis this test starts, stops and restarts
(never the shared server). They need a database a worker process can share and Redis available to the run:
skipped without TEST_DATABASE_URL and TEST_REDIS_URL."""

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from redis import Redis

from app.models.jobs import FINISHED, STARTED
from app.services.companies import start_sync
from tests.fixtures.wechat import fresh_job, wait_for_job, wait_until

# Small intervals so that a test sees the worker recover in seconds (production defaults: config.py).
FAST = {
    "WORKER_POLL_INTERVAL": "1",
    "WORKER_MAINTENANCE_INTERVAL": "2",
    "WORKER_HEARTBEAT_INTERVAL": "1",
    "WORKER_RECONNECT_MAX_WAIT": "1",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """A redis-server of our own, with an append-only file (as production should run it: docs/jobs_wechat.md),
    so that a stop and a restart on the same port keep the queues."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> "PrivateRedis":
        args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        args += ["--appendonly", "yes", "--appendfsync", "always", "--dir", str(self.directory)]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
        wait_until(self._answers, 10, "the private Redis")
        return self

    def _answers(self) -> bool:
        try:
            return Redis.from_url(self.url, socket_timeout=0.5).ping()
        except Exception:  # noqa: BLE001 - not up yet
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def private_redis(app, tmp_path):
    if not app.config["REDIS_URL"] or app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("fault tests need TEST_REDIS_URL and TEST_DATABASE_URL (a worker process shares the database)")
    if shutil.which("redis-server") is None:
        pytest.skip("needs redis-server on PATH")
    server = PrivateRedis(tmp_path).start()
    saved = app.config["REDIS_URL"], app.extensions.pop("zhugeleida_redis", None)
    app.config["REDIS_URL"] = server.url
    yield server
    app.config["REDIS_URL"] = saved[0]
    app.extensions.pop("zhugeleida_redis", None)
    if saved[1] is not None:
        app.extensions["zhugeleida_redis"] = saved[1]
    server.stop()


@pytest.fixture
def redis_conn(private_redis):
    """The fixtures' Redis (queues, worker registration) is the private one."""
    return Redis.from_url(private_redis.url)


def synced(log: str, job_id: str) -> int:
    return sum(1 for line in log.splitlines() if "address book synced" in line and job_id in line)


def test_a_redis_outage_mid_job_is_ridden_out(linked_company, sandbox, worker_process, private_redis):
    """Redis stops for 4 s while a sync runs: the job finishes exactly once, the worker is still running, and a
    job accepted after Redis returns runs without a restart."""
    worker = worker_process(cron=True, **FAST)
    sandbox.fail_next("user/list", delay=3)  # hold the sync at its details call
    job_id = start_sync(linked_company).job.id
    wait_until(lambda: fresh_job(job_id).progress >= 45, 30, "the sync to reach its details call")
    private_redis.stop()
    time.sleep(4)
    private_redis.start()
    job = wait_for_job(job_id, 60)
    assert job.status == FINISHED, (job.error_code, job.error, worker.log())
    assert worker.process.poll() is None, worker.log()
    wait_until(lambda: fresh_job(job_id) and synced(worker.log(), job_id) >= 1, 10, "the log line")
    time.sleep(2)  # a duplicate run, if RQ re-ran the job, would show up now
    assert synced(worker.log(), job_id) == 1, worker.log()
    after = wait_for_job(start_sync(linked_company).job.id, 30)
    assert after.status == FINISHED, worker.log()
    assert worker.process.poll() is None


def test_the_retry_scheduler_comes_back_after_a_blip(linked_company, sandbox, worker_process, private_redis, app):
    """Redis blips while the worker is idle; a job that then fails on a busy WeChat is retried by RQ's
    scheduler within seconds (RQ alone: at its next maintenance, ten minutes later)."""
    app.config["JOB_RETRY_INTERVALS"] = [1]
    worker = worker_process(**FAST)
    time.sleep(1)
    private_redis.stop()
    time.sleep(3)
    private_redis.start()
    time.sleep(3)  # the worker's next poll notices the dead scheduler and starts it again
    sandbox.fail_next("department/list", http_status=502)
    started = time.monotonic()
    job = wait_for_job(start_sync(linked_company).job.id, 30)
    assert (job.status, job.attempts) == (FINISHED, 2), worker.log()
    assert time.monotonic() - started < 15
    assert worker.process.poll() is None
    assert fresh_job(job.id).status != STARTED
