"""Regression tests of docs/security.md: single-use signatures on writes, sign-in limits, configuration
refused in production, encryption keys and their rotation, query strings kept out of every log."""

import io
import logging
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from app import ConfigError, create_app, signatures
from app.commands.keys import rotate_all
from app.extensions import db, limiter
from app.logging import QueryStringFilter
from app.models.article import ArticleTag
from app.models.company import Company
from app.security import UndecryptableSecret, sign, verify_password
from config import DEV_SECRET_KEY, ProductionConfig, TestingConfig
from tests.conftest import PASSWORD, Factory, body, fresh_timestamp

ROOT = Path(__file__).resolve().parents[1]
LOGIN = "/zhugeleida/admin/login"
TAG_ADD = "/zhugeleida/admin/article_tag/add/0"


def _signed(user, ts=None) -> dict:
    ts = ts or fresh_timestamp()
    return {"timestamp": ts, "user_id": user.id, "rand_str": sign(ts, user.token)}


# --- a leaked signature cannot write ------------------------------------------------------------------------


def test_a_read_signature_cannot_change_the_password(api, make):
    """A URL signed for GET login_rules (seen in an access log) replayed on modify_password: refused, the
    password and token stay."""
    admin = make.admin()
    leaked = _signed(admin)
    assert body(api.client.get("/zhugeleida/admin/login_rules", query_string=leaked))["code"] == 200
    form = {"password1": "N3wPassword", "password2": "N3wPassword"}
    refused = body(api.client.post("/zhugeleida/admin/modify_password", query_string=leaked, data=form))
    assert refused["code"] == 400 and "签名已使用" in refused["msg"]
    db.session.refresh(admin)
    assert verify_password(admin.password_hash, PASSWORD) and not verify_password(admin.password_hash, "N3wPassword")


def test_a_double_submitted_post_writes_once(api, make):
    admin = make.admin()
    query = _signed(admin)
    first = body(api.client.post(TAG_ADD, query_string=query, data={"tag_name": "汽车"}))
    again = body(api.client.post(TAG_ADD, query_string=query, data={"tag_name": "家装"}))
    assert first["code"] == 200 and again["code"] == 400
    assert db.session.scalars(select(ArticleTag.name)).all() == ["汽车"]


def test_reads_may_reuse_a_signature(api, make):
    """A console fires parallel GETs within one millisecond: the same signature reads twice."""
    admin = make.admin()
    query = _signed(admin)
    for _ in range(3):
        assert body(api.client.get("/zhugeleida/admin/login_rules", query_string=query))["code"] == 200


def test_a_fresh_signature_per_write_is_accepted(api, make):
    admin = make.admin()
    client = api.as_(admin)
    for name in ("甲", "乙", "丙"):
        assert body(client.post(TAG_ADD, {"tag_name": name}))["code"] == 200
    assert len(db.session.scalars(select(ArticleTag)).all()) == 3


def test_signatures_of_other_principals_do_not_collide(api, make, pa_make):
    """The store is keyed by principal kind: admin 1 and customer 1 signing the same millisecond are two keys."""
    admin = make.admin()
    with api.client.application.app_context():
        assert signatures.first_use("admin", admin.id, "1", "a")
        assert signatures.first_use("customer", admin.id, "1", "a")
        assert not signatures.first_use("admin", admin.id, "1", "a")


def test_the_store_is_shared_through_redis(app, api, make):
    """With Redis configured, a signature accepted by one process is refused by every other one."""
    if not app.config["REDIS_URL"]:
        pytest.skip("needs Redis (TEST_REDIS_URL)")
    admin = make.admin()
    query = _signed(admin)
    assert body(api.client.post(TAG_ADD, query_string=query, data={"tag_name": "汽车"}))["code"] == 200
    signatures.forget_all()  # this process forgets: Redis still knows
    assert body(api.client.post(TAG_ADD, query_string=query, data={"tag_name": "家装"}))["code"] == 400


def test_redis_down_falls_back_to_process_memory(app, api, make):
    """An unreachable Redis never turns a write into a 500: the process remembers signatures itself."""
    saved = app.config["REDIS_URL"], app.extensions.pop("zhugeleida_redis", None)
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        admin = make.admin()
        query = _signed(admin)
        assert body(api.client.post(TAG_ADD, query_string=query, data={"tag_name": "汽车"}))["code"] == 200
        assert body(api.client.post(TAG_ADD, query_string=query, data={"tag_name": "家装"}))["code"] == 400
    finally:
        app.config["REDIS_URL"] = saved[0]
        app.extensions.pop("zhugeleida_redis", None)
        if saved[1] is not None:
            app.extensions["zhugeleida_redis"] = saved[1]


def test_default_skew_window_is_five_minutes():
    assert TestingConfig.AUTH_MAX_SKEW_SECONDS == 300


# --- sign-in limits ----------------------------------------------------------------------------------------


def test_successful_logins_are_never_limited(app, api, make):
    """An office behind one address: more successful sign-ins than the limit, all 200."""
    make.admin(login_user="zhangcong")
    limit = int(app.config["LOGIN_RATE_LIMIT"].split()[0])
    for _ in range(limit + 3):
        assert body(api.post(LOGIN, {"username": "zhangcong", "password": PASSWORD}))["code"] == 200


def test_failed_logins_are_limited_with_retry_after(app, api, make):
    make.admin(login_user="zhangcong")
    limit = int(app.config["LOGIN_RATE_LIMIT"].split()[0])
    for _ in range(limit):
        assert body(api.post(LOGIN, {"username": "zhangcong", "password": "wrong"}))["code"] == 401
    response = api.post(LOGIN, {"username": "zhangcong", "password": PASSWORD})
    assert response.status_code == 429 and body(response)["code"] == 429
    retry_after = int(response.headers["Retry-After"])
    assert 1 <= retry_after <= 61 and str(retry_after) in body(response)["msg"]


def test_login_names_are_one_whatever_their_case(app, api, make):
    """`Admin` and `admin ` are `admin`: they sign in as it, and their failures count against its limit."""
    admin = make.admin(login_user="admin")
    payload = body(api.post(LOGIN, {"username": " ADMIN ", "password": PASSWORD}))
    assert payload["code"] == 200 and payload["data"]["user_id"] == admin.id
    limit = int(app.config["LOGIN_RATE_LIMIT"].split()[0])
    for index in range(limit):
        name = ["Admin", "admin ", "ADMIN", " aDmin"][index % 4]
        # from different addresses: only the per-name limit can stop them
        api.client.post(
            LOGIN, data={"username": name, "password": "x"}, environ_base={"REMOTE_ADDR": f"10.0.0.{index}"}
        )
    again = api.client.post(
        LOGIN, data={"username": "admin", "password": PASSWORD}, environ_base={"REMOTE_ADDR": "10.9.9.9"}
    )
    assert again.status_code == 429


def test_a_login_name_differing_only_in_case_is_taken(api, make):
    root = make.superadmin(login_user="admin")
    form = {"login_user": "ADMIN ", "password": "Passw0rdY", "role_id": 2, "company_id": root.company_id}
    assert body(api.as_(root).post("/zhugeleida/admin/admin_userprofile/add/0", form))["code"] == 300


def test_proxy_fix_trusts_the_configured_hops(tmp_path):
    """Behind one proxy, X-Forwarded-For is the client: two clients do not share one address's budget."""

    class Behind(TestingConfig):
        STATICS_DIR = str(tmp_path)
        PROXY_FIX_HOPS = 1
        LOGIN_RATE_LIMIT = "2 per minute"
        SQLALCHEMY_DATABASE_URI = "sqlite://"
        REDIS_URL = None
        RATELIMIT_STORAGE_URI = "memory://"

    class Direct(Behind):
        PROXY_FIX_HOPS = 0

    def refused_after_two(config, second_client_header: str) -> bool:
        with _other_app(config) as app:
            with app.app_context():
                db.create_all()
            client = app.test_client()
            for name in ("a", "b"):  # two failed logins of two names from 10.0.0.1
                client.post(LOGIN, data={"username": name, "password": "x"}, headers={"X-Forwarded-For": "10.0.0.1"})
            third = client.post(
                LOGIN, data={"username": "c", "password": "x"}, headers={"X-Forwarded-For": second_client_header}
            )
            return third.status_code == 429

    assert not refused_after_two(Behind, "10.0.0.2")  # another client behind the proxy
    assert refused_after_two(Direct, "10.0.0.2")  # the header is ignored: every request is the proxy's


def test_limits_for_every_request_are_still_checked_before_the_view(app, tmp_path):
    """The check before every view is skipped only while no request-wide limit is set (app/limits.py): an
    application limit set by configuration refuses the third request of a minute, whatever the view."""
    from app.limits import has_request_wide_limits

    assert not has_request_wide_limits()  # the project's own configuration: limited views check themselves

    class Limited(TestingConfig):
        STATICS_DIR = str(tmp_path)
        SQLALCHEMY_DATABASE_URI = "sqlite://"
        REDIS_URL = None
        RATELIMIT_STORAGE_URI = "memory://"
        RATELIMIT_APPLICATION = "2 per minute"

    saved = limiter.limit_manager._application_limits
    try:
        with _other_app(Limited) as other:
            client = other.test_client()
            codes = [client.get("/healthz/live").status_code for _ in range(3)]
    finally:
        limiter.limit_manager._application_limits = saved
    assert codes == [200, 200, 429]
    assert not has_request_wide_limits()


# --- configuration --------------------------------------------------------------------------------------------


def _production(**values):
    isolated = {"SQLALCHEMY_DATABASE_URI": "sqlite://", "REDIS_URL": None, "RATELIMIT_STORAGE_URI": "memory://"}
    return type("Prod", (ProductionConfig,), {"READS_ENVIRONMENT": False, **isolated, **values})


GOOD_KEY = Fernet.generate_key().decode()
GOOD_SECRET = "a-production-secret-key-of-enough-length-0123"


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"SECRET_KEY": DEV_SECRET_KEY, "FIELD_ENCRYPTION_KEY": GOOD_KEY}, "SECRET_KEY"),
        ({"SECRET_KEY": "short", "FIELD_ENCRYPTION_KEY": GOOD_KEY}, "SECRET_KEY"),
        ({"SECRET_KEY": GOOD_SECRET, "FIELD_ENCRYPTION_KEY": None}, "FIELD_ENCRYPTION_KEY"),
        ({"SECRET_KEY": GOOD_SECRET, "FIELD_ENCRYPTION_KEY": "not-a-key"}, "FIELD_ENCRYPTION_KEY"),
        ({"SECRET_KEY": GOOD_SECRET, "FIELD_ENCRYPTION_KEY": f"{GOOD_KEY},broken"}, "FIELD_ENCRYPTION_KEY"),
    ],
)
def test_production_refuses_unsafe_secrets(values, named, capsys):
    with pytest.raises(ConfigError) as refused, _other_app(_production(**values)):
        pass
    assert refused.value.code == 3  # gunicorn's "worker failed to boot": it stops instead of respawning
    assert any(named in reason for reason in refused.value.reasons)
    assert named in capsys.readouterr().err


def test_production_starts_with_safe_secrets(tmp_path):
    with _other_app(
        _production(SECRET_KEY=GOOD_SECRET, FIELD_ENCRYPTION_KEY=GOOD_KEY, STATICS_DIR=str(tmp_path))
    ) as app:
        assert app.config["APP_ENV"] == "production" and not app.debug


def _start(env: dict) -> subprocess.CompletedProcess:
    """Import the WSGI app in a fresh interpreter with exactly `env` (plus PATH)."""
    clean = {"PATH": os.environ.get("PATH", ""), "HOME": str(ROOT), **env}
    return subprocess.run(
        [sys.executable, "-c", "import wsgi"], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"APP_ENV": "production"}, "SECRET_KEY"),
        ({"APP_ENV": "prod"}, "APP_ENV"),
        ({"AUTH_MAX_SKEW_SECONDS": "15m"}, "AUTH_MAX_SKEW_SECONDS"),
        ({"JOB_RETRY_INTERVALS": "10,a"}, "JOB_RETRY_INTERVALS"),
    ],
)
def test_bad_configuration_stops_with_a_message_not_a_traceback(env, named, tmp_path):
    done = _start({"DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3", **env})
    assert done.returncode == 3, done.stderr
    assert named in done.stderr and "Traceback" not in done.stderr


def test_tests_do_not_read_the_developers_environment():
    """`make test` with ADMIN_PASSWORD or DATABASE_URL exported: the testing configuration ignores them."""
    code = "from config import TestingConfig as C; print(C.ADMIN_PASSWORD, C.SQLALCHEMY_DATABASE_URI, C.DEBUG)"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "ADMIN_PASSWORD": "Exported1Password",
        "DATABASE_URL": "mysql://root@127.0.0.1/elsewhere",
        "DEBUG": "1",
        "AUTH_MAX_SKEW_SECONDS": "15m",
    }
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == ["None", "sqlite://", "False"]


# --- encryption at rest ---------------------------------------------------------------------------------------


def _raw_secret(company_id: int) -> str:
    return db.session.execute(text("SELECT tongxunlu_secret FROM company WHERE id = :id"), {"id": company_id}).scalar()


def test_key_rotation_reencrypts_stored_secrets(app, make):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    saved = app.config["FIELD_ENCRYPTION_KEY"]
    try:
        app.config["FIELD_ENCRYPTION_KEY"] = old
        company = make.company(tongxunlu_secret="contacts-secret-1")
        before = _raw_secret(company.id)
        app.config["FIELD_ENCRYPTION_KEY"] = f"{new},{old}"  # new first: it encrypts, both decrypt
        assert rotate_all() >= 1
        assert _raw_secret(company.id) != before
        app.config["FIELD_ENCRYPTION_KEY"] = new  # the old key is gone
        db.session.expire_all()
        assert db.session.get(Company, company.id).tongxunlu_secret == "contacts-secret-1"
    finally:
        app.config["FIELD_ENCRYPTION_KEY"] = saved


def test_a_secret_no_key_decrypts_raises_loudly(app, make, caplog):
    company = make.company(tongxunlu_secret="contacts-secret-1")
    saved = app.config["FIELD_ENCRYPTION_KEY"]
    app.config["FIELD_ENCRYPTION_KEY"] = Fernet.generate_key().decode()
    try:
        db.session.expire_all()
        with pytest.raises(UndecryptableSecret), caplog.at_level(logging.ERROR):
            db.session.get(Company, company.id)
        assert "cannot be decrypted" in caplog.text
    finally:
        app.config["FIELD_ENCRYPTION_KEY"] = saved
        db.session.rollback()


def test_rotate_command_is_registered(app):
    result = app.test_cli_runner().invoke(args=["rotate-encryption-key"])
    assert result.exit_code == 0 and "Re-encrypted" in result.output


# --- logs never carry a query string ----------------------------------------------------------------------------


def test_log_lines_lose_their_query_strings():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(QueryStringFilter())
    log = logging.getLogger("test.scrub")
    log.addHandler(handler)
    try:
        log.error("Error handling request %s", "/zhugeleida/admin/login_rules?rand_str=d41d8cd9&timestamp=1&user_id=1")
        try:
            raise ValueError("bad url /x?rand_str=abcdef")
        except ValueError:
            log.exception("failed")
    finally:
        log.removeHandler(handler)
    output = stream.getvalue()
    assert "/zhugeleida/admin/login_rules?…" in output and "rand_str" not in output and "abcdef" not in output


def test_gunicorn_logs_through_the_scrubbing_logger():
    from gunicorn.config import Config as GunicornConfig

    from app.gunicorn_logging import ScrubbingLogger

    config = GunicornConfig()
    config.set("errorlog", "-")
    logger = ScrubbingLogger(config)
    stream = io.StringIO()
    for handler in logger.error_log.handlers:
        handler.stream = stream
    logger.error("Error handling request %s", "/zhugeleida/admin/x?rand_str=0123456789abcdef&user_id=1")
    assert "?…" in stream.getvalue() and "0123456789abcdef" not in stream.getvalue()
    conf = (ROOT / "gunicorn.conf.py").read_text()
    assert 'logger_class = "app.gunicorn_logging.ScrubbingLogger"' in conf


def test_sql_errors_hide_bound_parameters(app):
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["hide_parameters"] is True
    with app.app_context():
        assert db.engine.hide_parameters


def test_timestamps_are_fresh():
    assert fresh_timestamp() != fresh_timestamp()
    assert abs(int(fresh_timestamp()) - time.time() * 1000) < 60_000


def test_production_hashes_passwords_with_scrypt(tmp_path):
    from app.security import hash_password

    config = _production(SECRET_KEY=GOOD_SECRET, FIELD_ENCRYPTION_KEY=GOOD_KEY, STATICS_DIR=str(tmp_path))
    with _other_app(config) as app, app.app_context():
        assert hash_password("Passw0rdX").startswith("scrypt:")


# --- dependencies down: clear answers, never a 500 ------------------------------------------------------------


@contextmanager
def _other_app(config):
    """An app of its own; the shared rate limiter is given back to the session's app afterwards."""
    saved = limiter._storage, limiter._limiter, limiter._storage_dead
    try:
        app = create_app(config)
        yield app
    finally:
        limiter._storage, limiter._limiter, limiter._storage_dead = saved


def test_login_works_while_redis_is_down(app, tmp_path):
    """Redis unreachable: rate limits fall back to memory, signatures too; login and writes answer."""

    class RedisDown(TestingConfig):
        STATICS_DIR = str(tmp_path)
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path}/down.sqlite3"
        REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
        RATELIMIT_STORAGE_URI = "redis://127.0.0.1:1/0"

    with _other_app(RedisDown) as other:
        with other.app_context():
            db.create_all()
            Factory().admin(login_user="zhangcong")
        client = other.test_client()
        for _ in range(2):
            answer = client.post(LOGIN, data={"username": "zhangcong", "password": PASSWORD})
            assert answer.status_code == 200 and body(answer)["code"] == 200
        health = client.get("/healthz")
        assert health.status_code == 503 and body(health)["data"]["redis"].startswith("error")


def test_database_down_answers_a_503_envelope(tmp_path):
    class DatabaseDown(TestingConfig):
        STATICS_DIR = str(tmp_path)
        SQLALCHEMY_DATABASE_URI = "mysql+pymysql://root@127.0.0.1:1/nothing?charset=utf8mb4&connect_timeout=2"
        REDIS_URL = None

    with _other_app(DatabaseDown) as other:
        client = other.test_client()
        login = client.post(LOGIN, data={"username": "zhangcong", "password": PASSWORD})
        assert login.status_code == 503 and body(login)["code"] == 500 and "数据库" in body(login)["msg"]
        signed = client.get(
            "/zhugeleida/admin/login_rules",
            query_string={"rand_str": "a", "timestamp": fresh_timestamp(), "user_id": 1},
        )
        assert signed.status_code == 503
        health = client.get("/healthz")
        assert health.status_code == 503 and body(health)["data"]["database"].startswith("error")
