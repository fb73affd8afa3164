"""Benchmark the WeChat Work address-book sync (5.7) against the sandbox over real HTTP.

    .venv/bin/python bench/sync_bench.py                      # SQLite file in bench/results/
    .venv/bin/python bench/sync_bench.py --database-url 'mysql+pymysql://root@127.0.0.1:3306/zhugeleida_bench'

Starts the WeChat sandbox in a thread, seeds a corp (default 10,000 members in 100 departments), and runs the
sync job (on a background thread, as without Redis) on a throwaway database (its tables are dropped and
created: never point it at real data).
Reports wall time and WeChat calls against the bound `departments + pages + 2` (gettoken, department/list, the
user/list_id pages, and one user/list per department for the details), for a first sync, a second one that
finds nothing to change and a third after 10% of the members changed.
"""

import argparse
import math
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.jobs.runner import job_threads  # noqa: E402
from app.models.company import Company  # noqa: E402
from app.models.jobs import Job  # noqa: E402
from app.services.companies import start_sync  # noqa: E402
from app.wechat.sandbox import seed  # noqa: E402
from app.wechat.sandbox.server import SandboxServer  # noqa: E402
from config import ProductionConfig  # noqa: E402

RESULTS = ROOT / "bench" / "results"
CORP_ID, SECRET = "wwbench000000001", "bench-contacts-secret"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=f"sqlite:///{RESULTS / 'sync_bench.sqlite3'}")
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--departments", type=int, default=100)
    parser.add_argument("--page-size", type=int, action="append", help="user/list_id limit (repeatable)")
    return parser.parse_args()


def make_app(url: str, sandbox: SandboxServer):
    if "instance/zhugeleida" in url:
        sys.exit("refusing to benchmark in the development database under instance/: pass another --database-url")

    class BenchConfig(ProductionConfig):
        SECRET_KEY = "bench-secret-key-0123456789abcdefghij"
        FIELD_ENCRYPTION_KEY = "YmVuY2gtZmllbGQtZW5jcnlwdGlvbi1rZXktMDAwMDA="
        SQLALCHEMY_DATABASE_URI = url
        REDIS_URL = None  # jobs on background threads, tokens in the database
        RATELIMIT_ENABLED = False
        LOG_LEVEL = "WARNING"

    app = create_app(BenchConfig)
    app.config.update(sandbox.config())
    return app


def run_sync(app, company_id: int, sandbox: SandboxServer) -> dict:
    with app.app_context():
        sandbox.state.calls.clear()
        started = time.perf_counter()
        job_id = start_sync(db.session.get(Company, company_id)).job.id
        job_threads().wait_idle(600)  # the job runs on a background thread (no Redis)
        wall = time.perf_counter() - started
        db.session.rollback()
        job = db.session.get(Job, job_id)
        if job.status != "finished":
            sys.exit(f"sync failed: {job.error_code} {job.error}")
        calls = [c["path"].rsplit("/cgi-bin/", 1)[1] for c in sandbox.state.calls]
        pages = calls.count("user/list_id")
        bound = len(sandbox.state.corps[CORP_ID].departments) + pages + 2
        return {"wall": wall, "calls": len(calls), "pages": pages, "bound": bound, "result": job.result}


def churn(corp, n: int) -> None:
    """n members renamed and moved, n/2 gone (their seats freed), n/2 new."""
    userids = list(corp.members)
    leaves = [d for d in corp.departments if d != 1]
    for index, userid in enumerate(userids[:n]):
        corp.members[userid].update(name=f"改名{index}", department=[leaves[(index + 7) % len(leaves)]])
    for userid in userids[-(n // 2) :]:
        del corp.members[userid]
    for index in range(n // 2):
        row = seed.member(len(userids) + index + 1, [leaves[index % len(leaves)]])
        corp.members[row["userid"]] = row


def bench(args, page_size: int) -> list[dict]:
    RESULTS.mkdir(parents=True, exist_ok=True)
    sandbox = SandboxServer().start()
    try:
        corp = seed.build_corp(CORP_ID, SECRET, departments=args.departments, members=args.members)
        sandbox.state.corps[CORP_ID] = corp
        app = make_app(args.database_url, sandbox)
        app.config["WECHAT_WORK_PAGE_SIZE"] = page_size
        with app.app_context():
            db.drop_all()
            db.create_all()  # a throwaway benchmark database
            company = Company(name="同步基准公司", mingpian_available_num=args.members, corp_id=CORP_ID)
            company.tongxunlu_secret, company.is_validate = SECRET, True
            db.session.add(company)
            db.session.commit()
            company_id = company.id
        entries = sum(len(m["department"]) for m in corp.members.values())
        runs = []
        for label in ("first sync", "second sync (no change)", "third sync (10% changed)"):
            if label.startswith("third"):
                churn(corp, args.members // 10)
            run = run_sync(app, company_id, sandbox)
            run.update(label=label, page_size=page_size, expected_pages=math.ceil(entries / page_size))
            runs.append(run)
        with app.app_context():
            db.drop_all()
        return runs
    finally:
        sandbox.stop()


def report(args, runs: list[dict]) -> str:
    dialect = args.database_url.split(":", 1)[0].split("+", 1)[0]
    lines = [
        f"Address-book sync: {args.members} members in {args.departments} departments, {dialect}, "
        f"{datetime.now():%Y-%m-%d %H:%M}",
        "",
        "| run | page size | wall time | WeChat calls | pages | bound (departments + pages + 2) | created | updated "
        "| disabled |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for run in runs:
        members = run["result"]["members"]
        ok = "✓" if run["calls"] <= run["bound"] else "✗"
        lines.append(
            f"| {run['label']} | {run['page_size']} | {run['wall']:.2f} s | {run['calls']} | {run['pages']} | "
            f"{run['bound']} {ok} | {members['created']} | {members['updated']} | {members['disabled']} |"
        )
    return "\n".join(lines)


def main() -> None:
    args = parse_args()
    runs = [run for size in (args.page_size or [10_000, 1_000]) for run in bench(args, size)]
    text = report(args, runs)
    print(text)
    dialect = args.database_url.split(":", 1)[0].split("+", 1)[0]
    (RESULTS / f"sync-{dialect}-{datetime.now():%Y%m%d-%H%M%S}.md").write_text(text + "\n")
    slow = [run for run in runs if run["wall"] > 30 or run["calls"] > run["bound"]]
    sys.exit(1 if slow else 0)


if __name__ == "__main__":
    main()
