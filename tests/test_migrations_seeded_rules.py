"""A database seeded before the `customer` rule existed gets it, granted to role 2, by migration 0008."""

from pathlib import Path

from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from app.commands.seed import run_seed
from app.extensions import db
from app.models.admin import ROLE_ADMIN, ROLE_MEMBER, AccessRule, Role
from tests.test_migrations import migration_app  # noqa: F401 - the fixture


def _before_the_rule() -> str:
    """The revision before the one that adds the rule (found by content: revisions may be renumbered)."""
    scripts = ScriptDirectory(str(Path(__file__).resolve().parent.parent / "migrations"))
    [script] = [s for s in scripts.walk_revisions() if getattr(s.module, "RULE", None) == "customer"]
    return script.down_revision


BEFORE = _before_the_rule()


def _rule(url_path):
    db.session.expire_all()
    return db.session.scalar(select(AccessRule).where(AccessRule.url_path == url_path))


def _paths(role_id):
    db.session.expire_all()
    return {rule.url_path for rule in db.session.get(Role, role_id).rules}


def test_an_existing_seeded_database_gets_the_customer_rule(migration_app):  # noqa: F811
    upgrade()
    run_seed()
    db.session.remove()
    downgrade(revision=BEFORE)  # the database as a deployment seeded before the rule existed has it
    assert _rule("customer") is None and "customer" not in _paths(ROLE_ADMIN)
    db.session.remove()
    upgrade()
    rule = _rule("customer")
    assert rule is not None and rule.parent.url_path == "user_manage"
    assert "customer" in _paths(ROLE_ADMIN) and "customer" not in _paths(ROLE_MEMBER)
    db.session.remove()
    upgrade()  # idempotent at head; seeding again changes nothing either
    run_seed()
    assert len(db.session.scalars(select(AccessRule).where(AccessRule.url_path == "customer")).all()) == 1


def test_a_fresh_database_is_left_to_seed(migration_app):  # noqa: F811
    upgrade()
    assert _rule("customer") is None and _rule("user_manage") is None
    run_seed()
    assert _rule("customer").parent.url_path == "user_manage" and "customer" in _paths(ROLE_ADMIN)
