"""Prometheus metrics (docs/operations.md): GET /metrics, for a bearer METRICS_TOKEN or an address in
METRICS_ALLOW_IPS.

Under gunicorn every worker process writes its samples to PROMETHEUS_MULTIPROC_DIR (set by the systemd unit
before gunicorn starts; gunicorn.conf.py empties it at start and marks exited workers dead) and a scrape sums
them. Jobs by kind and status, queue depths and the workers' heartbeat age are read when scraped (from the
database and Redis), so they are the same whichever host answers.
"""

import hmac
import ipaddress
import logging
import os
import time

from flask import Flask, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

log = logging.getLogger(__name__)

REQUEST_SECONDS = Histogram(
    "zhugeleida_http_request_duration_seconds",
    "Request latency by endpoint, method and HTTP status.",
    ["endpoint", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
ENVELOPE_CODES = Counter(
    "zhugeleida_envelope_codes_total", "Envelope codes answered, by endpoint and code.", ["endpoint", "code"]
)
LOGIN_FAILURES = Counter("zhugeleida_login_failures_total", "Refused sign-ins (wrong name or password).", ["endpoint"])
RATE_LIMITED = Counter("zhugeleida_rate_limited_total", "Requests answered 429, by endpoint.", ["endpoint"])
WECHAT_CALLS = Counter(
    "zhugeleida_wechat_calls_total", "WeChat API calls by API and errcode (0 = ok).", ["api", "errcode"]
)


def wechat_call(api: str, errcode) -> None:
    """Count one WeChat call under the last two segments of its path (`user/list`, `cgi-bin/gettoken`): the
    same label whichever host serves the API, and never a query string (tokens travel there)."""
    path = api.split("?", 1)[0]
    if "://" in path:
        path = path.split("://", 1)[1].partition("/")[2]
    label = "/".join(path.strip("/").split("/")[-2:])
    WECHAT_CALLS.labels(api=label[:64] or "-", errcode=str(errcode)[:16]).inc()


def _endpoint() -> str:
    return request.endpoint or "unmatched"


def _start() -> None:
    g.metrics_started = time.perf_counter()


def _observe(response):
    started = g.pop("metrics_started", None)
    seconds = time.perf_counter() - started if started is not None else None
    observe(_endpoint(), request.method, response.status_code, seconds, g.get("envelope_code"))
    return response


def observe(endpoint: str, method: str, status: int, seconds: float | None, code: int | None) -> None:
    """One answered request (after_request, or app/fastpath.py for the requests it answers itself)."""
    if seconds is not None:
        REQUEST_SECONDS.labels(endpoint, method, str(status)).observe(seconds)
    if code is not None:
        ENVELOPE_CODES.labels(endpoint, str(code)).inc()
        if code == 401:  # Code.BAD_LOGIN
            LOGIN_FAILURES.labels(endpoint).inc()
    if status == 429:
        RATE_LIMITED.labels(endpoint).inc()


class StateCollector:
    """Jobs by kind/status (database), RQ queue depths and worker heartbeat age (Redis), read per scrape."""

    def __init__(self, app: Flask):
        self.app = app

    def collect(self):
        with self.app.app_context():
            yield from self._jobs()
            yield from self._queues()

    def _jobs(self):
        from sqlalchemy import func, select

        from app.extensions import db
        from app.models.jobs import Job

        family = GaugeMetricFamily(
            "zhugeleida_jobs", "Jobs by kind and status (database rows).", labels=["kind", "status"]
        )
        try:
            rows = db.session.execute(select(Job.kind, Job.status, func.count()).group_by(Job.kind, Job.status))
            for kind, status, count in rows:
                family.add_metric([kind, status], count)
        except Exception as err:  # noqa: BLE001 - a scrape reports what it can
            log.warning("metrics: jobs not counted", extra={"error": type(err).__name__})
        finally:
            db.session.remove()
        yield family

    def _queues(self):
        from app.extensions import redis_connection

        depth = GaugeMetricFamily("zhugeleida_job_queue_depth", "Jobs waiting in each RQ queue.", labels=["queue"])
        age = GaugeMetricFamily(
            "zhugeleida_worker_heartbeat_age_seconds", "Seconds since the freshest worker heartbeat (-1: no worker)."
        )
        connection = redis_connection()
        if connection is not None:
            try:
                from rq import Queue

                from app.jobs import registry

                for name in registry.queue_names(current_app.config["JOB_QUEUE_PREFIX"]):
                    depth.add_metric([name], Queue(name, connection=connection).count)
                newest = worker_heartbeat_age(connection)
                age.add_metric([], -1 if newest is None else newest)
            except Exception as err:  # noqa: BLE001
                log.warning("metrics: queues not read", extra={"error": type(err).__name__})
        yield depth
        yield age


def worker_heartbeat_age(connection) -> float | None:
    """Seconds since the freshest heartbeat of a worker on this app's queues; None when there is none."""
    from datetime import UTC

    from rq import Worker

    prefix = current_app.config["JOB_QUEUE_PREFIX"] + ":"
    ages = []
    for worker in Worker.all(connection=connection):
        beat = worker.last_heartbeat
        if beat is None or not any(name.startswith(prefix) for name in worker.queue_names()):
            continue
        beat = beat if beat.tzinfo else beat.replace(tzinfo=UTC)
        ages.append(max(0.0, time.time() - beat.timestamp()))
    return min(ages) if ages else None


def allowed() -> bool:
    """A bearer METRICS_TOKEN, or the client's address in METRICS_ALLOW_IPS (after PROXY_FIX_HOPS)."""
    token = current_app.config["METRICS_TOKEN"]
    given = request.headers.get("Authorization", "")
    if token and given.startswith("Bearer ") and hmac.compare_digest(given[7:].encode(), token.encode()):
        return True
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in network for network in current_app.extensions["zhugeleida_metrics_networks"])


def render() -> tuple[bytes, str]:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY

        registry = REGISTRY
    state = CollectorRegistry()
    state.register(StateCollector(current_app._get_current_object()))
    return generate_latest(registry) + generate_latest(state), CONTENT_TYPE_LATEST


def networks(value: list[str]) -> list:
    return [ipaddress.ip_network(part.strip(), strict=False) for part in value if part.strip()]


def register_metrics(app: Flask) -> None:
    app.extensions["zhugeleida_metrics_networks"] = networks(app.config["METRICS_ALLOW_IPS"])
    app.before_request(_start)
    app.after_request(_observe)
