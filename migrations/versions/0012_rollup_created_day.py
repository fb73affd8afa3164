"""created_day: customers and follow-up notes per closed TIMEZONE day, backfilled up to each stat_rollup mark

Revision ID: 0012_rollup_created_day
Revises: 0011_job_heartbeat
Create Date: 2026-11-29 14:40:00.000000

The statistics read closed days from the rollups up to stat_rollup.closed_until (docs/radar.md): a
company that already has a mark gets its customers and follow-up notes counted here for the same days,
in the mark's timezone; a company without one is counted by its first statistics request.
"""
from collections import Counter
from datetime import UTC, datetime, time

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_rollup_created_day'
down_revision = '0011_job_heartbeat'
branch_labels = None
depends_on = None

# created_day.kind: 1 customers, 2 follow-up notes (the index_type of 1.7).
SOURCES = {1: 'customer', 2: 'follow_info'}

created_day = sa.table(
    'created_day',
    sa.column('company_id', sa.Integer()),
    sa.column('kind', sa.SmallInteger()),
    sa.column('day', sa.Date()),
    sa.column('num', sa.Integer()),
)
stat_rollup = sa.table(
    'stat_rollup',
    sa.column('company_id', sa.Integer()),
    sa.column('closed_until', sa.Date()),
    sa.column('timezone', sa.String()),
)


def upgrade():
    op.create_table('created_day',
    sa.Column('company_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('kind', sa.SmallInteger(), autoincrement=False, nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('num', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_created_day_company_id_company'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('company_id', 'kind', 'day', name=op.f('pk_created_day'))
    )
    _backfill(op.get_bind())


def _backfill(bind):
    """Count each marked company's rows created before its closed_until, per day in the mark's timezone."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    marks = bind.execute(sa.select(stat_rollup.c.company_id, stat_rollup.c.closed_until, stat_rollup.c.timezone))
    for company_id, closed_until, timezone in marks.all():
        try:
            zone = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):  # unusable: drop the mark, the next request rebuilds it all
            bind.execute(sa.text('DELETE FROM access_log_day WHERE company_id = :c'), {'c': company_id})
            bind.execute(stat_rollup.delete().where(stat_rollup.c.company_id == company_id))
            continue
        end = datetime.combine(closed_until, time.min, tzinfo=zone).astimezone(UTC).replace(tzinfo=None)
        for kind, name in SOURCES.items():
            rows = sa.table(name, sa.column('company_id', sa.Integer()), sa.column('create_date', sa.DateTime()))
            stmt = sa.select(rows.c.create_date).where(rows.c.company_id == company_id, rows.c.create_date < end)
            days = Counter(
                created.replace(tzinfo=UTC).astimezone(zone).date() for created in bind.execute(stmt).scalars()
            )
            values = [{'company_id': company_id, 'kind': kind, 'day': day, 'num': num} for day, num in days.items()]
            if values:
                bind.execute(created_day.insert(), values)


def downgrade():
    op.drop_table('created_day')
