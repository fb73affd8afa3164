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


def fmt_minute(value: datetime | None) -> str | None:
    """'2018-07-31 14:49' in TIMEZONE."""
    return None if value is None else to_local(value).strftime("%Y-%m-%d %H:%M")


def fmt_iso(value: datetime | None) -> str | None:
    """'2018-07-21T11:24:03.761' in TIMEZONE, the milliseconds only when there are any."""
    if value is None:
        return None
    local = to_local(value)
    text = local.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}.{local.microsecond // 1000:03d}" if local.microsecond else text


def fmt_iso_millis(value: datetime | None) -> str | None:
    """'2018-08-02T15:46:02.882' in TIMEZONE, the milliseconds always."""
    if value is None:
        return None
    local = to_local(value)
    return local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 1000:03d}"
