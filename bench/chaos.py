"""Chaos bench: the outages of docs/jobs_wechat.md "Outages", replayed against real processes, one table.

    .venv/bin/python bench/chaos.py --database-url 'mysql+pymysql://root@127.0.0.1:3306/zgl_chaos?charset=utf8mb4'

Everything it breaks is its own: a private redis-server (append-only file, on a free port) that it stops and
restarts, a TCP proxy in front of MariaDB that it cuts (the shared MariaDB is never touched), `python worker.py`
processes it kills, the WeChat sandbox (in a thread) that it slows down, and a gunicorn it starts. The database
is a throwaway one (its tables are dropped and created). Production defaults for every interval (heartbeat 10 s,
timeout 40 s, worker maintenance 15 s), so the figures are the ones a deployment gets.
"""

import argparse
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import requests
from redis import Redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load_soak import PASSWORD, Client, Recorder  # noqa: E402

from app import create_app  # noqa: E402
from app.commands.seed import seed_roles, seed_rules  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models.admin import ROLE_ADMIN, AdminUser  # noqa: E402
from app.models.company import Company, expiry_date  # noqa: E402
from app.models.jobs import Job  # noqa: E402
from app.security import hash_password, new_token  # noqa: E402
from app.services.companies import start_sync  # noqa: E402
from app.wechat.sandbox.remote import SandboxDriver  # noqa: E402
from app.wechat.sandbox.server import SandboxServer  # noqa: E402
from config import ProductionConfig  # noqa: E402

SECRET_KEY = "chaos-secret-key-0123456789abcdefghijkl"
FIELD_KEY = "Y2hhb3MtZmllbGQtZW5jcnlwdGlvbi1rZXktMDAwMDA="
CORP, CONTACTS, AGENT, AGENT_SECRET = "wwchaos000000001", "chaos-contacts-secret", 1000002, "chaos-agent-secret"
PREFIX = "zhugeleida-chaos"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait(predicate, timeout: float, step: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return None


class PrivateRedis:
    def __init__(self, directory: str):
        self.port, self.directory, self.process = free_port(), directory, None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "PrivateRedis":
        args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes"]
        args += ["--appendfsync", "always", "--dir", self.directory]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait(self.answers, 10)
        return self

    def answers(self) -> bool:
        try:
            return Redis.from_url(self.url, socket_timeout=0.5).ping()
        except Exception:  # noqa: BLE001
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


class Proxy:
    """A TCP proxy whose `cut()` drops every connection and refuses new ones until `restore()`."""

    def __init__(self, host: str, port: int):
        self.upstream, self.port = (host, port), free_port()
        self.listener, self.pairs, self.lock = None, [], threading.Lock()

    def restore(self) -> "Proxy":
        self.listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()
        return self

    def cut(self) -> None:
        self.listener.close()
        with self.lock:
            for pair in self.pairs:
                for sock in pair:
                    sock.close()
            self.pairs.clear()

    def _accept(self, listener) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.pairs.append((client, server))
            threading.Thread(target=self._pump, args=(client, server), daemon=True).start()

    @staticmethod
    def _pump(a, b) -> None:
        try:
            while True:
                ready, _, _ = select.select([a, b], [], [], 1)
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        raise OSError
                    (b if sock is a else a).sendall(data)
        except (OSError, ValueError):
            for sock in (a, b):
                sock.close()


class WorkerProcess:
    def __init__(self, env: dict, log: Path):
        args = [sys.executable, "worker.py"]
        self.process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True
        )

    def alive(self) -> bool:
        return self.process.poll() is None

    def children(self) -> list[int]:
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == self.process.pid:
                    found.append((int(entry.name), int(fields[2])))
        return found

    def kill(self) -> None:
        for pid, _group in self.children():
            os.kill(pid, signal.SIGKILL)
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def kill_horse(self) -> int:
        horses = [pid for pid, group in self.children() if group == pid]
        for pid in horses:
            os.kill(pid, signal.SIGKILL)
        return len(horses)

    def stop(self) -> None:
        if self.alive():
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


class Chaos:
    def __init__(self, args):
        self.args = args
        self.tmp = tempfile.mkdtemp(prefix="chaos-")
        self.sandbox_server = SandboxServer().start()
        self.sandbox = SandboxDriver(self.sandbox_server.url)
        self.redis = PrivateRedis(self.tmp).start()
        url = args.database_url
        host_port = url.split("@", 1)[1].split("/", 1)[0]
        host, port = host_port.split(":") if ":" in host_port else (host_port, "3306")
        self.proxy = Proxy(host, int(port)).restore()
        self.worker_db_url = url.replace(host_port, f"127.0.0.1:{self.proxy.port}")
        self.log = Path(self.tmp) / "worker.log"
        self.rows: list[tuple[str, str, str]] = []
        self.workers: list[WorkerProcess] = []

        class ChaosConfig(ProductionConfig):
            SECRET_KEY, FIELD_ENCRYPTION_KEY = "chaos-secret-key-0123456789abcdefghijkl", FIELD_KEY
            SQLALCHEMY_DATABASE_URI, REDIS_URL = url, self.redis.url
            RATELIMIT_ENABLED, LOG_LEVEL, JOB_QUEUE_PREFIX = False, "WARNING", PREFIX
            JOB_RETRY_INTERVALS = [2]

        self.app = create_app(ChaosConfig)
        self.app.config.update(self.sandbox_server.config())
        self.ctx = self.app.app_context()
        self.ctx.push()
        db.drop_all()
        db.create_all()
        seed_roles(seed_rules())
        agents = [{"agentid": AGENT, "secret": AGENT_SECRET, "name": "诸葛AI雷达"}]
        self.sandbox.seed_corp(CORP, CONTACTS, departments=5, members=50, agents=agents)
        self.company = Company(
            name="混沌公司",
            charging_start_time=date(2026, 1, 1),
            open_length_time=4,
            account_expired_time=expiry_date(date(2026, 1, 1), 4),
            mingpian_available_num=100,
            corp_id=CORP,
            tongxunlu_secret=CONTACTS,
            is_validate=True,
        )
        db.session.add(self.company)
        self.others = [
            Company(
                name=f"混沌公司{n}",
                charging_start_time=date(2026, 1, 1),
                open_length_time=4,
                account_expired_time=expiry_date(date(2026, 1, 1), 4),
                mingpian_available_num=100,
                corp_id=CORP,
                tongxunlu_secret=CONTACTS,
                is_validate=True,
            )
            for n in range(3)
        ]
        db.session.add_all(self.others)
        db.session.commit()
        self.admin = AdminUser(
            login_user="chaos",
            username="混沌",
            password_hash=hash_password(PASSWORD),
            company_id=self.company.id,
            role_id=ROLE_ADMIN,
            token=new_token(),
            invite_secret=new_token(),
        )
        db.session.add(self.admin)
        db.session.commit()

    # --- helpers ------------------------------------------------------------------------------------

    def env(self, **extra) -> dict:
        config = self.app.config
        return {
            **os.environ,
            "APP_ENV": "production",
            "SECRET_KEY": SECRET_KEY,
            "FIELD_ENCRYPTION_KEY": FIELD_KEY,
            "DATABASE_URL": self.worker_db_url,
            "REDIS_URL": self.redis.url,
            "JOB_QUEUE_PREFIX": PREFIX,
            "JOB_RETRY_INTERVALS": "2",
            "LOG_LEVEL": "INFO",
            **{key: config[key] for key in ("WECHAT_WORK_API_BASE", "WECHAT_API_BASE", "WECHAT_OPEN_BASE")},
            **extra,
        }

    def worker(self) -> WorkerProcess:
        worker = WorkerProcess(self.env(), self.log)
        self.workers.append(worker)
        time.sleep(3)  # registered and listening
        return worker

    def job(self, job_id: str) -> Job:
        db.session.rollback()
        return db.session.get(Job, job_id)

    def hold_sync(self, delay: float) -> str:
        self.sandbox.fail_next("user/list", delay=delay)
        job_id = start_sync(db.session.get(Company, self.company.id)).job.id
        wait(lambda: self.job(job_id).progress >= 45, 60)
        return job_id

    def done(self, job_id: str, timeout: float = 120):
        return wait(lambda: (job := self.job(job_id)).status in ("finished", "failed") and job, timeout, 0.2)

    def row(self, fault: str, before: str, now: str) -> None:
        self.rows.append((fault, before, now))
        print(f"| {fault} | {before} | {now} |", flush=True)

    def stop_workers(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.workers.clear()

    # --- scenarios ---------------------------------------------------------------------------------

    def redis_stopped_mid_job(self) -> None:
        worker = self.worker()
        job_id = self.hold_sync(delay=5)
        self.redis.stop()
        time.sleep(self.args.redis_outage)
        self.redis.start()
        back = time.monotonic()
        after = [start_sync(db.session.get(Company, other.id)).job.id for other in self.others]
        later = [self.done(j, 60) for j in after]
        resumed = time.monotonic() - back
        job = self.done(job_id)
        ok = all(j and j.status == "finished" for j in later)
        self.row(
            f"Redis stopped {self.args.redis_outage:.0f} s while a job ran",
            "worker exited; job failed; later jobs queued until a restart",
            f"worker {'running' if worker.alive() else 'EXITED'}; job {job and job.status} "
            f"(attempts {job and job.attempts}); 3 jobs accepted after it {'finished' if ok else 'NOT all run'} "
            f"{resumed:.1f} s after Redis returned",
        )
        self.stop_workers()

    def redis_blip_idle(self) -> None:
        worker = self.worker()
        self.redis.stop()
        time.sleep(3)
        self.redis.start()
        back = time.monotonic()
        time.sleep(1)
        self.sandbox.fail_next("department/list", http_status=502)
        job = self.done(start_sync(db.session.get(Company, self.company.id)).job.id, 120)
        took = time.monotonic() - back
        self.row(
            "Redis blip, worker idle; then a job needing a retry",
            "RQ's retry scheduler died; the retry waited for the 10-minute maintenance",
            f"retry ran: job {job and job.status} (attempts {job and job.attempts}) {took:.1f} s after Redis "
            f"returned (retry pause 2 s); worker {'running' if worker.alive() else 'EXITED'}",
        )
        self.stop_workers()

    def worker_killed(self) -> None:
        first = self.worker()
        job_id = self.hold_sync(delay=120)
        first.kill()
        killed = time.monotonic()
        self.sandbox.clear_faults()
        again = start_sync(db.session.get(Company, self.company.id)).job.id
        self.worker()
        interrupted = wait(lambda: self.job(job_id).status != "started", 120, 0.5)
        noticed = time.monotonic() - killed
        status_seen = self.job(job_id).status if interrupted else "started"
        job = self.done(job_id, 120)
        later = start_sync(db.session.get(Company, self.company.id))
        self.row(
            "worker SIGKILLed (with its horse), restarted 3 s later",
            "status `started` for minutes; a new 5.7 got the dead job's id; the reaper trusted RQ",
            f"noticed after {noticed:.1f} s (-> {status_seen}); retry: {job and job.status} "
            f"(attempts {job and job.attempts}); a 5.7 meanwhile got {'the same' if again == job_id else 'its'} "
            f"job; after: {'a new job' if later.created else 'the old id'}",
        )
        self.done(later.job.id, 60)
        self.stop_workers()

    def horse_killed(self) -> None:
        worker = self.worker()
        job_id = self.hold_sync(delay=120)
        killed_at = time.monotonic()
        worker.kill_horse()
        self.sandbox.clear_faults()
        job = self.done(job_id, 180)
        self.row(
            "only the work horse killed (OOM-like)",
            "the retry waited 5 min on the dead horse's per-app lock (300 s TTL)",
            f"job {job and job.status} (attempts {job and job.attempts}) {time.monotonic() - killed_at:.1f} s "
            "after the kill; per-app locks: 15 s TTL renewed while held, taken over by the same job's retry",
        )
        self.stop_workers()

    def database_dropped(self) -> None:
        self.worker()
        job_id = self.hold_sync(delay=4)
        self.proxy.cut()
        time.sleep(self.args.db_outage)
        self.proxy.restore()
        back = time.monotonic()
        job = self.done(job_id, 180)
        self.row(
            f"database unreachable {self.args.db_outage:.0f} s mid-job (the worker's connections cut)",
            "the failure could not be recorded; `started` for 7 min 21 s",
            f"job {job and job.status} (attempts {job and job.attempts}) {time.monotonic() - back:.1f} s after "
            "the database returned",
        )
        self.stop_workers()

    def wechat_hangs(self) -> None:
        for worker_class, threads in (("sync", 1), ("gthread", 4)):
            self.row(*self._wechat_hang(worker_class, threads))

    def _wechat_hang(self, worker_class: str, threads: int) -> tuple[str, str, str]:
        port = free_port()
        env = self.env(
            GUNICORN_BIND=f"127.0.0.1:{port}",
            GUNICORN_WORKER_CLASS=worker_class,
            GUNICORN_THREADS=str(threads),
            GUNICORN_ACCESS_LOG="",
            DATABASE_URL=self.args.database_url,
            RATELIMIT_ENABLED="false",
        )
        gunicorn = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=(Path(self.tmp) / "gunicorn.log").open("ab"),
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait(lambda: self._up(base), 30)
            session = Client.login(base, "chaos")
            recorder = Recorder()
            self.sandbox.fail_next("*", delay=9.9, times=40)  # each call slow, inside WECHAT_TIMEOUT (10 s)
            form = {"app_type": 1, "agent_id": AGENT, "app_secret": AGENT_SECRET}
            company_id = self.company.id

            def bound(_):
                client = Client(base, session, recorder)
                started = time.monotonic()
                client.post("7.4", f"/company/update_agent/{company_id}", form)
                return time.monotonic() - started

            with ThreadPoolExecutor(4) as pool:
                futures = [pool.submit(bound, n) for n in range(4)]
                time.sleep(1)
                reader = Client(base, session, recorder)
                started = time.monotonic()
                reader.get("read", "/jobs", {"current_page": 1, "length": 10})
                read = time.monotonic() - started
                longest = max(f.result() for f in futures)
            self.sandbox.clear_faults()
        finally:
            os.killpg(gunicorn.pid, signal.SIGTERM)
            gunicorn.wait(30)
        before = "an unrelated read stalled 19.5 s (2 sync workers); 7.4's three calls took 29.95 s"
        now = f"unrelated read {read:.2f} s; slowest 7.4 answered after {longest:.1f} s"
        return f"WeChat hung, 4 WeChat-bound requests ({worker_class}, {threads} thread(s) x 2 workers)", before, now

    @staticmethod
    def _up(base: str) -> bool:
        try:
            return requests.get(base + "/healthz", timeout=2).status_code in (200, 503)
        except requests.RequestException:
            return False

    def close(self) -> None:
        self.stop_workers()
        self.redis.stop()
        self.sandbox_server.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)


SCENARIOS = ("redis_stopped_mid_job", "redis_blip_idle", "worker_killed", "horse_killed", "database_dropped")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="a throwaway MariaDB database (tables are dropped)")
    parser.add_argument("--redis-outage", type=float, default=20)
    parser.add_argument("--db-outage", type=float, default=15)
    parser.add_argument("--only", action="append", choices=[*SCENARIOS, "wechat_hangs"])
    args = parser.parse_args()
    chaos = Chaos(args)
    print("| fault | before | now |\n|---|---|---|", flush=True)
    try:
        for name in args.only or [*SCENARIOS, "wechat_hangs"]:
            getattr(chaos, name)()
    finally:
        chaos.close()


if __name__ == "__main__":
    main()
