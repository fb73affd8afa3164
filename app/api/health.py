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
    healthy = all(value == "ok" for value in checks.values())
    return envelope(
        Code.OK if healthy else Code.SERVER_ERROR, "ok" if healthy else "unhealthy", checks, 200 if healthy else 503
    )


def _check(probe) -> str:
    try:
        probe()
        return "ok"
    except Exception as err:  # noqa: BLE001 - a health probe reports any failure
        return f"error: {type(err).__name__}"
