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

from app.models.jobs import FAILED, FINISHED, INTERRUPTED, STARTED
from app.services.companies import start_sync
from app.timefmt import utcnow
from tests.fixtures.wechat import fresh_job, wait_for_job, wait_until


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
    worker = worker_process(cron=True)
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
    worker = worker_process()
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


def job_status(api, admin, job_id: str) -> str:
    return api.as_(admin).get(f"/zhugeleida/admin/jobs/{job_id}").get_json()["data"]["status"]


def hold_a_sync(sandbox, company) -> str:
    sandbox.fail_next("user/list", delay=60)  # the details call never comes back in time
    job_id = start_sync(company).job.id
    wait_until(lambda: fresh_job(job_id).progress >= 45, 30, "the sync to reach its details call")
    return job_id


def test_a_killed_worker_is_noticed_and_its_job_retried(api, make, linked_company, sandbox, worker_process, app):
    """SIGKILL of the worker and its work horse: with no worker left to notice, the status endpoint says
    `interrupted` once the heartbeat is JOB_HEARTBEAT_TIMEOUT old; a new worker runs the retry to its end."""
    admin = make.admin(linked_company)
    first = worker_process()
    job_id = hold_a_sync(sandbox, linked_company)
    first.kill()
    killed = time.monotonic()
    last_beat = fresh_job(job_id).heartbeat_at  # nobody beats any more
    assert job_status(api, admin, job_id) == STARTED  # the heartbeat is still fresh
    wait_until(lambda: job_status(api, admin, job_id) == INTERRUPTED, 30, "the interruption")
    assert time.monotonic() - killed < 60
    # Not before the last beat was JOB_HEARTBEAT_TIMEOUT old (a loaded machine may have beaten late before the
    # kill: the time since the kill can be shorter). 1 s: the column keeps whole seconds on some databases.
    assert (utcnow() - last_beat).total_seconds() >= app.config["JOB_HEARTBEAT_TIMEOUT"] - 1
    sandbox.clear_faults()
    second = worker_process()
    job = wait_for_job(job_id, 60)
    assert (job.status, job.attempts) == (FINISHED, 2), second.log()
    assert job.result["members"]["created"] + job.result["members"]["updated"] <= 20


def test_a_new_request_after_a_dead_run_starts_a_new_job(app, linked_company, sandbox, worker_process):
    """A new 5.7 never gets a dead run's job id back: the dead one is failed, the new one runs."""
    first = worker_process()
    job_id = hold_a_sync(sandbox, linked_company)
    first.kill()
    assert start_sync(linked_company).job.id == job_id  # still beating a moment ago: the same sync
    time.sleep(app.config["JOB_HEARTBEAT_TIMEOUT"] + 1)  # no worker left: nobody beats, nobody notices
    sandbox.clear_faults()
    # The request notices before any worker does: a worker started first would interrupt the dead run at once
    # and retry it (the test above), and the request would rightly get that live retry back.
    again = start_sync(linked_company)
    assert again.created and again.job.id != job_id
    worker_process()
    assert wait_for_job(again.job.id, 60).status == FINISHED
    assert fresh_job(job_id).status == FAILED


def test_a_dead_holder_of_an_app_lock_blocks_seconds_not_minutes(private_redis):
    """A work horse that dies holding a per-app Redis lock: the retry of the same job takes it over at once;
    another job waits only for the short TTL (renewed while a live holder runs), not 5 minutes."""
    from app.jobs.locks import renewed_lock

    redis = Redis.from_url(private_redis.url)
    with renewed_lock(redis, "t:lock", "job-a", ttl=2, wait=1):
        pass
    assert redis.get("t:lock") is None
    redis.set("t:lock", "job-a", px=2000)  # a holder that died without releasing
    started = time.monotonic()
    with renewed_lock(redis, "t:lock", "job-a", ttl=2, wait=5):  # its own retry: at once
        assert time.monotonic() - started < 0.5
        time.sleep(2.5)  # renewed while held
        assert redis.get("t:lock") == b"job-a"
    redis.set("t:lock", "job-a", px=2000)
    started = time.monotonic()
    with renewed_lock(redis, "t:lock", "job-b", ttl=2, wait=5):  # someone else: once the TTL lapses
        assert 1 < time.monotonic() - started < 3


def test_a_killed_work_horse_is_retried_at_once(linked_company, sandbox, worker_process):
    """Only the horse dies (as under the OOM killer): the worker marks the run interrupted when it sees the
    horse exit — not a heartbeat timeout later — and RQ's retry runs the job to its end."""
    worker = worker_process()
    job_id = hold_a_sync(sandbox, linked_company)
    sandbox.clear_faults()
    killed = time.monotonic()
    assert worker.kill_horse() == 1
    job = wait_for_job(job_id, 60)
    assert (job.status, job.attempts) == (FINISHED, 2), worker.log()
    assert time.monotonic() - killed < 15
    assert worker.process.poll() is None
