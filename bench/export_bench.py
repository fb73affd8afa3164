"""Benchmark an export: 100,000 customers to .xlsx (or .csv) by the export job (see bench/README.md).

    .venv/bin/python bench/export_bench.py                      # SQLite in bench/results/
    .venv/bin/python bench/export_bench.py --database-url 'mysql+pymysql://root@127.0.0.1:3306/zgl_export_bench'

Seeds a throwaway database with `flask demo-data` (once), makes one `export.run` job row for the company's
customers, and runs the job in a fresh worker process (as `python worker.py` would: app, app context, the job
runner), which reports the wall time of the job and its peak RSS (ru_maxrss: the whole process, interpreter and
app included). The file is then opened and its rows counted.
"""

import argparse
import json
import resource
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

RESULTS = ROOT / "bench" / "results"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=f"sqlite:///{RESULTS / 'zhugeleida_export_bench.sqlite3'}")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--events", type=int, default=300_000)
    parser.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    parser.add_argument("--fresh", action="store_true", help="drop and recreate every table first")
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # internal: run this job id and report
    return parser.parse_args()


def run_worker(args) -> None:
    """The worker process: run one job to its end, report wall time and peak RSS as one JSON line."""
    from run import make_app

    app = make_app(args.database_url)
    app.config["EXPORT_DIR"] = str(RESULTS / "exports")
    from app.jobs.runner import run_inline

    with app.app_context():
        usage = resource.getrusage(resource.RUSAGE_SELF)
        started = time.perf_counter()
        run_inline(args.worker)
        took = time.perf_counter() - started
    end = resource.getrusage(resource.RUSAGE_SELF)
    cpu = end.ru_utime + end.ru_stime - usage.ru_utime - usage.ru_stime  # this process's own CPU time for the job
    report = {"seconds": round(took, 2), "cpu_seconds": round(cpu, 2), "peak_rss_mib": round(end.ru_maxrss / 1024, 1)}
    report["rss_before_mib"] = round(usage.ru_maxrss / 1024, 1)
    print(json.dumps(report))


def main() -> None:
    args = parse_args()
    if args.worker:
        return run_worker(args)
    RESULTS.mkdir(exist_ok=True)
    from run import make_app, seed

    from app.extensions import db
    from app.models.jobs import Job
    from app.models.radar import Customer

    app = make_app(args.database_url)
    seed_args = argparse.Namespace(
        fresh=args.fresh, users=args.users, customers=args.customers, events=args.events, days=90
    )
    company_id, took = seed(app, seed_args)
    if took is not None:
        print(f"demo-data: {took:.1f} s")
    with app.app_context():
        customers = db.session.query(Customer).filter_by(company_id=company_id).count()
        job = Job(
            id=uuid.uuid4().hex,
            kind="export.run",
            company_id=company_id,
            args={"name": "customers", "fmt": args.format, "company_id": company_id, "filters": {}},
        )
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    command = [sys.executable, __file__, "--worker", job_id, "--database-url", args.database_url]
    report = json.loads(
        subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    )
    print("worker:", report)
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert job.status == "finished", (job.status, job.error)
        path = RESULTS / "exports" / f"{job_id}.{args.format}"
        size = path.stat().st_size
        if args.format == "xlsx":
            from openpyxl import load_workbook

            rows = sum(1 for _ in load_workbook(path, read_only=True).active.iter_rows(values_only=True)) - 1
        else:
            with open(path, encoding="utf-8-sig") as text:
                rows = sum(1 for _ in text) - 1
        path.unlink()
    print(
        f"{customers} customers → {rows} rows .{args.format} ({size / 1e6:.1f} MB): "
        f"{report['seconds']} s wall ({report['cpu_seconds']} s CPU), worker peak RSS {report['peak_rss_mib']} MiB "
        f"(before the job {report['rss_before_mib']} MiB)"
    )


if __name__ == "__main__":
    main()
