"""TIMEZONE days in SQL, and the per-day rollups the statistics read instead of the rows (see docs/radar.md).

Events, customers and follow-up notes are recorded at the current time, so the rows created before a
past instant only change when rows are deleted. They are counted per TIMEZONE day (lazily, by the
statistics requests) into AccessLogDay (events per action) and CreatedDay (customers and follow-up
notes), up to StatRollup.counted_until: every finished day once, the current day again every STEP.
The statistics count only the rows created since. Deleting follow-up notes goes through
uncount_follow_notes(); whatever writes rows dated in the past (demo-data, imports) must call
reset_rollup() for the company afterwards.
"""

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import Date, bindparam, case, delete, func, insert, literal, literal_column, select, update
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from app.extensions import db
from app.models.radar import (
    CREATED_CUSTOMERS,
    CREATED_FOLLOW_NOTES,
    AccessLog,
    AccessLogDay,
    CreatedDay,
    Customer,
    FollowInfo,
    StatRollup,
)
from app.services.db import lock_company
from app.timefmt import local_today, local_tz, utcnow

# The rollups stop this long before the present, so that a row created by a transaction still
# committing is not missed.
GRACE = timedelta(minutes=10)
# How often the current day's counts are brought up to date (the rows counted on every request are
# those of the last GRACE to GRACE + STEP).
STEP = timedelta(minutes=5)
# The rows CreatedDay counts, by kind.
CREATED_MODELS = {CREATED_CUSTOMERS: Customer, CREATED_FOLLOW_NOTES: FollowInfo}


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


def open_days(since: datetime) -> list[tuple[object, datetime, datetime | None]]:
    """(the day as an SQL DATE constant, from, to or None for now) for each TIMEZONE day from the one
    `since` falls on to today: the rows created since, counted a day at a time (usually today's only)."""
    return [(func.date(literal(day, Date)), *bounds) for day, *bounds in open_day_bounds(since)]


def open_day_bounds(since: datetime) -> list[tuple[date, datetime, datetime | None]]:
    """open_days() as plain values: (the day, from, to or None for now); only the last one is open."""
    first = since.replace(tzinfo=UTC).astimezone(local_tz()).date()
    days = [first + timedelta(days=n) for n in range((local_today() - first).days + 1)] or [first]
    starts = [since, *(utc_midnight(day) for day in days[1:])]
    ends = [*starts[1:], None]
    return list(zip(days, starts, ends, strict=True))


def as_date(value) -> date:
    """SQLite hands a computed DATE back as text."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def refresh_rollup(company_id: int) -> datetime:
    """Bring the rollups up to a recent instant; returns it (the statistics count the rows created from then on).

    Finished days are counted once; the day `counted_until` falls on is counted again from its midnight.
    """
    target = utcnow().replace(microsecond=0) - GRACE
    timezone = current_app.config["TIMEZONE"]
    mark = _mark(company_id)
    seen = mark.counted_until if mark is not None and mark.timezone == timezone else None
    if seen is not None and seen > target - STEP:
        return seen
    lock_company(company_id)  # one builder per company at a time
    mark = _mark(company_id, lock=True)
    if mark is not None and mark.timezone == timezone:
        if mark.counted_until > target - STEP:
            # Another request did it meanwhile. This transaction's reads may still see the rollups as they
            # were (REPEATABLE READ), consistent with the mark it saw first: count the rows from there.
            return seen or mark.counted_until
        open_day = mark.counted_until.replace(tzinfo=UTC).astimezone(local_tz()).date()
        _forget(company_id, open_day)
        _materialize(company_id, open_day, target)
    else:
        _forget(company_id)
        _materialize(company_id, None, target)
    if mark is None:
        mark = StatRollup(company_id=company_id)
        db.session.add(mark)
    mark.counted_until, mark.timezone = target, timezone
    db.session.flush()
    return target


def reset_rollup(company_id: int) -> None:
    """Forget the company's rollups (after writing rows dated in the past); the next request rebuilds them."""
    _forget(company_id)
    db.session.execute(delete(StatRollup).where(StatRollup.company_id == company_id))


def _forget(company_id: int, from_day: date | None = None) -> None:
    for table in (AccessLogDay, CreatedDay):
        stmt = delete(table).where(table.company_id == company_id)
        if from_day is not None:
            stmt = stmt.where(table.day >= from_day)
        db.session.execute(stmt)


def uncount_follow_notes(relations) -> None:
    """Take the follow-up notes of `relations` (a select of UserCustomer ids) out of CreatedDay, before deleting them.

    One statement reads the notes' times with the company's rollup mark (locked, so a concurrent refresh
    either ran before and is seen, or waits); one more updates the counts of the days they were counted in.
    """
    stmt = (
        select(FollowInfo.company_id, FollowInfo.create_date, StatRollup.counted_until, StatRollup.timezone)
        .join(StatRollup, StatRollup.company_id == FollowInfo.company_id)
        .where(FollowInfo.user_customer_id.in_(relations))
        .with_for_update()
    )
    timezone, days = current_app.config["TIMEZONE"], Counter()
    for company_id, created, counted_until, mark_timezone in db.session.execute(stmt):
        # A rollup kept in another timezone is rebuilt whole by the next refresh: nothing to correct.
        if mark_timezone == timezone and created < counted_until:
            days[company_id, created.replace(tzinfo=UTC).astimezone(local_tz()).date()] += 1
    if days:
        counted = (
            update(CreatedDay)
            .where(
                CreatedDay.company_id == bindparam("company"),
                CreatedDay.kind == CREATED_FOLLOW_NOTES,
                CreatedDay.day == bindparam("closed_day"),
            )
            .values(num=CreatedDay.num - bindparam("deleted"))
        )
        rows = [{"company": company, "closed_day": day, "deleted": n} for (company, day), n in days.items()]
        db.session.connection().execute(counted, rows)


def _mark(company_id: int, lock: bool = False) -> StatRollup | None:
    return db.session.scalars(_MARK_LOCKED if lock else _MARK, {"company_id": company_id}).first()


# Built once (every statistics request reads the mark): a statement's cache key costs more than this SELECT.
_MARK = (
    select(StatRollup).where(StatRollup.company_id == bindparam("company_id")).execution_options(populate_existing=True)
)
_MARK_LOCKED = _MARK.with_for_update()


def _materialize(company_id: int, first_day: date | None, end: datetime) -> None:
    """Count the rows created from first_day's midnight (from the first if None) to `end`, per day:
    events per action into AccessLogDay, customers and follow-up notes per kind into CreatedDay."""
    events = _day_counts(AccessLog, company_id, first_day, end, AccessLog.action)
    rows = [{"company_id": company_id, "day": day, "action": action, "num": num} for day, action, num in events]
    if rows:
        db.session.execute(insert(AccessLogDay), rows)
    for kind, model in CREATED_MODELS.items():
        counts = _day_counts(model, company_id, first_day, end)
        rows = [{"company_id": company_id, "kind": kind, "day": day, "num": num} for day, num in counts]
        if rows:
            db.session.execute(insert(CreatedDay), rows)


def _day_counts(model, company_id: int, first_day: date | None, end: datetime, *keys) -> list[tuple]:
    """(TIMEZONE day, *keys, count) of the company's rows created in [first_day, end)."""
    in_company = (model.company_id == company_id, model.create_date < end)
    start = (
        utc_midnight(first_day)
        if first_day
        else db.session.scalar(select(func.min(model.create_date)).where(*in_company))
    )
    if start is None:
        return []
    day = local_day(model.create_date, start, end)
    stmt = select(day, *keys, func.count()).where(*in_company, model.create_date >= start).group_by(day, *keys)
    return [(as_date(day), *rest) for day, *rest in db.session.execute(stmt)]
