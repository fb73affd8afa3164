"""Periodic housekeeping of the services (registered in app.jobs.registry.CRON)."""

import logging

from app.services.oplog import purge_old_entries

log = logging.getLogger(__name__)


def purge_operation_log() -> int:
    """Drop operation-log entries older than OPERATION_LOG_DAYS (docs/operation_log.md)."""
    removed = purge_old_entries()
    if removed:
        log.info("operation log purged", extra={"count": removed})
    return removed
