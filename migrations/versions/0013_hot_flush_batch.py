"""hot_flush_batch: the Redis buffer's flushed batches (a flush interrupted after its commit is not applied twice)

Revision ID: 0013_hot_flush_batch
Revises: 0012_rollup_counted_until
Create Date: 2026-11-29 14:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_hot_flush_batch'
down_revision = '0012_rollup_counted_until'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'hot_flush_batch',
        sa.Column('batch_id', sa.String(length=32), nullable=False),
        sa.Column('flushed_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('batch_id', name=op.f('pk_hot_flush_batch')),
    )
    with op.batch_alter_table('hot_flush_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hot_flush_batch_flushed_at'), ['flushed_at'], unique=False)


def downgrade():
    with op.batch_alter_table('hot_flush_batch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hot_flush_batch_flushed_at'))
    op.drop_table('hot_flush_batch')
