"""The RQ worker: `python worker.py` consumes the project's queues with the app context."""

import logging

from rq import Queue, Worker

from app import create_app
from app.extensions import db, redis_connection

QUEUES = ["default"]

log = logging.getLogger("worker")


def main() -> None:
    app = create_app()
    with app.app_context():
        connection = redis_connection()
        if connection is None:
            raise SystemExit("REDIS_URL is not set: jobs run inline, no worker is needed.")
        db.engine.dispose()  # never share pooled connections with forked work horses
        queues = [Queue(name, connection=connection) for name in QUEUES]
        log.info("worker starting", extra={"queues": QUEUES})
        Worker(queues, connection=connection).work(with_scheduler=True)


if __name__ == "__main__":
    main()
