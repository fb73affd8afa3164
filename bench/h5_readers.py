"""H5 readers: how many concurrent readers of one article a host serves, and what a surge does (see
bench/README.md, "H5 readers"; docs/h5.md "The hot path", "Overload").

    .venv/bin/python bench/h5_readers.py                              # stepped search, then the surge
    .venv/bin/python bench/h5_readers.py --levels 1000 --no-surge --hot-buffer off   # today's direct writes

1. prepares a MariaDB database (created if missing; `flask db upgrade`, `flask seed`, `flask demo-data` with
   --customers customers and --events access events), then one published article and every customer's place
   in a radar user's forwarding chain;
2. starts `gunicorn -c gunicorn.conf.py wsgi:app` (the project's config, APP_ENV=production) on MariaDB +
   Redis, `python worker.py` (whose cron flushes the hot buffer), and nginx with deploy/nginx/zhugeleida.conf
   in front (its limit_conn bound and fast 503) unless --no-nginx;
3. simulates readers: each arrives, signs as its customer, reads the article (15.1), sends a heartbeat (16.5)
   every `heartbeat_interval` seconds the server returns (--interval sets it), and leaves after a session of
   --session-seconds on average (exponential); a leaving reader is replaced by a new arrival. As the H5 pages
   do (console/src/api/client.ts, overloadPause), a read refused with HTTP 503 is retried, a heartbeat is not
   (shed: the next one carries its seconds);
4. stepped search: for each of --levels concurrent readers, ramps up, then measures --step-seconds: heartbeat
   and read p50/p95, errors (a request whose last try is not HTTP 200 with code 200, or times out; a shed
   heartbeat is not one), 503s, and the gunicorn workers' CPU per request. The largest level with heartbeat
   p95 < 200 ms, no error and at most 1 % of its heartbeats shed is the host's capacity. After the first
   level, a --cpu-seconds phase without arrivals measures the CPU of a heartbeat alone;
5. surge: from half the capacity found, arrivals ×--surge-factor for --surge-seconds, then the steady rate
   again: errors, 503s, the longest wait of any request, and the time until the host serves again (from the
   surge's end until a whole second in which every heartbeat was served with p95 < 200 ms and every new
   reader's first read was served; the surge's own readers still retrying are reported apart);
6. writes bench/results/h5-readers-<time>.json and .md and prints the summary.
"""

import argparse
import asyncio
import hashlib
import itertools
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

from load_soak import RESULTS, ROOT, VENV_BIN, Gunicorn, app_env, create_database, flask, free_port, percentile
from sqlalchemy import create_engine, text

PREFIX = "读者压测"
TITLE = "压测文章"
G = "/zhugeleida/gongzhonghao/article"
P95_LIMIT_MS = 200
MAX_SHED = 0.01  # a level passes with at most this share of its heartbeats shed (503)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default_db = "mysql+pymysql://root@127.0.0.1:3306/zhugeleida_hot_bench?charset=utf8mb4"
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", default_db))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/1"))
    parser.add_argument("--levels", default="1000,2000,3000,4000,5000", help="concurrent readers, in order")
    parser.add_argument("--step-seconds", type=float, default=15, help="measured seconds per level")
    parser.add_argument("--ramp-seconds", type=float, default=15, help="seconds before measuring a level")
    parser.add_argument("--cpu-seconds", type=float, default=10, help="heartbeat-only phase (0: none)")
    parser.add_argument("--session-seconds", type=float, default=60, help="a reader's mean stay")
    parser.add_argument("--interval", type=int, default=5, help="STAYTIME_HEARTBEAT_INTERVAL for the server")
    parser.add_argument("--surge-factor", type=float, default=10)
    parser.add_argument("--surge-seconds", type=float, default=30)
    parser.add_argument("--surge-readers", type=int, default=0, help="readers before the surge (0: half capacity)")
    parser.add_argument("--no-surge", action="store_true")
    parser.add_argument("--hot-buffer", choices=("on", "off"), default="on")
    parser.add_argument("--no-nginx", action="store_true", help="readers talk to gunicorn directly")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("GUNICORN_WORKERS", "2")))
    parser.add_argument("--connections", type=int, default=512, help="the simulated browsers' connections")
    parser.add_argument("--customers", type=int, default=8000)
    parser.add_argument("--events", type=int, default=200_000, help="access events already stored")
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database first")
    parser.add_argument("--no-prepare", action="store_true", help="skip step 1 (the database is ready)")
    parser.add_argument(
        "--beat-cpu", type=int, default=0, help="only the CPU of N heartbeats (and of N /healthz/live), no nginx"
    )
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port, nginx's the next one (0: free ones)")
    return parser.parse_args()


# --- 1. the data ------------------------------------------------------------------------------------


def prepare(args) -> None:
    create_database(args.database_url, args.fresh)
    env = app_env(args)
    flask(env, "db", "upgrade")
    flask(env, "seed")
    engine = create_engine(args.database_url)
    with engine.begin() as conn:
        known = conn.execute(text("SELECT id FROM company WHERE name LIKE :p"), {"p": PREFIX + "%"}).first()
    if known is None:
        options = ["--companies", "1", "--users", "5", "--customers", str(args.customers)]
        options += ["--events", str(args.events), "--prefix", PREFIX, "--seed", "1"]
        flask(env, "demo-data", *options)
    with engine.begin() as conn:
        company_id = conn.execute(text("SELECT id FROM company WHERE name LIKE :p"), {"p": PREFIX + "%"}).scalar()
        article_id = conn.execute(
            text("SELECT id FROM article WHERE company_id = :c AND title = :t"), {"c": company_id, "t": TITLE}
        ).scalar()
        if article_id is None:
            author = conn.execute(text("SELECT id FROM admin_user WHERE company_id = :c"), {"c": company_id}).scalar()
            conn.execute(
                text(
                    "INSERT INTO article (company_id, author_id, title, summary, content, cover_picture, status,"
                    " source, insert_ads, read_count, forward_count, create_date)"
                    " VALUES (:c, :a, :t, '摘要', :body, '', 1, 1, '', 0, 0, NOW())"
                ),
                {"c": company_id, "a": author, "t": TITLE, "body": "<p>" + "正文" * 1500 + "</p>"},
            )
        conn.execute(
            text(
                "INSERT IGNORE INTO article_share (company_id, article_id, radar_user_id, customer_id, parent_key,"
                " level, read_count, forward_friend_count, forward_moments_count, stay_time, create_date)"
                " SELECT c.company_id, a.id, u.id, c.id, 0, 1, 0, 0, 0, 0, NOW()"
                " FROM customer c JOIN article a ON a.company_id = c.company_id AND a.title = :t"
                " JOIN (SELECT MIN(id) AS id FROM radar_user WHERE company_id = :c AND status = 1) u"
                " WHERE c.company_id = :c AND c.status = 1"
            ),
            {"c": company_id, "t": TITLE},
        )
    engine.dispose()


def world(url: str) -> dict:
    engine = create_engine(url)
    with engine.connect() as conn:
        company_id = conn.execute(text("SELECT id FROM company WHERE name LIKE :p"), {"p": PREFIX + "%"}).scalar()
        article_id = conn.execute(
            text("SELECT id FROM article WHERE company_id = :c AND title = :t"), {"c": company_id, "t": TITLE}
        ).scalar()
        rows = conn.execute(
            text(
                "SELECT s.customer_id, c.token, s.radar_user_id FROM article_share s"
                " JOIN customer c ON c.id = s.customer_id WHERE s.article_id = :a"
            ),
            {"a": article_id},
        ).all()
    engine.dispose()
    return {"article_id": article_id, "customers": [(r[0], r[1], r[2]) for r in rows]}


# --- 2. the processes -------------------------------------------------------------------------------


class Nginx:
    """deploy/nginx/zhugeleida.conf on a free loopback port, proxying to the bench's gunicorn."""

    def __init__(self, app_port: int, port: int = 0):
        self.port = port or free_port()
        self.work = Path(tempfile.mkdtemp(prefix="h5-readers-nginx-"))
        site = (ROOT / "deploy" / "nginx" / "zhugeleida.conf").read_text()
        site = site.replace("listen [::]:80;", "").replace("listen 80;", f"listen 127.0.0.1:{self.port};")
        site = site.replace("server 127.0.0.1:8000", f"server 127.0.0.1:{app_port}")
        site = site.replace("/var/log/nginx/", f"{self.work}/")
        (self.work / "site.conf").write_text(site)
        (self.work / "nginx.conf").write_text(
            f"pid {self.work}/nginx.pid;\nworker_processes 1;\nevents {{ worker_connections 8192; }}\n"
            f"http {{ include /etc/nginx/mime.types; access_log off; client_body_temp_path {self.work}/body;"
            f" proxy_temp_path {self.work}/proxy; include {self.work}/site.conf; }}\n"
        )
        self.process: subprocess.Popen | None = None

    def start(self) -> "Nginx":
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        self.process = subprocess.Popen(
            [
                binary,
                "-p",
                str(self.work),
                "-c",
                str(self.work / "nginx.conf"),
                "-g",
                f"daemon off; error_log {self.work}/error.log warn;",
            ],
            start_new_session=True,
        )
        time.sleep(1)
        if self.process.poll() is not None:
            sys.exit(f"nginx exited: {(self.work / 'error.log').read_text()[-2000:]}")
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        log = self.work / "error.log"
        if log.exists():  # its limit_conn refusals and upstream errors, for a look after the run
            shutil.copyfile(log, RESULTS / "h5_nginx_error.log")
        shutil.rmtree(self.work, ignore_errors=True)


class Worker:
    """`python worker.py`: its cron runs the hot buffer's flush."""

    def __init__(self, args):
        self.env = app_env(args)
        self.process: subprocess.Popen | None = None

    def start(self) -> "Worker":
        log = (RESULTS / "h5_worker.log").open("ab")
        self.process = subprocess.Popen(
            [str(VENV_BIN / "python"), "worker.py"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


# --- 3. the readers -----------------------------------------------------------------------------------


def overload_pause(attempt: int, retry_after: float | None) -> float:
    """The H5 pages' rule (console/src/api/client.ts overloadPause), in seconds."""
    base = max(retry_after or 0.0, min(8.0, 0.5 * 2**attempt))
    return base * (0.5 + random.random() / 2)


def heartbeat_pause(previous: float, interval: float, served: bool, asked: float | None = None) -> float:
    """The H5 page's rule (console/src/api/client.ts heartbeatPause), in seconds: a heartbeat the server did not
    serve doubles the pause before the next one, up to three intervals; one it served halves it back, down to the
    interval the answer asks for (longer than 15.1's while the server is busy)."""
    return max(asked or interval, previous / 2) if served else min(3 * interval, previous * 2)


class Http:
    """Keep-alive HTTP/1.1 GETs over at most `size` connections (the readers' browsers)."""

    def __init__(self, port: int, size: int):
        self.port = port
        self.slots = asyncio.Semaphore(size)
        self.idle: list = []

    async def get(self, path: str, retry: int = 0) -> tuple[int, dict, bytes]:
        async with self.slots:
            conn = self.idle.pop() if self.idle else await asyncio.open_connection("127.0.0.1", self.port)
            reader, writer = conn
            # A retry says so, as the pages' client does (X-Retry-Attempt: nginx bounds the retries' share).
            extra = f"X-Retry-Attempt: {retry}\r\n" if retry else ""
            try:
                writer.write(
                    f"GET {path} HTTP/1.1\r\nHost: bench.local\r\nAccept: application/json\r\n{extra}\r\n".encode()
                )
                status = int((await reader.readline()).split()[1])
                headers = {}
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
            except BaseException:
                writer.close()
                raise
            if headers.get("connection", "").lower() == "close":
                writer.close()
            else:
                self.idle.append(conn)
            return status, headers, body


class Stats:
    def __init__(self):
        # (end time, kind, ms, HTTP status or 0, whether the reader arrived during the surge)
        self.samples: list[tuple[float, str, float, int, bool]] = []
        self.outcomes: list[tuple[float, str, bool, str]] = []  # (end time, kind, served, HTTP status/code)

    def window(self, start: float, end: float) -> dict:
        out = {}
        for kind in ("read", "beat"):
            ms = sorted(s[2] for s in self.samples if start <= s[0] < end and s[1] == kind and s[3] == 200)
            done = [o for o in self.outcomes if start <= o[0] < end and o[1] == kind]
            out[kind] = {
                "requests": len(ms),
                "per_second": round(len(ms) / (end - start), 1),
                "p50_ms": round(percentile(ms, 50), 1) if ms else None,
                "p95_ms": round(percentile(ms, 95), 1) if ms else None,
                "max_ms": round(ms[-1], 1) if ms else None,
                "errors": sum(1 for o in done if not o[2]),
                "error_kinds": dict(Counter(o[3] for o in done if not o[2])),
                # a read's 503s are retried; a heartbeat's are shed (its time goes with the next one)
                "refused_503": sum(1 for s in self.samples if start <= s[0] < end and s[1] == kind and s[3] == 503),
            }
        return out


async def loop_lag(lags: list[tuple[float, float]]) -> None:
    """How late this process's event loop wakes up (ms): a busy machine delays the simulated browsers too,
    and every latency above includes it."""
    while True:
        started = time.perf_counter()
        await asyncio.sleep(0.1)
        now = time.perf_counter()
        lags.append((now, (now - started - 0.1) * 1000))


class Load:
    def __init__(self, args, port: int, data: dict):
        self.args, self.data = args, data
        self.http = Http(port, args.connections)
        self.stats = Stats()
        self.target = 0
        self.active = 0
        self.hold = False  # readers stay and nobody arrives (the heartbeat-only CPU phase)
        self.last_ts = 0
        self.tasks: set[asyncio.Task] = set()
        self.reading = 0  # reads in flight
        self.lags: list[tuple[float, float]] = []
        self.unserved = False  # the last call's last try: shed (503) or no answer
        self.surging = False  # arrivals now are the surge's

    def lag_p95(self, start: float, end: float) -> float | None:
        lags = sorted(lag for at, lag in self.lags if start <= at < end)
        return round(percentile(lags, 95), 1) if lags else None

    def signed(self, path: str, customer, query: dict) -> str:
        customer_id, token, _ = customer
        self.last_ts = max(int(time.time() * 1000), self.last_ts + 1)
        ts = str(self.last_ts)
        rand = hashlib.md5((ts + token).encode()).hexdigest()
        params = "&".join(f"{k}={v}" for k, v in {**query, "timestamp": ts, "user_id": customer_id}.items())
        return f"{path}?{params}&rand_str={rand}"

    async def call(self, kind: str, path: str, customer, query: dict, surge: bool = False) -> dict | None:
        """The answer's data when served, else None; then `self.unserved` (read it before any await) says whether
        the last try was shed or had no answer."""
        # As the pages do: a read retries a 503 five times; a heartbeat never (the next one is its retry).
        retries = 0 if kind == "beat" else 5
        for attempt in range(retries + 1):
            started = time.perf_counter()
            try:
                answer = self.http.get(self.signed(path, customer, query), attempt)
                status, headers, body = await asyncio.wait_for(answer, 30)
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError, IndexError):
                status, headers, body = 0, {}, b""
            now = time.perf_counter()
            self.stats.samples.append((now, kind, (now - started) * 1000, status, surge))
            self.unserved = status in (0, 503)
            if status == 503 and attempt < retries:
                retry_after = headers.get("retry-after")
                await asyncio.sleep(overload_pause(attempt, float(retry_after) if retry_after else None))
                continue
            payload = None
            if status == 200:
                try:
                    payload = json.loads(body)
                except ValueError:
                    payload = None
            served = payload is not None and payload.get("code") == 200
            if status == 503 and not retries:  # shed: the next heartbeat carries its seconds
                return None
            detail = f"HTTP {status}" if payload is None else f"code {payload.get('code')}"
            self.stats.outcomes.append((now, kind, served, detail))
            return payload["data"] if served else None
        return None

    async def reader(self) -> None:
        self.active += 1
        try:
            customer = random.choice(self.data["customers"])
            article, surge = self.data["article_id"], self.surging
            self.reading += 1
            try:
                data = await self.call("read", f"{G}/myarticle/{article}", customer, {"uid": customer[2]}, surge)
            finally:
                self.reading -= 1
            if data is None:
                return
            interval = data.get("heartbeat_interval") or 10
            query = {"uid": customer[2], "article_access_log_id": data["article_access_log_id"]}
            leave = time.perf_counter() + min(random.expovariate(1 / self.args.session_seconds), 5 * 60)
            pause = interval
            while self.hold or time.perf_counter() < leave:
                await asyncio.sleep(pause)  # the page's timer, set once the previous heartbeat was answered
                answer = await self.call("beat", f"{G}/staytime/{article}", customer, query, surge)
                asked = answer.get("heartbeat_interval") if answer else None
                pause = heartbeat_pause(pause, interval, not self.unserved, asked)
        finally:
            self.active -= 1

    def spawn(self) -> None:
        task = asyncio.get_running_loop().create_task(self.reader())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def arrivals(self, extra_rate: list[float]) -> None:
        """Keep `target` readers (new arrivals replace leavers), plus extra_rate[0] arrivals per second."""
        debt = 0.0
        while True:
            await asyncio.sleep(0.05)
            if self.hold:
                continue
            # Ramp up at most target/ramp readers per second, so a level is reached within its ramp.
            missing = self.target - self.active
            room = max(1, int(self.target / max(self.args.ramp_seconds, 1) * 0.05))
            for _ in range(max(0, min(missing, room))):
                self.spawn()
            debt += extra_rate[0] * 0.05
            while debt >= 1:
                debt -= 1
                self.spawn()


def children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


class Cpu:
    """Share of one core used since the last reading by the gunicorn workers, nginx and this load generator."""

    def __init__(self, gunicorn: Gunicorn, nginx: "Nginx | None"):
        self.gunicorn, self.nginx = gunicorn, nginx
        self.last = self._now()

    def _now(self) -> tuple[float, float, float, float]:
        nginx = [self.nginx.process.pid, *children(self.nginx.process.pid)] if self.nginx and self.nginx.process else []
        return time.perf_counter(), cpu_seconds(self.gunicorn.workers()), cpu_seconds(nginx), time.process_time()

    def reading(self) -> dict:
        now = self._now()
        wall = now[0] - self.last[0]
        shares = [round((now[i] - self.last[i]) / wall * 100) for i in (1, 2, 3)]
        self.last = now
        return dict(zip(("workers_cpu_percent", "nginx_cpu_percent", "client_cpu_percent"), shares, strict=True))


async def run_load(args, port: int, data: dict, gunicorn: Gunicorn, nginx: "Nginx | None" = None) -> dict:
    load = Load(args, port, data)
    extra = [0.0]
    feeder = asyncio.get_running_loop().create_task(load.arrivals(extra))
    lagger = asyncio.get_running_loop().create_task(loop_lag(load.lags))
    levels, capacity, heartbeat_cpu = [], 0, None
    try:
        for index, level in enumerate(int(n) for n in args.levels.split(",")):
            load.target = level
            await asyncio.sleep(args.ramp_seconds)
            cpu = Cpu(gunicorn, nginx)
            start, cpu0 = time.perf_counter(), cpu_seconds(gunicorn.workers())
            await asyncio.sleep(args.step_seconds)
            end, cpu1 = time.perf_counter(), cpu_seconds(gunicorn.workers())
            window = load.stats.window(start, end)
            served = window["read"]["requests"] + window["beat"]["requests"]
            errors = window["read"]["errors"] + window["beat"]["errors"]
            beats, shed = window["beat"]["requests"], window["beat"]["refused_503"]
            p95 = window["beat"]["p95_ms"]
            ok = errors == 0 and p95 is not None and p95 < P95_LIMIT_MS and shed <= MAX_SHED * (beats + shed)
            levels.append(
                {
                    "readers": level,
                    "active": load.active,
                    **window,
                    "cpu_ms_per_request": round((cpu1 - cpu0) * 1000 / served, 2) if served else None,
                    "client_lag_p95_ms": load.lag_p95(start, end),
                    **cpu.reading(),
                    "load_average": round(os.getloadavg()[0], 1),
                    "passed": ok,
                }
            )
            if index == 0 and args.cpu_seconds > 0:
                heartbeat_cpu = await cpu_phase(load, gunicorn, args.cpu_seconds)
            print(f"  {level} readers: {json.dumps(levels[-1], ensure_ascii=False)}", flush=True)
            if not ok:
                break
            capacity = level
        surge = None
        if not args.no_surge:
            surge = await surge_phase(args, load, extra, args.surge_readers or max(capacity // 2, 100))
    finally:
        feeder.cancel()
        lagger.cancel()
        for task in list(load.tasks):
            task.cancel()
        await asyncio.gather(*load.tasks, return_exceptions=True)
    return {"levels": levels, "capacity": capacity, "heartbeat_cpu": heartbeat_cpu, "surge": surge}


async def cpu_phase(load: Load, gunicorn: Gunicorn, seconds: float) -> dict:
    """No arrivals, no leavers: the workers' CPU divided by the heartbeats they served."""
    load.hold = True
    deadline = time.perf_counter() + 30
    while load.reading and time.perf_counter() < deadline:  # reads already under way finish
        await asyncio.sleep(0.2)
    start, cpu0 = time.perf_counter(), cpu_seconds(gunicorn.workers())
    await asyncio.sleep(seconds)
    end, cpu1 = time.perf_counter(), cpu_seconds(gunicorn.workers())
    load.hold = False
    window = load.stats.window(start, end)
    beats = window["beat"]["requests"]
    return {
        "readers": load.active,
        "heartbeats": beats,
        "reads": window["read"]["requests"],
        "cpu_ms_per_heartbeat": round((cpu1 - cpu0) * 1000 / beats, 2) if beats else None,
    }


async def surge_phase(args, load: Load, extra: list[float], base: int) -> dict:
    """Arrivals ×surge_factor for surge_seconds from `base` readers, then each second until the host serves again.

    The host serves again from the first whole second after the surge in which every heartbeat (of every reader,
    the surge's included) was taken (no 503) with p95 < 200 ms and every read of a reader who arrived after the
    surge was served at its first try. Reads of the surge's own arrivals still retrying then (the pages back off
    for up to 15.5 s, overloadPause) are counted apart: `retries_drained_seconds` is when none is refused either.
    """
    load.target = base
    await asyncio.sleep(args.ramp_seconds + 5)
    # From here readers arrive at a steady rate that keeps `base` readers (arrivals x mean stay), whoever is still
    # there: after the surge, new readers keep coming while the surge's readers stay.
    rate = base / args.session_seconds
    load.target, extra[0] = 0, rate
    await asyncio.sleep(5)
    surge_start = time.perf_counter()
    extra[0] = rate * args.surge_factor
    load.surging = True
    await asyncio.sleep(args.surge_seconds)
    extra[0] = rate
    load.surging = False
    surge_end = time.perf_counter()
    peak = load.active
    served_at = drained_at = None
    timeline = []
    while time.perf_counter() < surge_end + 60 and drained_at is None:
        await asyncio.sleep(1)
        end = time.perf_counter()
        since = end - 1
        second = list(itertools.takewhile(lambda s, since=since: s[0] >= since, reversed(load.stats.samples)))
        beats = sorted(s[2] for s in second if s[1] == "beat" and s[3] == 200)
        shed = sum(1 for s in second if s[1] == "beat" and s[3] != 200)
        refused_new = sum(1 for s in second if s[1] == "read" and s[3] != 200 and not s[4])
        refused_surge = sum(1 for s in second if s[1] == "read" and s[3] != 200 and s[4])
        p95 = round(percentile(beats, 95), 1) if beats else None
        timeline.append(
            {
                "second": round(end - surge_end),
                "readers": load.active,
                "beats": len(beats),
                "beat_p95_ms": p95,
                "beats_shed": shed,
                "reads": sum(1 for s in second if s[1] == "read" and s[3] == 200),
                "reads_refused_new": refused_new,
                "reads_refused_surge": refused_surge,
            }
        )
        if served_at is None and p95 is not None and p95 < P95_LIMIT_MS and shed == 0 and refused_new == 0:
            served_at = end - 1
        if served_at is not None and refused_surge == 0:
            drained_at = end - 1
    whole = load.stats.window(surge_start, time.perf_counter())
    waits = [s[2] for s in load.stats.samples if s[0] >= surge_start]
    return {
        "readers_before": base,
        "arrivals_per_second": round(rate * args.surge_factor, 1),
        "peak_readers": peak,
        "read": whole["read"],
        "beat": whole["beat"],
        "longest_wait_ms": round(max(waits), 1) if waits else None,
        "over_5s": sum(1 for w in waits if w > 5000),
        "client_lag_p95_ms": load.lag_p95(surge_start, time.perf_counter()),
        "recovery_seconds": round(max(0.0, served_at - surge_end), 1) if served_at else None,
        "retries_drained_seconds": round(max(0.0, drained_at - surge_end), 1) if drained_at else None,
        "after_the_surge": timeline,
    }


async def beat_cpu(args, port: int, data: dict, gunicorn: Gunicorn) -> dict:
    """The workers' CPU per heartbeat, heartbeats sent back to back by 4 connections (and per /healthz/live,
    the framework's floor, the same way): nothing else runs in the workers."""
    load = Load(args, port, data)
    views = []
    for customer in data["customers"][:50]:
        read = await load.call("read", f"{G}/myarticle/{data['article_id']}", customer, {"uid": customer[2]})
        if read is None:
            sys.exit("a read failed: see bench/results/load_gunicorn.log")
        views.append((customer, {"uid": customer[2], "article_access_log_id": read["article_access_log_id"]}))

    async def send(count: int, what: str) -> None:
        for i in range(count):
            customer, query = views[i % len(views)]
            if what == "beat":
                await load.call("beat", f"{G}/staytime/{data['article_id']}", customer, query)
            else:
                await load.http.get("/healthz/live")

    result = {}
    for what in ("beat", "live"):
        await asyncio.gather(*(send(100, what) for _ in range(4)))  # warm: every token known to both workers
        cpu0 = cpu_seconds(gunicorn.workers())
        await asyncio.gather(*(send(args.beat_cpu // 4, what) for _ in range(4)))
        cpu1 = cpu_seconds(gunicorn.workers())
        result[f"cpu_ms_per_{what}"] = round((cpu1 - cpu0) * 1000 / (args.beat_cpu // 4 * 4), 3)
    failed = [o for o in load.stats.outcomes if not o[2]]
    result["failed"] = len(failed)
    return result


# --- 4. the report --------------------------------------------------------------------------------------


def markdown(result: dict) -> str:
    lines = [
        f"# H5 readers — {result['started']}",
        "",
        f"{result['host']}; hot buffer {result['hot_buffer']}, nginx {result['nginx']}, "
        f"{result['workers']} gunicorn workers, heartbeat every {result['interval']} s.",
        "",
        "| readers | beats/s | beat p50 / p95 ms | reads/s | read p50 / p95 ms | errors "
        "| 503 (reads retried, beats shed) | CPU ms/req | CPU % workers / nginx / bench | load | client lag p95 ms |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for lv in result["levels"]:
        b, r = lv["beat"], lv["read"]
        lines.append(
            f"| {lv['readers']} | {b['per_second']} | {b['p50_ms']} / {b['p95_ms']} | {r['per_second']} | "
            f"{r['p50_ms']} / {r['p95_ms']} | {b['errors'] + r['errors']} | {b['refused_503'] + r['refused_503']} | "
            f"{lv['cpu_ms_per_request']} | {lv['workers_cpu_percent']} / {lv['nginx_cpu_percent']} / "
            f"{lv['client_cpu_percent']} | {lv['load_average']} | {lv['client_lag_p95_ms']} |"
        )
    lines += [
        "",
        f"Capacity (beat p95 < {P95_LIMIT_MS} ms, 0 errors, at most {MAX_SHED:.0%} of heartbeats shed): "
        f"**{result['capacity']} readers**.",
    ]
    if result["heartbeat_cpu"]:
        lines.append(f"Heartbeat CPU: {result['heartbeat_cpu']['cpu_ms_per_heartbeat']} ms per heartbeat.")
    if result["surge"]:
        s = result["surge"]
        lines.append(
            f"Surge from {s['readers_before']} readers, {s['arrivals_per_second']} arrivals/s: peak "
            f"{s['peak_readers']} readers, errors {s['read']['errors'] + s['beat']['errors']}, 503: reads retried "
            f"{s['read']['refused_503']}, heartbeats shed {s['beat']['refused_503']}, "
            f"longest wait {s['longest_wait_ms']} ms ({s['over_5s']} over 5 s); the host served again "
            f"{s['recovery_seconds']} s after the surge (its arrivals' retried reads drained after "
            f"{s['retries_drained_seconds']} s)."
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    args = parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    os.environ.update(
        STAYTIME_HEARTBEAT_INTERVAL=str(args.interval),
        HOT_BUFFER="true" if args.hot_buffer == "on" else "false",
        GUNICORN_ACCESS_LOG="",
        JOBS_INLINE="false",
    )
    if not args.no_prepare:
        print("preparing the database…", flush=True)
        prepare(args)
    data = world(args.database_url)
    port = args.port or free_port()
    gunicorn = Gunicorn(args, port).start()
    if args.beat_cpu:
        try:
            result = asyncio.run(beat_cpu(args, port, data, gunicorn))
        finally:
            gunicorn.stop()
        print(json.dumps({**result, "load_average": os.getloadavg()[0]}))
        return
    worker = Worker(args).start()
    nginx = None if args.no_nginx else Nginx(port, args.port + 1 if args.port else 0).start()
    started = datetime.now().strftime("%Y-%m-%d %H:%M")
    try:
        result = asyncio.run(run_load(args, nginx.port if nginx else port, data, gunicorn, nginx))
    finally:
        if nginx:
            nginx.stop()
        worker.stop()
        gunicorn.stop()
    load = os.getloadavg()
    result.update(
        started=started,
        host=f"{os.cpu_count()} CPUs, load average {load[0]:.1f} at the end (shared machine)",
        hot_buffer=args.hot_buffer,
        nginx=not args.no_nginx,
        workers=args.workers,
        interval=args.interval,
    )
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"h5-readers-{stamp}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    summary = markdown(result)
    (RESULTS / f"h5-readers-{stamp}.md").write_text(summary)
    print(summary)


if __name__ == "__main__":
    main()
