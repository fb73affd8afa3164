"""Fixtures: the app on a throwaway database, signed clients per principal, factories, query counting.

The suite runs on pytest-xdist's worker processes (setup.cfg: `-n auto`, TEST_PROCESSES of them when set): each
worker has a database of its own (SQLite: its own temporary file; a server: TEST_DATABASE_URL's name + `_gw0`,
`_gw1`…, created and dropped here) and a Redis database of its own (TEST_REDIS_URL's number + the worker's
index). Tests that share something across a run are grouped on one worker (`xdist_group`, `--dist loadgroup`).
"""

import hashlib
import os
import time
from collections import Counter
from contextlib import contextmanager
from datetime import date

import pytest
from flask import current_app
from sqlalchemy import create_engine, event, insert, select, text
from sqlalchemy.engine import make_url

from app import caller_cache, create_app, rule_cache, signatures
from app.commands.seed import seed_roles, seed_rules
from app.extensions import db, limiter
from app.models.admin import (
    BUILTIN_ROLES,
    ROLE_ADMIN,
    ROLE_MEMBER,
    ROLE_SUPERADMIN,
    AccessRule,
    AdminUser,
    Role,
    role_rule,
)
from app.models.company import Company, expiry_date
from app.security import hash_password, new_token
from config import TestingConfig
from tests.fixtures import save

PASSWORD = "Passw0rdX"
_last_timestamp = 0


def fresh_timestamp() -> str:
    """Epoch milliseconds, never the same twice in this process: the server refuses a write whose
    signature it has seen before, so every signed request gets its own (as the console's client does)."""
    global _last_timestamp
    _last_timestamp = max(int(time.time() * 1000), _last_timestamp + 1)
    return str(_last_timestamp)


def pytest_xdist_auto_num_workers(config):
    """`-n auto`: TEST_PROCESSES worker processes when set (CI's MariaDB pass: one worker process of its own and
    one Redis database per test process), else pytest-xdist's default (one per CPU)."""
    return int(os.environ["TEST_PROCESSES"]) if os.environ.get("TEST_PROCESSES") else None


def xdist_worker(config) -> int | None:
    """This process's index among pytest-xdist's workers (gw0 → 0); None when the run is not distributed."""
    workerinput = getattr(config, "workerinput", None)
    return int(workerinput["workerid"].removeprefix("gw")) if workerinput else None


def worker_database_url(url: str, worker: int) -> str:
    """The worker's own database: a server database's name, or a SQLite file's name, suffixed `_gw<n>`."""
    parsed = make_url(url)
    if not parsed.database or parsed.database == ":memory:":
        return url  # in-memory SQLite: the app fixture gives each process a file of its own
    if parsed.get_backend_name() == "sqlite":
        stem, dot, suffix = parsed.database.rpartition(".")
        name = f"{stem}_gw{worker}.{suffix}" if dot else f"{parsed.database}_gw{worker}"
    else:
        name = f"{parsed.database}_gw{worker}"
    return parsed.set(database=name).render_as_string(hide_password=False)


def worker_redis_url(url: str | None, worker: int) -> str | None:
    """The worker's own Redis database: TEST_REDIS_URL's number (0 when none) plus the worker's index."""
    if not url:
        return url
    base, _, number = url.rstrip("/").rpartition("/")
    if not number.isdigit():
        return f"{url.rstrip('/')}/{worker}"
    return f"{base}/{int(number) + worker}"


def pytest_configure(config):
    worker = xdist_worker(config)
    if worker is not None:  # before any app is made: every create_app(TestingConfig) of this process uses them
        TestingConfig.SQLALCHEMY_DATABASE_URI = worker_database_url(TestingConfig.SQLALCHEMY_DATABASE_URI, worker)
        TestingConfig.REDIS_URL = worker_redis_url(TestingConfig.REDIS_URL, worker)


@pytest.hookimpl(trylast=True)  # after the marks of other conftest files (tests/browser/conftest.py)
def pytest_collection_modifyitems(config, items):
    """Tests marked `summary` (they sum up what other tests did) are handed out last.

    pytest-xdist tells the tests it hands out apart by node id, and groups them by an `@group` suffix of it, which
    it can no longer add itself (pytest 9 builds node ids from their parts): items that share a node id
    (schemathesis names every operation's test `test_api`) get their own name in it, and an `xdist_group` mark
    becomes the suffix under `--dist loadgroup`."""
    items.sort(key=lambda item: item.get_closest_marker("summary") is not None)  # a stable sort
    seen = Counter(item.nodeid for item in items)
    loadgroup = getattr(config.option, "loadgroup", False)  # what pytest-xdist tells its workers
    for item in items:
        nodeid = f"{item.parent.nodeid}::{item.name}" if seen[item.nodeid] > 1 else item.nodeid
        groups = sorted({str(mark.args[0]) for mark in item.iter_markers("xdist_group")}) if loadgroup else []
        if groups and "@" not in nodeid:
            nodeid += "@" + "_".join(groups)
        if nodeid != item.nodeid:
            item._id = type(item.parent.id).parse(nodeid)


def _server_database(url: str, create: bool) -> None:
    """Create (if missing) or drop a server database named by `url` (a worker's own, see above)."""
    parsed = make_url(url)
    server = create_engine(parsed.set(database=""))
    with server.connect() as connection:
        quoted = server.dialect.identifier_preparer.quote(parsed.database)
        if create:
            charset = " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci" if server.dialect.name == "mysql" else ""
            connection.execute(text(f"CREATE DATABASE IF NOT EXISTS {quoted}{charset}"))
        else:
            connection.execute(text(f"DROP DATABASE IF EXISTS {quoted}"))
    server.dispose()


@pytest.fixture(scope="session")
def app(tmp_path_factory, pytestconfig):
    own_database = xdist_worker(pytestconfig) is not None and not TestingConfig.SQLALCHEMY_DATABASE_URI.startswith(
        "sqlite"
    )
    if own_database:
        _server_database(TestingConfig.SQLALCHEMY_DATABASE_URI, create=True)

    class Config(TestingConfig):
        STATICS_DIR = str(tmp_path_factory.mktemp("statics"))
        if TestingConfig.SQLALCHEMY_DATABASE_URI in ("sqlite://", "sqlite:///:memory:"):
            # Jobs run on background threads with their own sessions (docs/jobs_wechat.md). An in-memory SQLite
            # is one connection shared by every thread (StaticPool): a job's transaction would be the test's. A
            # throwaway file gives each thread its own connection, as MariaDB does.
            SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"

    app = create_app(Config)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":  # WAL: a job thread's writes never block the test's reads
            event.listen(db.engine, "connect", _sqlite_for_tests)
            db.engine.dispose()
        db.drop_all()
        db.create_all()  # a throwaway test database; real ones come only from migrations
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    if own_database:
        _server_database(TestingConfig.SQLALCHEMY_DATABASE_URI, create=False)


def _sqlite_for_tests(connection, _record):
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=OFF")  # a throwaway database: no need to survive a power cut
    cursor.close()


SEEDED_TABLES = (AccessRule.__table__, Role.__table__, role_rule)  # in the order they are inserted


@pytest.fixture(scope="session")
def _seed_rows(app) -> list[tuple]:
    """(table, rows) of the rules and roles seed_rules/seed_roles make, seeded once; the tables left empty."""
    with app.app_context():
        seed_roles(seed_rules())
        db.session.commit()
        rows = [
            (table, [dict(row._mapping) for row in db.session.execute(select(table).order_by(*table.primary_key))])
            for table in SEEDED_TABLES
        ]
        _empty(reversed(SEEDED_TABLES))
    return rows


def _empty(tables) -> None:
    """Delete every row of `tables` (children first) and commit."""
    mysql = db.engine.dialect.name == "mysql"
    if mysql:  # self-referencing rows (rule → parent rule) need the checks off to be emptied
        db.session.execute(text("SET FOREIGN_KEY_CHECKS = 0"))
    for table in tables:
        db.session.execute(table.delete())
    if mysql:
        db.session.execute(text("SET FOREIGN_KEY_CHECKS = 1"))
    db.session.commit()


@pytest.fixture(autouse=True)
def _clean_db(app, _seed_rows):
    """Each test starts with only the seeded rules and roles: the rows the seeding made at the start of the
    session, inserted as they were (three statements, not the seeding's hundred); their access rules cached."""
    with app.app_context():
        for table, rows in _seed_rows:
            db.session.execute(insert(table), rows)
        db.session.commit()
        limiter.reset()
        signatures.forget_all()
        rule_cache.forget_all()
        caller_cache.forget_all()
        for role_id in (None, *BUILTIN_ROLES):  # warm, as in a process that has served requests
            rule_cache.role_paths(role_id)
    yield
    with app.app_context():
        db.session.rollback()
        _empty(reversed(db.metadata.sorted_tables))


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.remove()


class Api:
    """A test client that signs every request as `user`, as the console does."""

    def __init__(self, client, user=None):
        self.client, self.user = client, user

    def as_(self, user) -> "Api":
        return Api(self.client, user)

    def signed(self, query=None, timestamp=None):
        query = dict(query or {})
        if self.user is not None:
            ts = str(timestamp) if timestamp is not None else fresh_timestamp()
            query.update(
                timestamp=ts,
                user_id=self.user.id,
                rand_str=hashlib.md5((ts + self.user.token).encode()).hexdigest(),
            )
        return query

    def get(self, path, query=None, **kwargs):
        return self.client.get(path, query_string=self.signed(query, kwargs.pop("timestamp", None)), **kwargs)

    def post(self, path, data=None, query=None, **kwargs):
        ts = kwargs.pop("timestamp", None)
        return self.client.post(path, data=data, query_string=self.signed(query, ts), **kwargs)


@pytest.fixture
def api(app):
    return Api(app.test_client())


_HASHES: dict[tuple[str, str], str] = {}


def password_hash(password: str) -> str:
    """hash_password(password), computed once per password and hash method in a test session: the admins the
    factory makes share a salt, which no test looks at (what is tested is the checking, not the hashing)."""
    key = (password, current_app.config["PASSWORD_HASH_METHOD"])
    if key not in _HASHES:
        _HASHES[key] = hash_password(password)
    return _HASHES[key]


class Factory:
    def __init__(self):
        self.n = 0

    def company(self, name=None, **kwargs) -> Company:
        self.n += 1
        start = kwargs.pop("charging_start_time", date(2026, 1, 1))
        term = kwargs.pop("open_length_time", 4)
        company = Company(
            name=name or f"公司{self.n}",
            charging_start_time=start,
            open_length_time=term,
            account_expired_time=expiry_date(start, term),
            mingpian_available_num=kwargs.pop("mingpian_available_num", 10),
            **kwargs,
        )
        return save(company)

    def admin(self, company=None, role_id=ROLE_ADMIN, password=PASSWORD, **kwargs) -> AdminUser:
        self.n += 1
        company = company or self.company()
        user = AdminUser(
            login_user=kwargs.pop("login_user", f"user{self.n}"),
            username=kwargs.pop("username", f"用户{self.n}"),
            password_hash=password_hash(password),
            company_id=company.id,
            role_id=role_id,
            token=new_token(),
            invite_secret=new_token(),
            **kwargs,
        )
        return save(user)

    def superadmin(self, company=None, **kwargs):
        return self.admin(company, ROLE_SUPERADMIN, **kwargs)

    def member(self, company=None, **kwargs):
        return self.admin(company, ROLE_MEMBER, **kwargs)


@pytest.fixture
def make(ctx):
    return Factory()


@pytest.fixture
def count_queries(app):
    """`with count_queries() as n: ...` then `n()` is the number of SQL statements issued."""

    @contextmanager
    def counter():
        statements = []

        def record(*_args):
            statements.append(_args[2])

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            yield lambda: len(statements)
        finally:
            event.remove(engine, "before_cursor_execute", record)

    return counter


def body(response) -> dict:
    assert response.is_json, response.data[:200]
    return response.get_json()


# Area fixtures live in their own modules so each area owns its file.
from tests.fixtures.articles import *  # noqa: E402, F403
from tests.fixtures.content import *  # noqa: E402, F403
from tests.fixtures.radar import *  # noqa: E402, F403
from tests.fixtures.storage import *  # noqa: E402, F403
from tests.fixtures.wechat import *  # noqa: E402, F403
