"""job: heartbeat_at (the running process's last sign of life; a stale one means the job was interrupted)

Revision ID: 0011_job_heartbeat
Revises: 0010_operation_log
Create Date: 2026-11-29 12:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_job_heartbeat'
down_revision = '0010_operation_log'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_column('heartbeat_at')
