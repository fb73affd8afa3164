"""What every request pays the database (docs/operations.md, "Database connections"; docs/security.md,
"Access rules cache"): the caller and its company in one statement, the role's rules from the process's
cache, one COMMIT or ROLLBACK at the end, and a connection the server closed replaced without a failed request."""

import json
import sqlite3
import time
from types import SimpleNamespace

import pymysql
import pytest
from sqlalchemy import create_engine, delete, event, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app import rule_cache
from app.database import register_engine, wrote
from app.extensions import db, redis_connection
from app.models.admin import ROLE_ADMIN, AccessRule, role_rule
from tests.conftest import body

LOGIN_RULES = "/zhugeleida/admin/login_rules"
PROFILES = "/zhugeleida/admin/admin_userprofile"
TAG_ADD = "/zhugeleida/admin/article_tag/add/0"


@pytest.fixture
def transaction_ends(app):
    """`with transaction_ends() as ends: ...` then `ends` lists "commit"/"rollback" as the engine ended them."""
    from contextlib import contextmanager

    @contextmanager
    def recorder():
        ends: list[str] = []
        with app.app_context():
            engine = db.engine

        def on_commit(_conn):
            ends.append("commit")

        def on_rollback(_conn):
            ends.append("rollback")

        event.listen(engine, "commit", on_commit)
        event.listen(engine, "rollback", on_rollback)
        try:
            yield ends
        finally:
            event.remove(engine, "commit", on_commit)
            event.remove(engine, "rollback", on_rollback)

    return recorder


# --- statements ------------------------------------------------------------------------------------------


def test_a_signed_read_costs_the_caller_alone(api, make, count_queries):
    """1.2 for role 2 is the guard and nothing else: one statement (the caller joined to its company)."""
    client = api.as_(make.admin())
    with count_queries() as n:
        payload = body(client.get(LOGIN_RULES))
    assert payload["code"] == 200 and "product" in payload["data"]["rules_list"]
    assert n() == 1


def test_a_refused_rule_costs_the_caller_alone(api, make, count_queries):
    client = api.as_(make.member())
    with count_queries() as n:
        assert body(client.get("/zhugeleida/admin/admin_role"))["code"] == 403
    assert n() == 1


def test_the_callers_company_comes_with_the_caller(api, make, count_queries):
    """1.4 needs the caller's company (its seat quota): no statement of its own."""
    admin = make.admin()
    client = api.as_(SimpleNamespace(id=admin.id, token=admin.token))
    db.session.remove()  # as in production, the request starts from an empty session (not the factory's)
    with count_queries() as n:
        assert body(client.get("/zhugeleida/admin/user"))["code"] == 200
    assert n() == 3  # the caller, the departments, the page (not full: it tells the total, app/pagination.py)


def test_the_role_list_costs_two_statements(api, make, count_queries):
    """4.1: the caller, then every role with its rules' ids, then the rule tree: plain rows, no ORM objects."""
    client = api.as_(make.superadmin())
    with count_queries() as n:
        payload = body(client.get("/zhugeleida/admin/admin_role"))
    assert payload["code"] == 200 and payload["data"]["data_count"] >= 3
    assert n() == 3


def test_superadmin_rules_are_every_rule_in_order(api, make, count_queries):
    client = api.as_(make.superadmin())
    with count_queries() as n:
        rules = body(client.get(LOGIN_RULES))["data"]["rules_list"]
    assert rules == list(db.session.scalars(select(AccessRule.url_path).order_by(AccessRule.id)))
    assert n() == 1


# --- the rules cache ---------------------------------------------------------------------------------------


def _role_rule_ids(*paths):
    return [db.session.scalar(select(AccessRule.id).where(AccessRule.url_path == p)) for p in paths]


def test_a_role_change_applies_at_once(api, make):
    """4.3 takes `admin_userprofile` from role 2: a role 2 admin is refused at once (the cache was bumped)."""
    admin = api.as_(make.admin())
    assert body(admin.get(PROFILES))["code"] == 200
    operator = api.as_(make.superadmin())
    keep = _role_rule_ids("article", "account")
    assert (
        body(
            operator.post("/zhugeleida/admin/admin_role/update/2", {"name": "管理员", "rules_list": json.dumps(keep)})
        )["code"]
        == 200
    )
    assert body(admin.get(PROFILES))["code"] == 403
    assert body(admin.get(LOGIN_RULES))["data"]["rules_list"] == ["account", "article"]


def test_a_rolled_back_role_change_keeps_the_cache(app, ctx, make, count_queries):
    make.admin()
    rule = db.session.scalar(select(AccessRule).where(AccessRule.url_path == "product"))
    rule.name = "改名"
    db.session.flush()
    db.session.rollback()
    with count_queries() as n:
        assert "product" in rule_cache.role_paths(ROLE_ADMIN)
    assert n() == 0


def _revoke_behind_the_apps_back(url_path: str) -> None:
    """What another host (or SQL by hand) does: no ORM write in this process, so no bump here."""
    rule_id = db.session.scalar(select(AccessRule.id).where(AccessRule.url_path == url_path))
    db.session.execute(delete(role_rule).where(role_rule.c.role_id == ROLE_ADMIN, role_rule.c.rule_id == rule_id))
    db.session.commit()


def test_another_hosts_change_arrives_through_the_redis_version(app, ctx, monkeypatch):
    if not app.config["REDIS_URL"]:
        pytest.skip("needs Redis (TEST_REDIS_URL)")
    monkeypatch.setitem(app.config, "ACCESS_RULES_CHECK_SECONDS", 0)
    assert "product" in rule_cache.role_paths(ROLE_ADMIN)
    _revoke_behind_the_apps_back("product")
    assert "product" in rule_cache.role_paths(ROLE_ADMIN)  # the version did not move: still cached
    redis_connection().incr(app.config["ACCESS_RULES_VERSION_KEY"])  # the other host's commit
    assert "product" not in rule_cache.role_paths(ROLE_ADMIN)


def test_a_cached_role_is_reloaded_after_its_maximum_age(app, ctx, monkeypatch):
    """Without Redis this is how a change reaches the other processes (ACCESS_RULES_CACHE_SECONDS)."""
    assert "product" in rule_cache.role_paths(ROLE_ADMIN)
    _revoke_behind_the_apps_back("product")
    assert "product" in rule_cache.role_paths(ROLE_ADMIN)
    monkeypatch.setitem(app.config, "ACCESS_RULES_CACHE_SECONDS", 0)
    assert "product" not in rule_cache.role_paths(ROLE_ADMIN)


def test_an_unreachable_redis_means_no_cache(app, ctx, monkeypatch, count_queries):
    """The version cannot be known: every lookup reads the database (never a stale rule, never a 500)."""
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens on port 1
    monkeypatch.setitem(app.config, "ACCESS_RULES_CHECK_SECONDS", 0)
    saved = app.extensions.pop("zhugeleida_redis", None)
    try:
        with count_queries() as n:
            rule_cache.role_paths(ROLE_ADMIN)
            rule_cache.role_paths(ROLE_ADMIN)
        assert n() == 2
    finally:
        app.extensions.pop("zhugeleida_redis", None)
        if saved is not None:
            app.extensions["zhugeleida_redis"] = saved


# --- ending the transaction ---------------------------------------------------------------------------------


def test_a_read_ends_with_one_rollback(api, make, transaction_ends):
    client = api.as_(make.admin())
    with transaction_ends() as ends:
        assert body(client.get("/zhugeleida/admin/admin_userprofile"))["code"] == 200
    assert ends == ["rollback"]


def test_a_write_ends_with_one_commit(api, make, transaction_ends):
    client = api.as_(make.admin())
    with transaction_ends() as ends:
        assert body(client.post(TAG_ADD, {"tag_name": "汽车"}))["code"] == 200
    assert ends == ["commit"]


def test_a_refused_write_ends_with_one_rollback(api, make, transaction_ends):
    client = api.as_(make.admin())
    with transaction_ends() as ends:
        assert body(client.post(TAG_ADD, {}))["code"] != 200
    assert ends == ["rollback"]


class _CountingConnection(sqlite3.Connection):
    """The DBAPI connection's own COMMITs and ROLLBACKs, whoever sends them (the session or the pool)."""

    calls: list[str] = []

    def commit(self):
        self.calls.append("commit")
        super().commit()

    def rollback(self):
        self.calls.append("rollback")
        super().rollback()


def test_the_pool_adds_no_round_trip_to_an_ended_transaction(tmp_path):
    engine = create_engine(
        f"sqlite:///{tmp_path / 'pool.sqlite3'}",
        connect_args={"factory": _CountingConnection},
        pool_reset_on_return=None,
    )
    register_engine(engine)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    calls = _CountingConnection.calls
    for work, expected in [
        ("read", ["rollback"]),
        ("write", ["commit"]),
        ("left open", ["rollback"]),  # returned to the pool mid-transaction: the pool rolls it back
    ]:
        calls.clear()
        session = Session(engine)
        if work == "write":
            session.execute(text("INSERT INTO t VALUES (1)"))
            assert wrote(session)
            session.commit()
        else:
            session.execute(text("SELECT x FROM t"))
            assert not wrote(session)
            if work == "read":
                session.rollback()
        session.close()
        assert calls == expected, work
    engine.dispose()


# --- a connection the server closed --------------------------------------------------------------------------


def _server_connection(app):
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    return pymysql.connect(
        host=url.host, port=url.port or 3306, user=url.username, password=url.password or "", autocommit=True
    )


def test_a_killed_connection_is_replaced_without_a_failed_request(app, api, make):
    """MariaDB KILLs every connection of the app's pool: the next requests succeed (no restart, no 503)."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "mysql":
        pytest.skip("needs MariaDB (TEST_DATABASE_URL)")
    client = api.as_(make.admin())
    assert body(client.get("/zhugeleida/admin/admin_userprofile"))["code"] == 200
    pooled = [engine.connect() for _ in range(engine.pool.checkedin())]  # every idle pooled connection
    ids = {conn.execute(text("SELECT CONNECTION_ID()")).scalar() for conn in pooled}
    for conn in pooled:
        conn.close()
    killer = _server_connection(app)
    try:
        with killer.cursor() as cursor:
            for connection_id in ids:
                cursor.execute(f"KILL {int(connection_id)}")
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                cursor.execute("SELECT ID FROM information_schema.PROCESSLIST")
                if not ids & {row[0] for row in cursor.fetchall()}:
                    break
                time.sleep(0.05)
    finally:
        killer.close()
    for _ in range(3):
        assert body(client.get("/zhugeleida/admin/admin_userprofile"))["code"] == 200
    with engine.connect() as conn:
        assert conn.execute(text("SELECT CONNECTION_ID()")).scalar() not in ids


# --- the pool's size -----------------------------------------------------------------------------------------


def test_a_server_database_pools_as_many_connections_as_the_threads():
    from app.database import pool_options
    from config import TestingConfig

    options = TestingConfig.SQLALCHEMY_ENGINE_OPTIONS  # as configured, before create_app sizes the pool
    config = {"SQLALCHEMY_ENGINE_OPTIONS": options, "DATABASE_POOL_SIZE": 10, "DATABASE_MAX_OVERFLOW": 4}
    mysql = pool_options({**config, "SQLALCHEMY_DATABASE_URI": "mysql+pymysql://u@db/x"})
    assert (mysql["pool_size"], mysql["max_overflow"]) == (10, 4)
    assert mysql["pool_recycle"] == options["pool_recycle"]
    sqlite = pool_options({**config, "SQLALCHEMY_DATABASE_URI": "sqlite://"})  # Flask-SQLAlchemy's StaticPool
    assert "pool_size" not in sqlite and "max_overflow" not in sqlite


def test_a_thread_per_connection_keeps_its_connection(app):
    """As many threads as the pool's size take a connection at once and return it: the next round uses the same
    server connections (none was closed as an overflow connection and opened again)."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "mysql":
        pytest.skip("needs MariaDB (TEST_DATABASE_URL)")
    size = app.config["DATABASE_POOL_SIZE"]
    assert engine.pool.size() == size >= 9  # gunicorn's 8 threads and the job thread

    def one_round() -> set[int]:
        conns = [engine.connect() for _ in range(size)]
        ids = {conn.execute(text("SELECT CONNECTION_ID()")).scalar() for conn in conns}
        for conn in conns:
            conn.rollback()
            conn.close()
        return ids

    first = one_round()
    assert len(first) == size
    assert one_round() == first
