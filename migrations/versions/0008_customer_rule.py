"""access rule `customer` (the admin's customer list, detail and forwarding tree), granted to role 2

A database seeded before this rule existed gets it here: `flask seed` only creates what is missing and leaves
existing roles' rules alone. A fresh database (no rule tree yet) is left to `flask seed`.

Revision ID: 0008_customer_rule
Revises: 0007_feedback_reply
Create Date: 2026-11-29 11:10:00.000000

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_customer_rule'
down_revision = '0007_feedback_reply'
branch_labels = None
depends_on = None

PARENT, RULE, NAME, ROLE_ADMIN = 'user_manage', 'customer', '客户', 2


def _rule_id(conn, url_path):
    return conn.execute(sa.text('SELECT id FROM access_rule WHERE url_path = :p'), {'p': url_path}).scalar()


def upgrade():
    conn = op.get_bind()
    parent_id = _rule_id(conn, PARENT)
    if parent_id is None:
        return
    if _rule_id(conn, RULE) is None:
        conn.execute(
            sa.text('INSERT INTO access_rule (name, url_path, super_id, create_date) VALUES (:n, :p, :s, :d)'),
            {'n': NAME, 'p': RULE, 's': parent_id, 'd': datetime.now(timezone.utc).replace(tzinfo=None)},
        )
    rule_id = _rule_id(conn, RULE)
    role = conn.execute(sa.text('SELECT id FROM role WHERE id = :r'), {'r': ROLE_ADMIN}).scalar()
    granted = conn.execute(
        sa.text('SELECT 1 FROM role_rule WHERE role_id = :r AND rule_id = :u'), {'r': ROLE_ADMIN, 'u': rule_id}
    ).scalar()
    if role is not None and granted is None:
        conn.execute(sa.text('INSERT INTO role_rule (role_id, rule_id) VALUES (:r, :u)'), {'r': ROLE_ADMIN, 'u': rule_id})


def downgrade():
    conn = op.get_bind()
    rule_id = _rule_id(conn, RULE)
    if rule_id is not None:
        conn.execute(sa.text('DELETE FROM role_rule WHERE rule_id = :u'), {'u': rule_id})
        conn.execute(sa.text('DELETE FROM access_rule WHERE id = :u'), {'u': rule_id})
