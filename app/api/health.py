"""GET /healthz — database and (when configured) Redis reachable. No authentication."""

from flask import Blueprint
from sqlalchemy import text

from app.extensions import db, redis_connection
from app.responses import Code, envelope

health_bp = Blueprint("health", __name__)


@health_bp.get("/healthz")
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
