"""Benchmark the radar-user list and the dashboard on a seeded database (see bench/README.md).

    .venv/bin/python bench/run.py                                   # SQLite in bench/results/
    .venv/bin/python bench/run.py --database-url 'mysql+pymysql://root@127.0.0.1:3306/zhugeleida_bench'
    .venv/bin/python bench/run.py --growth --database-url ...       # 1× against 10× the data

Seeds the database with `flask demo-data` (once: the company is reused on later runs), then measures
in-process through the Flask test client: p50/p95 latency and SQL statements per request. With
--growth it seeds two companies, one with the given sizes and one with ten times them, and compares
the endpoints whose cost could grow with the data.
"""

import argparse
import hashlib
import statistics as stats
import sys
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import event, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.auth import authenticate_admin, role_rule_paths  # noqa: E402
from app.commands.demo import demo_data_command  # noqa: E402
from app.commands.seed import seed_roles, seed_rules  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models.admin import AdminUser  # noqa: E402
from app.models.company import Company  # noqa: E402
from app.responses import ok  # noqa: E402
from app.services.stat_rollup import reset_rollup  # noqa: E402
from config import ProductionConfig  # noqa: E402

RESULTS = ROOT / "bench" / "results"
PREFIX = "基准公司"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=f"sqlite:///{RESULTS / 'zhugeleida_bench.sqlite3'}")
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--requests", type=int, default=200, help="measured requests per endpoint")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--fresh", action="store_true", help="drop and recreate every table first")
    parser.add_argument(
        "--growth",
        action="store_true",
        help="compare a company of the given sizes with one of ten times them (defaults 1k/10k/100k)",
    )
    args = parser.parse_args()
    if args.growth:  # the 1× company; its 10× twin is seeded alongside
        sizes = {"users": 1_000, "customers": 10_000, "events": 100_000}
        for name, default in sizes.items():
            if getattr(args, name) == parser.get_default(name):
                setattr(args, name, default)
    return args


def make_app(url: str):
    if "instance/zhugeleida" in url:
        sys.exit("refusing to benchmark in the development database under instance/: pass another --database-url")

    class BenchConfig(ProductionConfig):
        SECRET_KEY = "bench-secret-key-0123456789abcdefghij"
        FIELD_ENCRYPTION_KEY = "YmVuY2gtZmllbGQtZW5jcnlwdGlvbi1rZXktMDAwMDA="
        SQLALCHEMY_DATABASE_URI = url
        RATELIMIT_ENABLED = False
        LOG_LEVEL = "WARNING"
        REDIS_URL = None

    app = create_app(BenchConfig)

    @app.get("/bench/floor")
    def floor():
        """The trivial floor: what every admin request pays (signature check, role rules, envelope)."""
        role_rule_paths(authenticate_admin())
        return ok({})

    return app


def prepare(app, args) -> None:
    with app.app_context():
        if args.fresh:
            db.drop_all()
        db.create_all()  # a throwaway benchmark database, like the tests' ones
        seed_roles(seed_rules())
        db.session.commit()


def seed(app, args, prefix: str = PREFIX, scale: int = 1) -> tuple[int, float | None]:
    """(company id, seconds demo-data took or None when the company already existed)."""
    with app.app_context():
        existed = db.session.scalar(select(Company.id).where(Company.name == f"{prefix}1"))
    sizes = [args.users * scale, args.customers * scale, args.events * scale]
    options = ["--users", sizes[0], "--customers", sizes[1], "--events", sizes[2], "--days", args.days]
    started = time.perf_counter()
    with app.app_context():
        result = app.test_cli_runner().invoke(
            demo_data_command, [*map(str, options), "--prefix", prefix, "--seed", "1"]
        )
    if result.exit_code != 0:
        sys.exit(f"demo-data failed: {result.output}{result.exception!r}")
    took = None if existed else time.perf_counter() - started
    with app.app_context():
        return db.session.scalar(select(Company.id).where(Company.name == f"{prefix}1")), took


class Signer:
    def __init__(self, admin: AdminUser):
        self.user_id, self.token = admin.id, admin.token

    def query(self, extra=None) -> dict:
        self.last_ts = max(int(time.time() * 1000), getattr(self, "last_ts", 0) + 1)  # writes need fresh signatures
        ts = str(self.last_ts)
        rand_str = hashlib.md5((ts + self.token).encode()).hexdigest()
        return {**(extra or {}), "timestamp": ts, "user_id": self.user_id, "rand_str": rand_str}


def measure(app, client, signer, method, path, args, query=None, form=None) -> dict:
    return measure_each(app, client, [signer], method, path, args, query, form)[0]


def measure_each(app, client, signers, method, path, args, query=None, form=None) -> list[dict]:
    """The request as each signer's admin, taking turns, so that other load on the machine hits all alike."""
    statements = []
    with app.app_context():
        engine = db.engine

    def record(*_args):
        statements.append(1)

    durations, counts = [[] for _ in signers], [[] for _ in signers]
    event.listen(engine, "before_cursor_execute", record)
    try:
        for n in range(args.warmup + args.requests):
            for i, signer in enumerate(signers):
                statements.clear()
                started = time.perf_counter()
                response = client.open(path, method=method, query_string=signer.query(query), data=form)
                elapsed = time.perf_counter() - started
                payload = response.get_json()
                if payload["code"] != 200:
                    sys.exit(f"{method} {path}: {payload}")
                if n >= args.warmup:
                    durations[i].append(elapsed * 1000)
                    counts[i].append(len(statements))
    finally:
        event.remove(engine, "before_cursor_execute", record)
    results = []
    for taken, issued in zip(durations, counts, strict=True):
        taken.sort()
        results.append(
            {
                "p50": stats.median(taken),
                "p95": taken[max(int(len(taken) * 0.95) - 1, 0)],
                "queries": sorted(set(issued)),
            }
        )
    return results


def cold_rollup_ms(app, client, signer, company_id) -> float:
    """One 1.6 request right after the company's rollups were dropped: the one-off count of every day kept."""
    with app.app_context():
        reset_rollup(company_id)
        db.session.commit()
    started = time.perf_counter()
    client.get("/zhugeleida/admin/home_page/acount_data", query_string=signer.query())
    return (time.perf_counter() - started) * 1000


def signer_of(app, company_id: int) -> "Signer":
    with app.app_context():
        return Signer(db.session.scalar(select(AdminUser).where(AdminUser.company_id == company_id)))


def server(app) -> tuple[str, tuple | None]:
    with app.app_context():
        return db.engine.dialect.name, db.session.connection().dialect.server_version_info


def main():
    args = parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    app = make_app(args.database_url)
    prepare(app, args)
    if args.growth:
        return growth(app, args)
    company_id, seeded = seed(app, args)
    signer = signer_of(app, company_id)
    dialect, version = server(app)
    client = app.test_client()
    cold = cold_rollup_ms(app, client, signer, company_id)
    line = "/zhugeleida/admin/home_page/line_info"
    cases = [
        ("floor: authenticated, no work", "GET", "/bench/floor", None, None),
        ("1.4 GET /admin/user (10 rows)", "GET", "/zhugeleida/admin/user", None, None),
        ("1.4 GET /admin/user (100 rows)", "GET", "/zhugeleida/admin/user", {"length": 100}, None),
        ("1.4 GET /admin/user (username filter)", "GET", "/zhugeleida/admin/user", {"username": "王"}, None),
        ("1.5 home_page", "GET", "/zhugeleida/admin/home_page", None, None),
        ("1.6 acount_data", "GET", "/zhugeleida/admin/home_page/acount_data", None, None),
        ("1.7 line_info days=7 (browse)", "POST", line, None, {"days": 7, "index_type": 3}),
        ("1.7 line_info days=30 (browse)", "POST", line, None, {"days": 30, "index_type": 3}),
        ("1.7 line_info days=30 (customers)", "POST", line, None, {"days": 30, "index_type": 1}),
        ("1.7 line_info days=90 (browse)", "POST", line, None, {"days": 90, "index_type": 3}),
    ]
    results = {name: measure(app, client, signer, m, p, args, q, f) for name, m, p, q, f in cases}
    report(args, dialect, version, seeded, cold, results)


GROWTH_CASES = [
    ("floor: authenticated, no work", "GET", "/bench/floor", None, None),
    ("1.4 GET /admin/user (10 rows)", "GET", "/zhugeleida/admin/user", None, None),
    ("1.5 home_page", "GET", "/zhugeleida/admin/home_page", None, None),
    ("1.6 acount_data", "GET", "/zhugeleida/admin/home_page/acount_data", None, None),
    (
        "1.7 line_info days=30 (browse)",
        "POST",
        "/zhugeleida/admin/home_page/line_info",
        None,
        {"days": 30, "index_type": 3},
    ),
    (
        "1.7 line_info days=30 (customers)",
        "POST",
        "/zhugeleida/admin/home_page/line_info",
        None,
        {"days": 30, "index_type": 1},
    ),
]
GROWTH_TARGETS = {"1.5 home_page": 1.3, "1.6 acount_data": 1.3}


def growth(app, args) -> None:
    """The same endpoints on a company of the given sizes and on one of ten times them."""
    client, dialect, version = app.test_client(), *server(app)
    seeded, cold, signers = {}, {}, []
    for scale in (1, 10):
        company_id, seeded[scale] = seed(app, args, f"{PREFIX}{scale}x_", scale)
        signers.append(signer_of(app, company_id))
        cold[scale] = cold_rollup_ms(app, client, signers[-1], company_id)
    measured = {1: {}, 10: {}}
    for name, *case in GROWTH_CASES:  # 1x and 10x requests alternate
        measured[1][name], measured[10][name] = measure_each(app, client, signers, *case[:2], args, *case[2:])
    version_text = ".".join(map(str, version or ())) or "?"
    lines = [
        f"### Growth, {dialect} {version_text} — 1×: {args.users:,} radar users, {args.customers:,} customers, "
        f"{args.events:,} events over {args.days} days; 10×: ten times each ({args.requests} requests each)",
        "",
        "| endpoint | 1× p50 / p95 ms | 10× p50 / p95 ms | 10× / 1× (p50) | SQL per request |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, *_case in GROWTH_CASES:
        one, ten = measured[1][name], measured[10][name]
        queries = "/".join(map(str, sorted(set(one["queries"]) | set(ten["queries"]))))
        lines.append(
            f"| {name} | {one['p50']:.1f} / {one['p95']:.1f} | {ten['p50']:.1f} / {ten['p95']:.1f} "
            f"| {ten['p50'] / one['p50']:.2f}× | {queries} |"
        )
    lines.append("")
    for scale, took in seeded.items():
        lines.append(
            f"- demo-data seeding {scale}×: {f'{took:.0f} s' if took is not None else 'reused an earlier run'}"
        )
    lines.append(f"- first 1.6 after dropping the rollups: {cold[1]:.0f} ms at 1×, {cold[10]:.0f} ms at 10×")
    for name, limit in GROWTH_TARGETS.items():
        ratio = measured[10][name]["p50"] / measured[1][name]["p50"]
        lines.append(f"- {'PASS' if ratio <= limit else 'FAIL'}: {name} at 10× ≤ {limit}× its 1× time ({ratio:.2f}×)")
    ten_16 = measured[10]["1.6 acount_data"]["p50"]
    lines.append(f"- {'PASS' if ten_16 <= 30 else 'FAIL'}: 1.6 p50 ≤ 30 ms at 10× ({ten_16:.1f} ms)")
    write(lines, f"growth-{dialect}")


def write(lines: list[str], stem: str) -> None:
    text = "\n".join(lines)
    print(text)
    out = RESULTS / f"{stem}-{datetime.now():%Y%m%d-%H%M%S}.md"
    out.write_text(text + "\n", encoding="utf-8")
    print(f"\n(written to {out.relative_to(ROOT)})")


def report(args, dialect, version, seeded, cold, results):
    version_text = ".".join(map(str, version or ())) or "?"
    lines = [
        f"### {dialect} {version_text} — {args.users:,} radar users, {args.customers:,} customers, "
        f"{args.events:,} events over {args.days} days ({args.requests} requests each)",
        "",
        "| endpoint | p50 ms | p95 ms | SQL per request |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, r in results.items():
        lines.append(f"| {name} | {r['p50']:.1f} | {r['p95']:.1f} | {'/'.join(map(str, r['queries']))} |")
    lines.append("")
    lines.append(f"- demo-data seeding: {f'{seeded:.0f} s' if seeded is not None else 'reused an earlier run'}")
    lines.append(f"- first 1.6 after dropping the rollup (builds every closed day once): {cold:.0f} ms")
    floor = results["floor: authenticated, no work"]["p50"]
    user_list = results["1.4 GET /admin/user (10 rows)"]
    line7, line30 = results["1.7 line_info days=7 (browse)"]["p50"], results["1.7 line_info days=30 (browse)"]["p50"]
    checks = [
        ("1.6 p50 ≤ 50 ms", results["1.6 acount_data"]["p50"] <= 50),
        (f"1.7 days=30 ≤ 1.5× days=7 ({line30 / line7:.2f}×)", line30 <= 1.5 * line7),
        (f"radar-user list ≤ 2× the floor ({user_list['p50'] / floor:.2f}×)", user_list["p50"] <= 2 * floor),
        (
            "queries per list request constant",
            user_list["queries"] == results["1.4 GET /admin/user (100 rows)"]["queries"]
            and len(user_list["queries"]) == 1,
        ),
    ]
    lines += [f"- {'PASS' if passed else 'FAIL'}: {text}" for text, passed in checks]
    write(lines, dialect)


if __name__ == "__main__":
    main()
