"""Periodic housekeeping of the services (registered in app.jobs.registry.CRON)."""

import logging

from flask import current_app

from app.extensions import db
from app.services import hot_buffer
from app.services.oplog import purge_old_entries

log = logging.getLogger(__name__)


def purge_operation_log() -> int:
    """Drop operation-log entries older than OPERATION_LOG_DAYS (docs/operation_log.md)."""
    removed = purge_old_entries()
    if removed:
        log.info("operation log purged", extra={"count": removed})
    return removed


def flush_hot_buffer() -> int:
    """Write the customer hot path's Redis buffer to the database (app/services/hot_buffer.py)."""
    with current_app._get_current_object().app_context():  # type: ignore[attr-defined]
        try:
            return hot_buffer.flush()
        finally:
            db.session.remove()
