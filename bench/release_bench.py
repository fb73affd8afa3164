"""Benchmark batch code release (12.3 upload + 12.4 submit) for N authorised mini-programs against the sandbox.

    .venv/bin/python bench/release_bench.py                      # 100 apps, SQLite file in bench/results/
    .venv/bin/python bench/release_bench.py --apps 300 --database-url 'mysql+pymysql://root@127.0.0.1:3306/zhugeleida_bench'

Starts the WeChat sandbox in a thread over real HTTP, registers the component, delivers a verify ticket to our
event URL, authorises N mini-programs (N companies: api_query_auth + api_get_authorizer_info each, not timed),
then times the two batch jobs as the console starts them — on job threads (no Redis), one job per batch:
upload (commit + the experience QR code, saved under statics) and submit (get_page + get_category +
submit_audit). Every app's outcome is counted; the run fails if one is not ok or the two batches take longer
than --target seconds (default 60). The tables are dropped and created: never point it at real data.
"""

import argparse
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.jobs.runner import job_threads  # noqa: E402
from app.models.company import Company  # noqa: E402
from app.models.jobs import Job  # noqa: E402
from app.services import code_release, code_release_batch, open_platform  # noqa: E402
from app.wechat.component import ComponentClient  # noqa: E402
from app.wechat.sandbox.open_platform_remote import OpenPlatformDriver  # noqa: E402
from app.wechat.sandbox.server import SandboxServer  # noqa: E402
from config import ProductionConfig  # noqa: E402

RESULTS = ROOT / "bench" / "results"
COMPONENT = {
    "COMPONENT_APPID": "wxbe0c0a1e5b2d3f4a",
    "COMPONENT_APPSECRET": "bench-component-secret",
    "COMPONENT_TOKEN": "benchtoken",
    "COMPONENT_AES_KEY": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=f"sqlite:///{RESULTS / 'release_bench.sqlite3'}")
    parser.add_argument("--apps", type=int, default=100)
    parser.add_argument("--target", type=float, default=60.0, help="seconds allowed for upload + submit")
    return parser.parse_args()


def make_app(url: str, sandbox: SandboxServer, statics: str):
    if "instance/zhugeleida" in url:
        sys.exit("refusing to benchmark in the development database under instance/: pass another --database-url")

    class BenchConfig(ProductionConfig):
        SECRET_KEY = "bench-secret-key-0123456789abcdefghij"
        FIELD_ENCRYPTION_KEY = "YmVuY2gtZmllbGQtZW5jcnlwdGlvbi1rZXktMDAwMDA="
        SQLALCHEMY_DATABASE_URI = url
        REDIS_URL = None  # jobs on background threads, tokens in the database
        RATELIMIT_ENABLED = False
        LOG_LEVEL = "WARNING"
        STATICS_DIR = statics

    app = create_app(BenchConfig)
    app.config.update(sandbox.config(), **COMPONENT)
    return app


def prepare(app, driver: OpenPlatformDriver, n: int) -> list[int]:
    """The component with a ticket (pushed to our event URL), one template, N authorised mini-programs."""
    driver.register_component(*COMPONENT.values())
    driver.add_templates([{"template_id": 1, "user_version": "1.0.0", "user_desc": "基准模板"}])
    push = driver.push("component_verify_ticket")
    answer = app.test_client().post("/zhugeleida/open_weixin/event", query_string=push["query"], data=push["body"])
    assert answer.get_data(as_text=True) == "success", answer.get_data(as_text=True)
    app_ids = []
    with app.app_context():
        component = ComponentClient()
        for i in range(n):
            appid = f"wxbe{i:014d}"
            driver.add_authorizer(appid, "miniprogram", nick_name=f"基准小程序{i}")
            company = Company(name=f"发版基准公司{i}", mingpian_available_num=10)
            db.session.add(company)
            db.session.flush()
            row = open_platform.set_appid(open_platform.XCX, company.id, appid)
            info = component.query_auth(driver.authorize(appid))
            open_platform.record_authorization(open_platform.XCX, row, info, component)
            db.session.commit()
            app_ids.append(row.id)
    return app_ids


def run_batch(app, sandbox: SandboxServer, action: str, app_ids: list[int], **params) -> dict:
    with app.app_context():
        sandbox.state.calls.clear()
        started = time.perf_counter()
        job_id = code_release_batch.start(action, app_ids, admin_id=None, **params).job.id
        job_threads().wait_idle(600)  # the job runs on a background thread (no Redis)
        wall = time.perf_counter() - started
        db.session.rollback()
        job = db.session.get(Job, job_id)
        if job.status != "finished":
            sys.exit(f"{action} job failed: {job.error_code} {job.error}")
        calls = Counter(c["path"].split("/api/", 1)[-1] for c in sandbox.state.calls)
        outcomes = Counter((o["outcome"], o["status_text"]) for o in job.result["apps"])
        failures = [o for o in job.result["apps"] if o["outcome"] != "ok"]
        return {"action": action, "wall": wall, "calls": calls, "outcomes": outcomes, "failures": failures}


def report(args, runs: list[dict], setup: float) -> str:
    dialect = args.database_url.split(":", 1)[0].split("+", 1)[0]
    total = sum(run["wall"] for run in runs)
    lines = [
        f"Batch code release: {args.apps} authorised mini-programs, {dialect}, jobs on threads, sandbox over HTTP, "
        f"{datetime.now():%Y-%m-%d %H:%M}",
        "",
        "| batch | wall time | per app | WeChat calls | outcomes |",
        "| --- | ---: | ---: | --- | --- |",
    ]
    for run in runs:
        calls = ", ".join(f"{path} {count}" for path, count in sorted(run["calls"].items()))
        outcomes = ", ".join(f"{kind} {text}: {count}" for (kind, text), count in sorted(run["outcomes"].items()))
        label = code_release.ACTION_TEXT[run["action"]]
        per_app = run["wall"] / args.apps * 1000
        lines.append(f"| {label} ({run['action']}) | {run['wall']:.2f} s | {per_app:.0f} ms | {calls} | {outcomes} |")
    verdict = "✓" if total <= args.target else "✗"
    lines += ["", f"upload + submit: **{total:.2f} s** (target ≤ {args.target:.0f} s {verdict}); setup {setup:.1f} s"]
    for run in runs:
        for failure in run["failures"][:20]:
            lines.append(
                f"- {run['action']} app {failure['id']}: {failure['outcome']} {failure['code']} {failure['msg']}"
            )
    return "\n".join(lines)


def main() -> None:
    args = parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    sandbox = SandboxServer().start()
    try:
        with tempfile.TemporaryDirectory() as statics:
            app = make_app(args.database_url, sandbox, statics)
            with app.app_context():
                db.drop_all()
                db.create_all()  # a throwaway benchmark database
            started = time.perf_counter()
            app_ids = prepare(app, OpenPlatformDriver(sandbox.url), args.apps)
            setup = time.perf_counter() - started
            upload = {"template_id": 1, "user_version": "v2.0.0", "user_desc": "批量发版基准"}
            runs = [
                run_batch(app, sandbox, code_release.UPLOAD, app_ids, **upload),
                run_batch(app, sandbox, code_release.SUBMIT, app_ids),
            ]
            with app.app_context():
                db.drop_all()
    finally:
        sandbox.stop()
    text = report(args, runs, setup)
    print(text)
    dialect = args.database_url.split(":", 1)[0].split("+", 1)[0]
    (RESULTS / f"release-{dialect}-{datetime.now():%Y%m%d-%H%M%S}.md").write_text(text + "\n")
    failed = any(run["failures"] for run in runs) or sum(run["wall"] for run in runs) > args.target
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
