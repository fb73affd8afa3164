"""plugin_activity: activity_time and place (free text shown on the H5 activity page)

Revision ID: 0009_activity_fields
Revises: 0008_customer_rule
Create Date: 2026-11-29 11:15:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_activity_fields'
down_revision = '0008_customer_rule'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('plugin_activity', schema=None) as batch_op:
        batch_op.add_column(sa.Column('activity_time', sa.String(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('place', sa.String(length=255), nullable=False, server_default=''))
    with op.batch_alter_table('plugin_activity', schema=None) as batch_op:  # existing rows filled: no default kept
        batch_op.alter_column('activity_time', server_default=None)
        batch_op.alter_column('place', server_default=None)


def downgrade():
    with op.batch_alter_table('plugin_activity', schema=None) as batch_op:
        batch_op.drop_column('place')
        batch_op.drop_column('activity_time')
