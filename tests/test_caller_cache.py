"""Signed admins kept in the process between requests (docs/security.md, "Caller cache"): a kept caller costs no
statement, and every change to it — on this process, on another host, or lost by Redis — is seen on the very
next request."""

from types import SimpleNamespace

import pytest
from sqlalchemy import update
from sqlalchemy.orm import joinedload

from app import caller_cache
from app.extensions import db, redis_connection
from app.models.admin import AdminUser
from app.models.company import Company
from tests.conftest import PASSWORD, body, fresh_timestamp
from tests.test_security import _signed

LOGIN_RULES = "/zhugeleida/admin/login_rules"
TAG_ADD = "/zhugeleida/admin/article_tag/add/0"


@pytest.fixture(autouse=True)
def _needs_redis(app):
    if not app.config["REDIS_URL"]:
        pytest.skip("the caller is kept only with Redis (TEST_REDIS_URL)")


@pytest.fixture
def kept(api, make, count_queries):
    """An admin whose signed read has been served once from an empty session: this process keeps it. Returns a
    client signing as it, and `statements(path)`: the code of a GET from an empty session and its statements."""
    admin = make.admin()
    client = api.as_(SimpleNamespace(id=admin.id, token=admin.token))

    def statements(path=LOGIN_RULES, signer=client):
        db.session.remove()  # as in production, each request starts from an empty session
        with count_queries() as n:
            code = body(signer.get(path))["code"]
        return code, n()

    assert statements() == (200, 1)  # read from the database, kept
    return SimpleNamespace(admin_id=admin.id, company_id=admin.company_id, client=client, statements=statements)


def _version_key(app, user_id: int) -> str:
    return f"{app.config['CALLER_VERSION_PREFIX']}:u:{user_id}"


def test_a_kept_caller_costs_no_statement(kept):
    assert kept.statements() == (200, 0)
    assert kept.statements() == (200, 0)


def test_a_kept_callers_views_see_its_company(kept):
    """1.4 reads the caller's company (its seat quota) from the kept rows: the departments and the page only."""
    assert kept.statements("/zhugeleida/admin/user") == (200, 2)


def test_signing_out_refuses_the_old_token_at_once(kept):
    assert body(kept.client.post("/zhugeleida/admin/logout"))["code"] == 200
    assert kept.statements() == (400, 1)


def test_a_sign_in_is_seen_at_once(api, kept):
    """1.0 writes the admin (its last sign-in): the next request reads it again."""
    admin = db.session.get(AdminUser, kept.admin_id)
    form = {"username": admin.login_user, "password": PASSWORD}
    assert body(api.client.post("/zhugeleida/admin/login", data=form))["code"] == 200
    assert kept.statements() == (200, 1)
    assert kept.statements() == (200, 0)


def test_an_admin_disabled_in_this_process_is_refused_at_once(kept):
    db.session.get(AdminUser, kept.admin_id).status = 0
    db.session.commit()
    code, _ = kept.statements()
    assert code == 306


def test_a_bulk_update_of_admins_is_seen_at_once(kept):
    db.session.execute(update(AdminUser).where(AdminUser.id == kept.admin_id).values(status=0))
    db.session.commit()
    assert kept.statements()[0] == 306


def test_a_rolled_back_change_keeps_the_caller(kept):
    db.session.get(AdminUser, kept.admin_id).status = 0
    db.session.flush()
    db.session.rollback()
    assert kept.statements() == (200, 0)


def test_a_company_write_drops_every_kept_caller(kept):
    db.session.get(Company, kept.company_id).remarks = "续费"
    db.session.commit()
    assert kept.statements() == (200, 1)
    assert kept.statements() == (200, 0)


def _disable_behind_the_apps_back(admin_id: int) -> None:
    """What another host does: its own process bumps the version, not this one (no ORM write here)."""
    with db.engine.begin() as connection:
        connection.execute(update(AdminUser.__table__).where(AdminUser.__table__.c.id == admin_id).values(status=0))


def test_another_hosts_change_arrives_through_the_redis_version(app, kept):
    _disable_behind_the_apps_back(kept.admin_id)
    assert kept.statements() == (200, 0)  # the version did not move: still kept
    redis_connection().incr(_version_key(app, kept.admin_id))  # the other host's commit
    assert kept.statements()[0] == 306


def test_a_kept_caller_is_read_again_after_its_maximum_age(app, kept, monkeypatch):
    """SQL by hand, or a bump lost to a Redis failure, lasts at most CALLER_CACHE_SECONDS."""
    _disable_behind_the_apps_back(kept.admin_id)
    monkeypatch.setitem(app.config, "CALLER_CACHE_SECONDS", 0.000001)
    assert kept.statements()[0] == 306


def test_redis_losing_its_keys_drops_every_kept_caller(app, kept):
    prefix = app.config["CALLER_VERSION_PREFIX"]
    redis_connection().delete(f"{prefix}:all")  # a restart of a Redis that keeps nothing on disk
    assert kept.statements() == (200, 1)
    assert kept.statements() == (200, 0)


def test_an_unreachable_redis_reads_the_caller_every_time(app, kept, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens on port 1
    saved = app.extensions.pop("zhugeleida_redis", None)
    try:
        assert kept.statements() == (200, 1)
        assert kept.statements() == (200, 1)
    finally:
        app.extensions.pop("zhugeleida_redis", None)
        if saved is not None:
            app.extensions["zhugeleida_redis"] = saved


def test_a_kept_callers_write_signature_is_single_use(api, kept):
    """The signature is remembered in the round trip that confirms the kept caller: a replayed write is refused."""
    admin = SimpleNamespace(id=kept.admin_id, token=kept.client.user.token)
    query = _signed(admin)
    db.session.remove()
    first = body(api.client.post(TAG_ADD, query_string=query, data={"tag_name": "汽车"}))
    db.session.remove()
    again = body(api.client.post(TAG_ADD, query_string=query, data={"tag_name": "家装"}))
    assert first["code"] == 200 and again["code"] == 400 and "签名已使用" in again["msg"]


def test_a_moved_version_counts_the_signature_once(app, api, kept):
    """The kept caller is stale (its version moved) but the signature is new: the write is accepted, once."""
    redis_connection().incr(_version_key(app, kept.admin_id))
    query = _signed(SimpleNamespace(id=kept.admin_id, token=kept.client.user.token), fresh_timestamp())
    db.session.remove()
    assert body(api.client.post(TAG_ADD, query_string=query, data={"tag_name": "汽车"}))["code"] == 200


def test_each_request_gets_its_own_rows(app, make):
    """The kept rows are copied into each request's session: what one request changes (and does not commit) is
    not what the next one gets."""
    admin = make.admin(company=make.company(website_content=[{"title": "首页"}]))
    signer = SimpleNamespace(id=admin.id, token=admin.token)
    rows = []
    for _ in range(3):
        db.session.remove()
        query = _signed(signer)
        with app.test_request_context(query_string=query):
            user, first = caller_cache.lookup(signer.id, "admin", query["rand_str"], query["timestamp"])
            if user is None:  # the first time: read from the database, kept
                found = caller_cache.versions(signer.id)
                user = db.session.get(AdminUser, signer.id, options=[joinedload(AdminUser.company)])
                caller_cache.keep(user, found)
            rows.append((user, first))
            user.company.website_content.append({"title": "改"})
    assert rows[0][1] is None and rows[1][1] is True and rows[2][1] is True
    assert rows[1][0] is not rows[2][0]
    assert rows[2][0].company.website_content == [{"title": "首页"}, {"title": "改"}]
