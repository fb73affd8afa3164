"""operation_log table; access rule `operation_log` (under a new `log_manage`), granted to roles 1 and 2

A database seeded before this rule existed gets it here: `flask seed` only creates what is missing and leaves
existing roles' rules alone. A fresh database (no rule tree yet) is left to `flask seed`.

Revision ID: 0010_operation_log
Revises: 0009_activity_fields
Create Date: 2026-11-29 12:10:00.000000

"""

from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0010_operation_log"
down_revision = "0009_activity_fields"
branch_labels = None
depends_on = None

SEEDED_MARK, PARENT, PARENT_NAME, RULE, NAME = "account_manage", "log_manage", "日志管理", "operation_log", "操作日志"
ROLES = (1, 2)


def _rule_id(conn, url_path):
    return conn.execute(sa.text("SELECT id FROM access_rule WHERE url_path = :p"), {"p": url_path}).scalar()


def _add_rule(conn, name, url_path, super_id):
    if _rule_id(conn, url_path) is None:
        conn.execute(
            sa.text("INSERT INTO access_rule (name, url_path, super_id, create_date) VALUES (:n, :p, :s, :d)"),
            {"n": name, "p": url_path, "s": super_id, "d": datetime.now(timezone.utc).replace(tzinfo=None)},
        )
    return _rule_id(conn, url_path)


def _grant(conn, role_id, rule_id):
    role = conn.execute(sa.text("SELECT id FROM role WHERE id = :r"), {"r": role_id}).scalar()
    granted = conn.execute(
        sa.text("SELECT 1 FROM role_rule WHERE role_id = :r AND rule_id = :u"), {"r": role_id, "u": rule_id}
    ).scalar()
    if role is not None and granted is None:
        conn.execute(sa.text("INSERT INTO role_rule (role_id, rule_id) VALUES (:r, :u)"), {"r": role_id, "u": rule_id})


def upgrade():
    op.create_table(
        "operation_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("create_date", sa.DateTime(), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("admin_id", sa.Integer(), nullable=True),
        sa.Column("admin_name", sa.String(length=64), nullable=True),
        sa.Column("switched_from_id", sa.Integer(), nullable=True),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=128), nullable=False),
        sa.Column("endpoint", sa.String(length=128), nullable=True),
        sa.Column("target_type", sa.String(length=64), nullable=True),
        sa.Column("target_id", sa.String(length=64), nullable=True),
        sa.Column("summary", sa.JSON(), nullable=True),
        sa.Column("client_ip", sa.String(length=64), nullable=True),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operation_log")),
    )
    with op.batch_alter_table("operation_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_operation_log_admin_id"), ["admin_id"], unique=False)
        batch_op.create_index("ix_operation_log_company_date", ["company_id", "create_date"], unique=False)
        batch_op.create_index("ix_operation_log_date", ["create_date"], unique=False)
        batch_op.create_index("ix_operation_log_target", ["target_type", "target_id"], unique=False)

    conn = op.get_bind()
    if _rule_id(conn, SEEDED_MARK) is None:
        return
    parent_id = _add_rule(conn, PARENT_NAME, PARENT, None)
    rule_id = _add_rule(conn, NAME, RULE, parent_id)
    for role_id in ROLES:
        _grant(conn, role_id, parent_id)
        _grant(conn, role_id, rule_id)


def downgrade():
    conn = op.get_bind()
    for url_path in (RULE, PARENT):
        rule_id = _rule_id(conn, url_path)
        if rule_id is not None:
            conn.execute(sa.text("DELETE FROM role_rule WHERE rule_id = :u"), {"u": rule_id})
            conn.execute(sa.text("DELETE FROM access_rule WHERE id = :u"), {"u": rule_id})
    with op.batch_alter_table("operation_log", schema=None) as batch_op:
        batch_op.drop_index("ix_operation_log_target")
        batch_op.drop_index("ix_operation_log_date")
        batch_op.drop_index("ix_operation_log_company_date")
        batch_op.drop_index(batch_op.f("ix_operation_log_admin_id"))
    op.drop_table("operation_log")
