"""feedback: the admin's reply (reply, reply_date, replied_by_id)

Revision ID: 0007_feedback_reply
Revises: 0006_appid_claims
Create Date: 2026-11-29 11:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_feedback_reply'
down_revision = '0006_appid_claims'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reply', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('reply_date', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('replied_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_feedback_replied_by_id_admin_user'), 'admin_user', ['replied_by_id'], ['id'],
            ondelete='SET NULL',
        )


def downgrade():
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_feedback_replied_by_id_admin_user'), type_='foreignkey')
        batch_op.drop_column('replied_by_id')
        batch_op.drop_column('reply_date')
        batch_op.drop_column('reply')
