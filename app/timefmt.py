"""Time helpers: times are stored as naive UTC and shown in TIMEZONE."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def local_tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def to_local(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC).astimezone(local_tz())


def local_today() -> date:
    return datetime.now(local_tz()).date()


def fmt_datetime(value: datetime | None) -> str | None:
    """'2018-07-27 15:11:42' in TIMEZONE, as the document shows."""
    return None if value is None else to_local(value).strftime("%Y-%m-%d %H:%M:%S")


def fmt_date(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        value = to_local(value).date()
    return value.strftime("%Y-%m-%d")
