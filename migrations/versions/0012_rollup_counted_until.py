"""created_day (customers and follow-up notes per TIMEZONE day); stat_rollup.closed_until becomes counted_until

Revision ID: 0012_rollup_counted_until
Revises: 0011_job_heartbeat
Create Date: 2026-11-29 14:40:00.000000

The statistics read the rollups for the rows created before stat_rollup.counted_until, an instant
(docs/radar.md); a mark's closed_until (the first day not rolled up) becomes that day's midnight in the
mark's timezone, and created_day is backfilled with the customers and follow-up notes created before
it. A company without a mark is counted by its first statistics request. Downgrading drops every
rollup: the next statistics request rebuilds it.
"""
from collections import Counter
from datetime import UTC, datetime, time

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_rollup_counted_until'
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
    sa.column('counted_until', sa.DateTime()),
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
    with op.batch_alter_table('stat_rollup', schema=None) as batch_op:
        batch_op.add_column(sa.Column('counted_until', sa.DateTime(), nullable=True))
    _backfill(op.get_bind())
    with op.batch_alter_table('stat_rollup', schema=None) as batch_op:
        batch_op.alter_column('counted_until', existing_type=sa.DateTime(), nullable=False)
        batch_op.drop_column('closed_until')


def _backfill(bind):
    """Each mark's closed_until as an instant; its company's rows created before it counted per day in its timezone."""
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
        bind.execute(stat_rollup.update().where(stat_rollup.c.company_id == company_id).values(counted_until=end))
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
    op.execute('DELETE FROM access_log_day')
    op.execute('DELETE FROM stat_rollup')
    with op.batch_alter_table('stat_rollup', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_until', sa.Date(), nullable=False))
        batch_op.drop_column('counted_until')
