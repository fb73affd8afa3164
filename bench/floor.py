"""The per-request floor: the project against a minimal app under the same gunicorn (see bench/README.md, "Floor").

    .venv/bin/python bench/floor.py                  # MariaDB zhugeleida_bench_floor, Redis db 13
    .venv/bin/python bench/floor.py --requests 300 --duration 20

1. prepares the database with bench/load_soak.py's `prepare` (`flask db upgrade`, `flask seed`, `flask demo-data`
   at its default size: one company, 20 radar users, 500 customers, 20,000 events);
2. starts two gunicorns with gunicorn.conf.py (2 gthread workers, APP_ENV=production, the same MariaDB and
   Redis): the project (`wsgi:app`) and the floor (`bench.floor:floor_app`, below), a WSGI app doing what the
   project's authentication must at least do: one SELECT of the caller by primary key and the md5 check;
3. for each endpoint sends requests to both, interleaved (floor, project, floor, …), from 1 and from 8 client
   threads, signed as the demo company's admin (role 2; 4.x as the super admin), and prints p50 of each and
   their ratio, and the CPU time (user + system) its gunicorn workers spent per request: unlike wall-clock
   times, it barely moves when other processes share the machine;
4. runs a mixed read workload (the five signed reads, round robin) from 8 threads for --duration seconds against
   each server and prints the requests per second (and the workers' CPU per request).

With --against DIR (a checkout of another commit, e.g. `git worktree add /tmp/before <commit>`, whose database
--against-database-url was prepared by a run of this script from there), it instead serves both trees side by
side and runs the mixed read workload against each alternately in --slices slices of --slice-seconds: slices
rather than one long run each, so that a machine whose speed drifts (other tenants) weighs on both alike.

    .venv/bin/python bench/floor.py --no-prepare --against /tmp/before \
        --against-database-url 'mysql+pymysql://root@127.0.0.1:3306/zhugeleida_bench_before?charset=utf8mb4'
"""

import argparse
import copy
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import requests  # noqa: E402
from load_soak import RESULTS, Client, Gunicorn, demo_admins, free_port, md5, prepare  # noqa: E402

ENDPOINTS = [  # (name, path, caller): caller "admin" is the demo company's admin (role 2), "super" the operator
    ("/healthz", "/healthz", None),
    ("1.2 login_rules", "/zhugeleida/admin/login_rules", "admin"),
    ("5.1 admin_userprofile", "/zhugeleida/admin/admin_userprofile", "admin"),
    ("4.x admin_role", "/zhugeleida/admin/admin_role", "super"),
    ("1.4 user (10 rows)", "/zhugeleida/admin/user", "admin"),
    ("1.6 acount_data", "/zhugeleida/admin/home_page/acount_data", "admin"),
]


# --- the floor app (imported by its gunicorn workers) ----------------------------------------------------

_local = threading.local()


def _floor_connection():
    conn = getattr(_local, "conn", None)
    if conn is None:
        import os

        import pymysql
        from sqlalchemy.engine import make_url

        url = make_url(os.environ["DATABASE_URL"])
        conn = pymysql.connect(
            host=url.host, port=url.port or 3306, user=url.username, password=url.password or "",
            database=url.database, charset="utf8mb4", autocommit=True,
        )  # fmt: skip
        _local.conn = conn
    return conn


def floor_app(environ, start_response):
    """One indexed SELECT (the caller by primary key) and the md5 signature check, then a JSON envelope."""
    query = {key: values[0] for key, values in parse_qs(environ.get("QUERY_STRING", "")).items()}
    user_id = int(query.get("user_id", "1")) if query.get("user_id", "1").isdigit() else 0
    with _floor_connection().cursor() as cursor:
        cursor.execute("SELECT id, token, status FROM admin_user WHERE id = %s", (user_id,))
        row = cursor.fetchone()
    signed = row is not None and md5(query.get("timestamp", "") + row[1]) == query.get("rand_str")
    body = json.dumps({"code": 200, "msg": "ok", "data": {"signed": signed}}).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


# --- the driver ----------------------------------------------------------------------------------------------


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database-url", default="mysql+pymysql://root@127.0.0.1:3306/zhugeleida_bench_floor?charset=utf8mb4"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--requests", type=int, default=200, help="measured requests per endpoint and server")
    parser.add_argument("--warmup", type=int, default=20, help="requests per endpoint and server before measuring")
    parser.add_argument("--duration", type=float, default=15, help="seconds of the mixed read workload, per server")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database first")
    parser.add_argument("--no-prepare", action="store_true", help="the database is ready")
    parser.add_argument("--against", type=Path, help="a checkout of another commit: compare mixed reads with it")
    parser.add_argument("--against-database-url", help="that checkout's prepared database")
    parser.add_argument("--against-redis-url", default="redis://127.0.0.1:6379/12")
    parser.add_argument(
        "--client", choices=("python", "wrk"), default="python", help="--against: the load generator (wrk: apt wrk)"
    )
    parser.add_argument("--clients", type=int, default=8, help="--against: concurrent clients (connections)")
    parser.add_argument("--slices", type=int, default=10, help="--against: slices per tree")
    parser.add_argument("--slice-seconds", type=float, default=6, help="--against: seconds per slice")
    parser.add_argument(
        "--ports", type=int, nargs=2, metavar=("PROJECT", "FLOOR"), help="the two gunicorns' ports (default: free ones)"
    )
    args = parser.parse_args()
    # load_soak's prepare() and app_env() read these
    args.companies, args.users, args.customers, args.events = 1, 20, 500, 20_000
    return args


class Caller:
    """Signed GETs as one admin over one keep-alive connection (a fresh timestamp each time, as the console)."""

    def __init__(self, session: dict | None):
        self.session = session
        self.http = requests.Session()
        self.last_ts = 0

    def params(self) -> dict:
        if self.session is None:
            return {}
        self.last_ts = max(int(time.time() * 1000), self.last_ts + 1)
        ts = str(self.last_ts)
        return {"timestamp": ts, "user_id": self.session["user_id"], "rand_str": md5(ts + self.session["token"])}

    def get(self, url: str) -> float:
        started = time.perf_counter()
        response = self.http.get(url, params=self.params(), timeout=60)
        elapsed = time.perf_counter() - started
        if response.status_code != 200 or response.json().get("code") != 200:
            raise RuntimeError(f"GET {url}: HTTP {response.status_code} {response.text[:300]}")
        return elapsed * 1000


_TICK = os.sysconf("SC_CLK_TCK")


def worker_cpu(server: Gunicorn) -> float:
    """Seconds of CPU (user + system) the server's workers have used so far."""
    total = 0.0
    for pid in server.workers():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime
    return total


def run_threads(target, threads: int) -> None:
    """`target(index)` on `threads` threads; the first error of any of them stops the benchmark."""
    errors: list[BaseException] = []

    def guarded(index: int):
        try:
            target(index)
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    workers = [threading.Thread(target=guarded, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if errors:
        sys.exit(f"benchmark stopped: {errors[0]!r}")


def interleaved(floor: Gunicorn, project: Gunicorn, path: str, session, threads: int, count: int, warmup: int):
    """p50 ms of (floor, project), and the CPU ms their workers spent per request: each thread alternates between
    them."""
    timings: dict[str, list[float]] = {"floor": [], "project": []}
    lock = threading.Lock()
    per_thread = max(1, count // threads)

    def run(_index: int):
        caller = Caller(session)
        mine = {"floor": [], "project": []}
        pair = (("floor", floor.base), ("project", project.base))
        for n in range(warmup + per_thread):
            for name, base in pair if n % 2 else pair[::-1]:
                elapsed = caller.get(base + path)
                if n >= warmup:
                    mine[name].append(elapsed)
        with lock:
            for name in mine:
                timings[name].extend(mine[name])

    cpu_before = worker_cpu(floor), worker_cpu(project)
    run_threads(run, threads)
    sent = threads * (warmup + per_thread)  # to each server
    cpu = [
        (worker_cpu(server) - before) * 1000 / sent for server, before in zip((floor, project), cpu_before, strict=True)
    ]
    return statistics.median(timings["floor"]), statistics.median(timings["project"]), cpu[0], cpu[1]


def throughput(server: Gunicorn, sessions: dict, threads: int, seconds: float) -> tuple[float, float]:
    """Requests per second of the five signed reads, round robin, from `threads` threads, and the CPU ms the
    server's workers spent per request."""
    base = server.base
    reads = [(path, caller) for _name, path, caller in ENDPOINTS if caller]
    done = [0] * threads
    stop = time.monotonic() + seconds

    def run(index: int):
        callers = {kind: Caller(session) for kind, session in sessions.items()}
        n = index
        while time.monotonic() < stop:
            path, kind = reads[n % len(reads)]
            callers[kind].get(base + path)
            done[index] += 1
            n += 1

    started, cpu_before = time.monotonic(), worker_cpu(server)
    run_threads(run, threads)
    elapsed, cpu = time.monotonic() - started, worker_cpu(server) - cpu_before
    return sum(done) / elapsed, cpu * 1000 / max(1, sum(done))


def main() -> None:
    args = parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    if not args.no_prepare:
        prepare(args)
    if args.against:
        print(compare(args))
        return
    project_port, floor_port = args.ports or (free_port(), free_port())
    project = Gunicorn(args, project_port).start()
    floor = Gunicorn(args, floor_port, "bench.floor:floor_app").start()
    try:
        admin = Client.login(project.base, demo_admins(args.database_url)[0])
        operator = Client.login(project.base, "admin")
        sessions = {"admin": admin, "super": operator}
        rows = []
        for threads in (1, 8):
            for name, path, caller in ENDPOINTS:
                session = sessions.get(caller) if caller else None
                row = interleaved(floor, project, path, session, threads, args.requests, args.warmup // threads or 1)
                rows.append((threads, name, *row))
                print(
                    f"c={threads} {name}: floor {row[0]:.1f} ms, project {row[1]:.1f} ms; "
                    f"worker CPU per request: floor {row[2]:.2f} ms, project {row[3]:.2f} ms",
                    flush=True,
                )
        rates = {
            "floor": throughput(floor, {"admin": admin, "super": admin}, 8, args.duration),
            "project": throughput(project, sessions, 8, args.duration),
        }
    finally:
        project.stop()
        floor.stop()
    print(report(args, rows, rates))


# wrk's script for the mixed reads: the five signed URLs round robin (a read may reuse its signature while its
# timestamp is within the skew window, as the console's parallel GETs do); an answer whose envelope is not
# code 200 is counted, and the run refused.
_WRK_SCRIPT = """
local paths = {%s}
local n = 0
failed = 0 -- a global: done() reads it from each thread
local threads = {}
function setup(thread) table.insert(threads, thread) end
function request()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1])
end
function response(status, headers, body)
  if status ~= 200 or not string.find(body, '"code":%%s*200') then failed = failed + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("failed") end
  io.write(string.format("FAILED %%d\\n", total))
end
"""


def wrk_throughput(server: Gunicorn, sessions: dict, clients: int, seconds: float) -> tuple[float, float]:
    """throughput() with wrk (a C load generator, 2 threads, `clients` connections) instead of Python threads: the
    client's own CPU barely weighs on the two cores the workers share with it."""
    reads = [(path, caller) for _name, path, caller in ENDPOINTS if caller]
    urls = []
    for path, kind in reads:
        query = Caller(sessions[kind]).params()
        urls.append(f'"{path}?timestamp={query["timestamp"]}&user_id={query["user_id"]}&rand_str={query["rand_str"]}"')
    script = RESULTS / "floor_wrk.lua"
    script.write_text(_WRK_SCRIPT % ", ".join(urls))
    cpu_before = worker_cpu(server)
    run = subprocess.run(
        ["wrk", "-t2", f"-c{clients}", f"-d{seconds:.0f}s", "-s", str(script), server.base],
        capture_output=True,
        text=True,
        check=True,
    )
    cpu = worker_cpu(server) - cpu_before
    done = int(re.search(r"(\d+) requests in", run.stdout).group(1))
    failed = int(re.search(r"FAILED (\d+)", run.stdout).group(1))
    if failed:
        sys.exit(f"wrk: {failed} of {done} answers were not code 200:\n{run.stdout}")
    elapsed = float(re.search(r"requests in ([\d.]+)s", run.stdout).group(1))
    return done / elapsed, cpu * 1000 / max(1, done)


def compare(args) -> str:
    """Mixed reads against this tree and args.against, alternately in slices; the mean rates and their ratio."""
    other = copy.copy(args)
    other.database_url, other.redis_url = args.against_database_url, args.against_redis_url
    servers = {
        "this": Gunicorn(args, free_port()).start(),
        "against": Gunicorn(other, free_port(), root=args.against.resolve()).start(),
    }
    try:
        sessions = {}
        for name, server in servers.items():
            url = (args if name == "this" else other).database_url
            admin = Client.login(server.base, demo_admins(url)[0])
            sessions[name] = {"admin": admin, "super": Client.login(server.base, "admin")}
            throughput(server, sessions[name], 8, 3)  # warm
        slices: dict[str, list[tuple[float, float]]] = {"this": [], "against": []}
        for n in range(args.slices):
            for name in ("this", "against") if n % 2 == 0 else ("against", "this"):
                if args.client == "wrk":
                    rate, cpu = wrk_throughput(servers[name], sessions[name], args.clients, args.slice_seconds)
                else:
                    rate, cpu = throughput(servers[name], sessions[name], args.clients, args.slice_seconds)
                slices[name].append((rate, cpu))
                print(f"slice {n} {name}: {rate:.1f} req/s ({cpu:.2f} ms CPU)", flush=True)
    finally:
        for server in servers.values():
            server.stop()
    rate = {name: statistics.mean(r for r, _ in runs) for name, runs in slices.items()}
    cpu = {name: statistics.mean(c for _, c in runs) for name, runs in slices.items()}
    pairs = " ".join(f"{a[0] / b[0]:.2f}" for a, b in zip(slices["this"], slices["against"], strict=True))
    return (
        f"Mixed reads, {args.clients} clients ({args.client}), {args.slices} slices of {args.slice_seconds:.0f} s "
        "each, alternately: this tree "
        f"**{rate['this']:.1f} req/s** ({cpu['this']:.2f} ms worker CPU per request), {args.against} "
        f"{rate['against']:.1f} req/s ({cpu['against']:.2f} ms): **{rate['this'] / rate['against']:.2f}×** "
        f"(per slice pair: {pairs}); worker CPU {cpu['against'] / cpu['this']:.2f}× less"
    )


def report(args, rows, rates) -> str:
    lines = [
        f"gunicorn.conf.py, {args.workers} gthread workers each; MariaDB + Redis; {args.requests} requests per "
        "endpoint and server, interleaved",
        "",
        "| clients | endpoint | p50 floor ms | p50 project ms | ratio | worker CPU ms floor | project | ratio |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for threads, name, p50_floor, p50_project, cpu_floor, cpu_project in rows:
        lines.append(
            f"| {threads} | {name} | {p50_floor:.1f} | {p50_project:.1f} | {p50_project / p50_floor:.1f}× "
            f"| {cpu_floor:.2f} | {cpu_project:.2f} | {cpu_project / max(cpu_floor, 0.01):.1f}× |"
        )
    (project_rate, project_cpu), (floor_rate, floor_cpu) = rates["project"], rates["floor"]
    lines += [
        "",
        f"Mixed reads (1.2, 5.1, 4.x, 1.4, 1.6 round robin), 8 clients, {args.duration:.0f} s: "
        f"project **{project_rate:.0f} req/s** ({project_cpu:.2f} ms worker CPU per request), "
        f"floor {floor_rate:.0f} req/s ({floor_cpu:.2f} ms)",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
