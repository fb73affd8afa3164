"""The RQ worker: `python worker.py` consumes the project's queues with the app context, runs RQ's scheduler
(retries with backoff) and RQ's cron scheduler (periodic jobs, app/jobs/registry.py CRON).

    python worker.py              # every queue of JOB_QUEUE_PREFIX, with cron
    python worker.py --no-cron    # extra workers: periodic jobs need only one cron process
    python worker.py --burst      # run what is queued, then exit
"""

import argparse
import logging

from redis import Redis
from rq import Queue

from app import create_app
from app.jobs import registry
from app.jobs.worker import AppWorker, start_cron

log = logging.getLogger("worker")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--burst", action="store_true", help="exit once the queues are empty")
    parser.add_argument("--no-cron", action="store_true", help="do not run the cron scheduler")
    parser.add_argument("--name", default=None, help="worker name (default: RQ's)")
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    app = create_app()
    redis_url = app.config.get("REDIS_URL")
    if not redis_url:
        raise SystemExit("REDIS_URL is not set: jobs run inline, no worker is needed.")
    connection = Redis.from_url(redis_url)
    prefix = app.config["JOB_QUEUE_PREFIX"]
    queues = [Queue(name, connection=connection) for name in registry.queue_names(prefix)]
    worker = AppWorker(queues, connection=connection, app=app, name=args.name)
    reconnect = app.config["WORKER_RECONNECT_MAX_WAIT"]
    cron = None if args.no_cron or args.burst else start_cron(redis_url, prefix, reconnect)
    log.info("worker starting", extra={"queues": [q.name for q in queues], "cron": cron is not None})
    try:
        worker.work(with_scheduler=True, burst=args.burst, logging_level=app.config["LOG_LEVEL"])
    finally:
        if cron is not None:
            cron.terminate()
            cron.join(timeout=10)


if __name__ == "__main__":
    main()
