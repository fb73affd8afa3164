"""`flask seed` is idempotent."""

from sqlalchemy import func, select

from app.access import ALL_CHILD_RULES
from app.commands.seed import seed_command
from app.extensions import db
from app.models.admin import AccessRule, AdminUser, Role
from app.models.company import Company


def _counts():
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (AccessRule, Role, Company, AdminUser))


def test_seed_twice_changes_nothing(app, ctx):
    runner = app.test_cli_runner()
    first = runner.invoke(seed_command)
    assert first.exit_code == 0, first.output
    assert "password" in first.output  # no ADMIN_PASSWORD: a random one is printed once
    counts = _counts()
    second = runner.invoke(seed_command)
    assert second.exit_code == 0 and "password" not in second.output
    assert _counts() == counts
    paths = set(db.session.scalars(select(AccessRule.url_path)))
    assert set(ALL_CHILD_RULES) <= paths
    admin = db.session.scalar(select(AdminUser).where(AdminUser.login_user == app.config["ADMIN_USERNAME"]))
    assert admin.role_id == 1
