"""TIMEZONE days in SQL, and the per-day rollup of AccessLog the statistics read for closed days.

Events are recorded at the current time, so a TIMEZONE day that has ended never changes: its counts
per action are computed once (lazily, by the first statistics request that needs them) into
AccessLogDay, and StatRollup.closed_until records how far that goes. Whatever writes events dated in
the past (demo-data, imports) must call reset_rollup() for the company afterwards.
"""

from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import Date, case, delete, func, insert, literal_column, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from app.extensions import db
from app.models.radar import AccessLog, AccessLogDay, StatRollup
from app.services.db import lock_company
from app.timefmt import local_tz, utcnow

# A day counts as closed this long after its midnight, so that an event created at 23:59:59 by a
# transaction still committing is not missed.
GRACE = timedelta(minutes=10)


class _LocalDay(FunctionElement):
    """DATE of a naive-UTC datetime column shifted by an offset in seconds (an SQL expression)."""

    type = Date()
    name = "local_day"
    inherit_cache = True


@compiles(_LocalDay, "sqlite")
def _local_day_sqlite(element, compiler, **kw):
    column, offset = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"date({column}, ({offset}) || ' seconds')"


@compiles(_LocalDay)
def _local_day_default(element, compiler, **kw):
    column, offset = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"DATE(DATE_ADD({column}, INTERVAL ({offset}) SECOND))"


def utc_midnight(day: date) -> datetime:
    """The naive-UTC instant at which `day` starts in TIMEZONE."""
    return datetime.combine(day, time.min, tzinfo=local_tz()).astimezone(UTC).replace(tzinfo=None)


def _offset_at(epoch: int) -> int:
    return int(datetime.fromtimestamp(epoch, local_tz()).utcoffset().total_seconds())


def offset_segments(start: datetime, end: datetime) -> list[tuple[datetime, int]]:
    """TIMEZONE's UTC offset over [start, end) as [(from, seconds)]: one segment per DST period, cut to the second."""
    epoch = int(start.replace(tzinfo=UTC).timestamp())
    stop = int(end.replace(tzinfo=UTC).timestamp())
    offset = _offset_at(epoch)
    segments = [(start, offset)]
    while epoch < stop:
        step = min(epoch + 86_400, stop)
        if _offset_at(step) != offset:
            low, high = epoch, step  # offset(low) is the old one, offset(high) the new one
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (middle, high) if _offset_at(middle) == offset else (low, middle)
            offset = _offset_at(high)
            segments.append((datetime.fromtimestamp(high, UTC).replace(tzinfo=None), offset))
        epoch = step
    return segments


def local_day(column, start: datetime, end: datetime | None = None):
    """The TIMEZONE date of `column` for rows created in [start, end): a CASE only when DST changes in between."""
    segments = offset_segments(start, end or utcnow())
    offset = literal_column(str(segments[0][1]))
    if len(segments) > 1:
        whens = [(column >= since, literal_column(str(seconds))) for since, seconds in reversed(segments[1:])]
        offset = case(*whens, else_=offset)
    return _LocalDay(column, offset)


def as_date(value) -> date:
    """SQLite hands a computed DATE back as text."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def closed_boundary() -> date:
    """Every TIMEZONE day before this one is closed."""
    return (datetime.now(local_tz()) - GRACE).date()


def refresh_rollup(company_id: int) -> date:
    """Fill AccessLogDay up to the closed days; returns the first day NOT in it (count later days from AccessLog)."""
    boundary = closed_boundary()
    timezone = current_app.config["TIMEZONE"]
    mark = _mark(company_id)
    if mark is not None and mark.timezone == timezone and mark.closed_until >= boundary:
        return mark.closed_until
    lock_company(company_id)  # one builder per company at a time
    mark = _mark(company_id, lock=True)
    start = mark.closed_until if mark is not None and mark.timezone == timezone else None
    if start is None:
        db.session.execute(delete(AccessLogDay).where(AccessLogDay.company_id == company_id))
    if start is None or start < boundary:
        _materialize(company_id, start, boundary)
    if mark is None:
        mark = StatRollup(company_id=company_id)
        db.session.add(mark)
    mark.closed_until, mark.timezone = max(boundary, start or boundary), timezone
    db.session.flush()
    return mark.closed_until


def reset_rollup(company_id: int) -> None:
    """Forget the company's rollup (after writing events dated in the past); the next request rebuilds it."""
    db.session.execute(delete(AccessLogDay).where(AccessLogDay.company_id == company_id))
    db.session.execute(delete(StatRollup).where(StatRollup.company_id == company_id))


def _mark(company_id: int, lock: bool = False) -> StatRollup | None:
    stmt = select(StatRollup).where(StatRollup.company_id == company_id)
    if lock:
        stmt = stmt.with_for_update()
    return db.session.scalars(stmt.execution_options(populate_existing=True)).first()


def _materialize(company_id: int, first_day: date | None, end_day: date) -> None:
    """Count the events of [first_day, end_day) per day and action (all of them before end_day if no first_day)."""
    end = utc_midnight(end_day)
    in_company = (AccessLog.company_id == company_id, AccessLog.create_date < end)
    start = (
        utc_midnight(first_day)
        if first_day
        else db.session.scalar(select(func.min(AccessLog.create_date)).where(*in_company))
    )
    if start is None:
        return
    day = local_day(AccessLog.create_date, start, end)
    stmt = (
        select(day, AccessLog.action, func.count())
        .where(*in_company, AccessLog.create_date >= start)
        .group_by(day, AccessLog.action)
    )
    rows = [
        {"company_id": company_id, "day": as_date(day), "action": action, "num": num}
        for day, action, num in db.session.execute(stmt)
    ]
    if rows:
        db.session.execute(insert(AccessLogDay), rows)
