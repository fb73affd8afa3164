"""Health and metrics (docs/operations.md). No signature.

- GET /healthz: database and (when configured) Redis reachable (as it always answered).
- GET /healthz/live: the process answers (no dependency checked): restart it when this fails.
- GET /healthz/ready: database, Redis and, when jobs run on workers, a worker heartbeat: send it traffic.
- GET /metrics: Prometheus text, for a METRICS_TOKEN bearer or an allow-listed address (app/metrics.py).
"""

from flask import Blueprint, Response, current_app
from sqlalchemy import text

from app import metrics
from app.declare import TEXT, answers
from app.extensions import db, redis_connection
from app.responses import Code, envelope
from app.schemas.answers import HealthSchema, LiveSchema

health_bp = Blueprint("health", __name__)


@health_bp.get("/healthz")
@answers(HealthSchema)
def healthz():
    """Health check: the database and (when configured) Redis are reachable."""
    checks = {"database": _check(lambda: db.session.execute(text("SELECT 1")))}
    if redis_connection() is not None:
        checks["redis"] = _check(lambda: redis_connection().ping())
        if checks["redis"] == "ok":
            checks["redis_persistence"] = _persistence()
    healthy = all(value == "ok" for key, value in checks.items() if key != "redis_persistence")
    return envelope(
        Code.OK if healthy else Code.SERVER_ERROR, "ok" if healthy else "unhealthy", checks, 200 if healthy else 503
    )


@health_bp.get("/healthz/live")
@answers(LiveSchema)
def healthz_live():
    """Liveness: the process serves requests; nothing else is checked."""
    return envelope(Code.OK, "ok", {"status": "alive"})


@health_bp.get("/healthz/ready")
@answers(HealthSchema)
def healthz_ready():
    """Readiness: the database, Redis and (jobs on workers) a recent worker heartbeat."""
    checks = {"database": _check(lambda: db.session.execute(text("SELECT 1")))}
    connection = redis_connection()
    if connection is not None:
        checks["redis"] = _check(connection.ping)
        if not current_app.config["JOBS_INLINE"]:
            checks["worker"] = _worker(connection) if checks["redis"] == "ok" else "error: redis unreachable"
    ready = all(value == "ok" for value in checks.values())
    return envelope(
        Code.OK if ready else Code.SERVER_ERROR, "ok" if ready else "not ready", checks, 200 if ready else 503
    )


def _worker(connection) -> str:
    limit = current_app.config["WORKER_HEARTBEAT_MAX_AGE"]
    try:
        age = metrics.worker_heartbeat_age(connection)
    except Exception as err:  # noqa: BLE001 - a health probe reports any failure
        return f"error: {type(err).__name__}"
    if age is None:
        return "error: no job worker is running"
    return "ok" if age <= limit else f"error: last worker heartbeat {int(age)}s ago"


@health_bp.get("/metrics")
@answers(produces={"text/plain": TEXT})
def metrics_view():
    """Prometheus metrics; 403 without the token or an allow-listed address."""
    if not metrics.allowed():
        return envelope(Code.FORBIDDEN, "无权限访问监控指标", status=403)
    body, content_type = metrics.render()
    return Response(body, content_type=content_type)


def _persistence() -> str:
    """Queued jobs live in Redis: without AOF a Redis restart loses them (a warning, not a failure)."""
    try:
        aof = redis_connection().info("persistence").get("aof_enabled")
    except Exception as err:  # noqa: BLE001 - a managed Redis may refuse INFO: report, never fail
        return f"unknown: {type(err).__name__}"
    return "ok" if aof else "warning: appendonly is off, a Redis restart loses queued jobs"


def _check(probe) -> str:
    try:
        probe()
        return "ok"
    except Exception as err:  # noqa: BLE001 - a health probe reports any failure
        return f"error: {type(err).__name__}"
