"""Migrations are the schema — upgrade, downgrade to base, upgrade, and no pending diff."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db
from config import TestingConfig


def _migration_database_url(tmp_path) -> str:
    base = TestingConfig.SQLALCHEMY_DATABASE_URI
    if not base.startswith("mysql"):
        return f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
    url = make_url(base)
    name = f"{url.database}_migrations"
    server = create_engine(url.set(database=""))
    with server.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        conn.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
    server.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def migration_app(tmp_path):
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = _migration_database_url(tmp_path)

    app = create_app(Config)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _diff():
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_upgrade_downgrade_upgrade_and_no_pending_diff(migration_app):
    upgrade()
    tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert _diff() == []
