"""The customer hot path's Redis buffer (app/services/hot_buffer.py, docs/h5.md "The hot path"): heartbeats
and counters in Redis, written by the flush exactly as the direct writes would have; needs TEST_REDIS_URL."""

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, timedelta

import pytest
from redis import Redis
from sqlalchemy import event, insert, select, text

from app.extensions import db
from app.models.article import Article
from app.models.share import ArticleShare, ArticleView, HotFlushBatch
from app.security import new_token
from app.services import hot_buffer
from app.timefmt import utcnow
from tests.conftest import body
from tests.fixtures.storage import free_port
from tests.fixtures.wechat import ROOT, WorkerProcess, wait_until

BASE = "/zhugeleida/gongzhonghao/article"


class Hot:
    def __init__(self, redis, prefix):
        self.redis, self.prefix = redis, prefix

    def key(self, *parts) -> str:
        return ":".join([self.prefix, *map(str, parts)])

    def clear(self) -> None:
        for key in self.redis.scan_iter(f"{self.prefix}:*"):
            self.redis.delete(key)

    def buffered(self) -> dict:
        return {k.decode(): int(v) for k, v in self.redis.hgetall(self.key("pending")).items()}


@pytest.fixture
def hot(app, redis_conn, monkeypatch):
    """The buffer on (as with jobs on a worker), on this run's own keys."""
    monkeypatch.setitem(app.config, "HOT_BUFFER", True)
    monkeypatch.setitem(app.config, "JOBS_INLINE", False)
    state = Hot(redis_conn, app.config["HOT_KEY_PREFIX"])
    state.clear()
    hot_buffer.forget_tokens()
    yield state
    state.clear()
    hot_buffer.forget_tokens()


def _fresh(model, row_id):
    db.session.expire_all()
    return db.session.get(model, row_id)


def _open(api, customer, article, uid) -> int:
    payload = body(api.as_(customer).get(f"{BASE}/myarticle/{article.id}", {"uid": uid}))
    assert payload["code"] == 200, payload
    return payload["data"]["article_access_log_id"]


def _beat(api, customer, article, view_id, uid):
    query = {"uid": uid, "article_access_log_id": view_id}
    return body(api.as_(customer).get(f"{BASE}/staytime/{article.id}", query))


def _forward(api, customer, article, uid, forward_type):
    query = {"uid": uid, "forward_type": forward_type}
    payload = body(api.as_(customer).get(f"{BASE}/forward_article/{article.id}", query))
    assert payload["code"] == 200, payload


def _early_in_a_second() -> None:
    """Steps are whole seconds of the server's clock: start where the next few requests share one second."""
    while time.time() % 1 > 0.3:
        time.sleep(0.05)


def _set_last_beat(hot, view_id, seconds_ago) -> None:
    """The view's previous heartbeat `seconds_ago` (in Redis with the buffer on, else in the database)."""
    _early_in_a_second()
    if hot is not None:
        hot.redis.hset(hot.key("v", view_id), "l", int(time.time()) - seconds_ago)
        return
    view = _fresh(ArticleView, view_id)
    view.last_beat_at = utcnow().replace(microsecond=0) - timedelta(seconds=seconds_ago)
    db.session.commit()


def _scenario(api, hot, h5, share_make, article, customer):
    """Two reads, heartbeats 7 s and 5 s apart, one after an hour away (capped), a burst, three forwards."""
    row = share_make.row(article, h5.user, customer)
    first = _open(api, customer, article, h5.user.id)
    second = _open(api, customer, article, h5.user.id)
    for view_id, seconds_ago in ((first, 7), (first, 5), (second, 3600), (second, 3)):
        _set_last_beat(hot, view_id, seconds_ago)
        assert _beat(api, customer, article, view_id, h5.user.id)["code"] == 200
    _set_last_beat(hot, first, 0)
    for _ in range(3):  # as fast as possible: nothing more
        assert _beat(api, customer, article, first, h5.user.id)["code"] == 200
    for forward_type in (1, 2, 2):
        _forward(api, customer, article, h5.user.id, forward_type)
    if hot is not None:
        hot_buffer.flush()
    db.session.expire_all()
    share, art = db.session.get(ArticleShare, row.id), db.session.get(Article, article.id)
    views = [db.session.get(ArticleView, view_id) for view_id in (first, second)]
    return {
        "views": [view.stay_time for view in views],
        "share": (share.read_count, share.stay_time, share.forward_friend_count, share.forward_moments_count),
        "article": (art.read_count, art.forward_count),
        "last_beat_after_open": [view.last_beat_at >= view.create_date for view in views],
    }


def test_buffered_writes_match_the_direct_writes(api, app, h5, share_make, pa_make, redis_conn, monkeypatch):
    """Does the same scenario give the same stay times, reads and forwards, written directly and through the
    buffer and its flush?"""
    monkeypatch.setitem(app.config, "HOT_BUFFER", False)
    direct = _scenario(api, None, h5, share_make, h5.article, h5.customer)
    cap = app.config["STAYTIME_MAX_STEP"]
    assert direct == {
        "views": [12, cap + 3],
        "share": (2, 15 + cap, 1, 2),
        "article": (2, 3),
        "last_beat_after_open": [True, True],
    }
    state = Hot(redis_conn, app.config["HOT_KEY_PREFIX"])
    state.clear()
    monkeypatch.setitem(app.config, "HOT_BUFFER", True)
    monkeypatch.setitem(app.config, "JOBS_INLINE", False)
    try:
        other = pa_make.article(h5.admin, status=1)
        buffered = _scenario(api, state, h5, share_make, other, h5.customer_())
    finally:
        state.clear()
    assert buffered == direct


def _plain(row):
    """The ids and token the test client signs with, read now (a request's commit expires the test's rows)."""
    return type("Plain", (), {"id": row.id, "token": getattr(row, "token", None)})()


def test_heartbeat_issues_no_sql_and_waits_for_the_flush(api, hot, h5, share_make, count_queries):
    row = share_make.row(h5.article, h5.user, h5.customer)
    view_id = _open(api, h5.customer, h5.article, h5.user.id)
    customer, article, uid = _plain(h5.customer), _plain(h5.article), h5.user.id
    _set_last_beat(hot, view_id, 7)
    with count_queries() as n:
        assert _beat(api, customer, article, view_id, uid)["code"] == 200
    assert n() == 0  # 15.1 left the customer's token in this process and its credentials in Redis
    _set_last_beat(hot, view_id, 4)
    with count_queries() as n:
        assert _beat(api, customer, article, view_id, uid)["code"] == 200
    assert n() == 0
    assert _fresh(ArticleView, view_id).stay_time == 0  # not yet written
    assert hot.buffered()[f"vs:{view_id}"] == 11 and hot.buffered()[f"ss:{row.id}"] == 11
    assert hot_buffer.flush() > 0
    assert (_fresh(ArticleView, view_id).stay_time, _fresh(ArticleShare, row.id).stay_time) == (11, 11)
    assert hot.buffered() == {} and not hot.redis.exists(hot.key("processing"))
    assert hot_buffer.flush() == 0  # nothing left


def test_heartbeat_checks_ownership_and_credentials(api, hot, h5, share_make, pa_make):
    share_make.row(h5.article, h5.user, h5.customer)
    view_id = _open(api, h5.customer, h5.article, h5.user.id)
    other = h5.customer_()
    other_article = pa_make.article(h5.admin, status=1)
    assert _beat(api, other, h5.article, view_id, h5.user.id)["code"] == 302
    assert _beat(api, h5.customer, other_article, view_id, h5.user.id)["code"] == 302
    assert _beat(api, h5.customer, h5.article, 999_999, h5.user.id)["code"] == 302
    impostor = type("Impostor", (), {"id": h5.customer.id, "token": h5.user.token})()
    assert _beat(api, impostor, h5.article, view_id, h5.user.id)["code"] == 400
    assert body(api.get(f"{BASE}/staytime/{h5.article.id}", {"article_access_log_id": view_id}))["code"] == 400
    assert _beat(api, h5.customer, h5.article, "abc", h5.user.id)["code"] == 301
    assert not any(key.startswith("vs:") for key in hot.buffered())


def test_a_new_token_or_a_disabled_customer_takes_effect_at_once(api, hot, h5, share_make):
    share_make.row(h5.article, h5.user, h5.customer)
    view_id = _open(api, h5.customer, h5.article, h5.user.id)
    assert _beat(api, h5.customer, h5.article, view_id, h5.user.id)["code"] == 200
    old = type("Old", (), {"id": h5.customer.id, "token": h5.customer.token})()
    h5.customer.token = new_token()
    db.session.commit()
    assert _beat(api, old, h5.article, view_id, h5.user.id)["code"] == 400
    assert _beat(api, h5.customer, h5.article, view_id, h5.user.id)["code"] == 200
    h5.customer.status = 2
    db.session.commit()
    assert _beat(api, h5.customer, h5.article, view_id, h5.user.id)["code"] == 306


def test_a_view_unknown_to_redis_is_taken_from_the_database(api, hot, h5, share_make):
    """A view opened before the buffer was on (or idle past HOT_CACHE_TTL) counts from its stored heartbeat."""
    row = share_make.row(h5.article, h5.user, h5.customer)
    view_id = _open(api, h5.customer, h5.article, h5.user.id)
    hot_buffer.flush()
    hot.redis.delete(hot.key("v", view_id))
    _early_in_a_second()
    view = _fresh(ArticleView, view_id)
    view.last_beat_at = utcnow().replace(microsecond=0) - timedelta(seconds=6)
    db.session.commit()
    assert _beat(api, h5.customer, h5.article, view_id, h5.user.id)["code"] == 200
    hot_buffer.flush()
    assert (_fresh(ArticleView, view_id).stay_time, _fresh(ArticleShare, row.id).stay_time) == (6, 6)


def test_the_article_read_is_cached_and_dropped_on_edit(api, hot, h5, share_make, pa_make, count_queries):
    tag = pa_make.tag(h5.company, "美食")
    h5.article.tags = [tag]
    db.session.commit()
    share_make.row(h5.article, h5.user, h5.customer)
    customer, article, uid = _plain(h5.customer), _plain(h5.article), h5.user.id
    _open(api, customer, article, uid)
    with count_queries() as cached:
        _open(api, customer, article, uid)
    hot.redis.delete(hot.key("a", article.id))
    with count_queries() as uncached:
        _open(api, customer, article, uid)
    # the customer, its tree row, the view, the event, the relation; then the article and its tags; no counter
    # UPDATE, no card (the direct writes make 11 statements)
    assert (cached(), uncached()) == (5, 7)
    article = _fresh(Article, h5.article.id)
    article.title = "新标题"
    db.session.commit()
    payload = body(api.as_(h5.customer).get(f"{BASE}/myarticle/{h5.article.id}", {"uid": h5.user.id}))
    assert payload["data"]["ret_data"][0]["title"] == "新标题"
    tag = _fresh(type(tag), tag.id)
    tag.name = "川菜"
    db.session.commit()
    payload = body(api.as_(h5.customer).get(f"{BASE}/myarticle/{h5.article.id}", {"uid": h5.user.id}))
    assert payload["data"]["ret_data"][0]["tag_list"] == [{"id": tag.id, "name": "川菜"}]
    article = _fresh(Article, h5.article.id)
    article.status = 0
    db.session.commit()
    payload = body(api.as_(h5.customer).get(f"{BASE}/myarticle/{h5.article.id}", {"uid": h5.user.id}))
    assert payload["code"] == 302


def test_the_card_is_cached_and_dropped_when_the_radar_user_or_company_changes(api, hot, h5, share_make):
    share_make.row(h5.article, h5.user, h5.customer)

    def read():
        return body(api.as_(h5.customer).get(f"{BASE}/myarticle/{h5.article.id}", {"uid": h5.user.id}))

    assert read()["data"]["user_card"]["username"] == "雷达甲"
    assert hot.redis.exists(hot.key("u", h5.company.id, h5.user.id))
    user = _fresh(type(h5.user), h5.user.id)
    user.position = "经理"
    db.session.commit()
    assert read()["data"]["user_card"]["position"] == "经理"
    company = _fresh(type(h5.company), h5.company.id)
    company.name = "新公司名"
    db.session.commit()
    assert read()["data"]["user_card"]["company_name"] == "新公司名"
    user = _fresh(type(h5.user), h5.user.id)
    user.status = 2  # disabled: its card is offline
    db.session.commit()
    assert read()["data"]["user_card"] is None


def test_a_failed_read_buffers_nothing(api, hot, h5, share_make, radar):
    other_user = radar.user(h5.company)
    share_make.row(h5.article, other_user, h5.customer)
    payload = body(api.as_(h5.customer).get(f"{BASE}/myarticle/{h5.article.id}", {"uid": h5.user.id}))
    assert payload["code"] == 302
    assert hot.buffered() == {}


def test_redis_away_the_heartbeat_goes_to_the_database(api, app, hot, h5, share_make, monkeypatch):
    row = share_make.row(h5.article, h5.user, h5.customer)
    view_id = _open(api, h5.customer, h5.article, h5.user.id)
    dead = Redis.from_url(f"redis://127.0.0.1:{free_port()}/0")
    monkeypatch.setitem(app.extensions, hot_buffer.HOT_REDIS, dead)  # the hot path's Redis, gone
    monkeypatch.setitem(app.extensions, "zhugeleida_redis", dead)
    _set_last_beat(None, view_id, 6)
    assert _beat(api, h5.customer, h5.article, view_id, h5.user.id)["code"] == 200
    assert (_fresh(ArticleView, view_id).stay_time, _fresh(ArticleShare, row.id).stay_time) == (6, 6)
    impostor = type("Impostor", (), {"id": h5.customer.id, "token": h5.user.token})()
    assert _beat(api, impostor, h5.article, view_id, h5.user.id)["code"] == 400


def test_redis_away_a_read_answers_the_same_from_the_database(api, app, hot, h5, share_make, monkeypatch):
    """The article and the card come from one MGET; Redis gone, each comes from the database instead."""
    share_make.row(h5.article, h5.user, h5.customer)
    customer, article, uid = _plain(h5.customer), _plain(h5.article), h5.user.id

    def read():
        return body(api.as_(customer).get(f"{BASE}/myarticle/{article.id}", {"uid": uid}))["data"]

    cached = read()
    assert hot.redis.exists(hot.key("a", article.id), hot.key("u", h5.company.id, uid)) == 2
    dead = Redis.from_url(f"redis://127.0.0.1:{free_port()}/0")
    monkeypatch.setitem(app.extensions, hot_buffer.HOT_REDIS, dead)
    away = read()
    assert away["article_access_log_id"] > cached["article_access_log_id"]  # a new view, written
    assert (away["ret_data"], away["user_card"]) == (cached["ret_data"], cached["user_card"])
    assert away["user_card"]["username"] == "雷达甲"


def _server_statements(engine):
    """A list that fills with the statements the database runs: an executemany of n rows is n of them (PyMySQL
    sends an UPDATE once per row)."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, parameters, _context, executemany):
        seen.extend([statement] * (len(parameters) if executemany else 1))

    event.listen(engine, "before_cursor_execute", record)
    return seen, lambda: event.remove(engine, "before_cursor_execute", record)


def test_a_large_flush_writes_every_row_in_a_few_statements(app, hot, h5, share_make):
    """Thousands of heartbeats flushed: each view gets its own step and last beat, its tree row the sum, and the
    database runs a handful of statements (hundreds of rows each), not one per row."""
    row = share_make.row(h5.article, h5.user, h5.customer)
    opened = utcnow().replace(microsecond=0) - timedelta(minutes=5)
    view = {"company_id": h5.company.id, "article_id": h5.article.id, "customer_id": h5.customer.id}
    views = [{**view, "share_id": row.id, "create_date": opened, "last_beat_at": opened} for _ in range(1100)]
    db.session.execute(insert(ArticleView), views)
    db.session.commit()
    ids = db.session.scalars(select(ArticleView.id).where(ArticleView.share_id == row.id)).all()
    base = int(opened.replace(tzinfo=UTC).timestamp())  # the buffer's clock: epoch seconds, UTC
    fields = {f"sr:{row.id}": 3, f"ar:{h5.article.id}": 3, f"ss:{row.id}": 0}
    for n, view_id in enumerate(ids):
        fields[f"vs:{view_id}"] = n % 7 + 1
        fields[f"vl:{view_id}"] = base + 60 + n % 5
        fields[f"ss:{row.id}"] += n % 7 + 1
    hot.redis.hset(hot.key("pending"), mapping=fields)
    seen, stop = _server_statements(db.engine)
    try:
        assert hot_buffer.flush() == len(fields)
    finally:
        stop()
    updates = [statement for statement in seen if statement.lstrip().upper().startswith("UPDATE")]
    assert len(updates) == 5, updates  # the views 500 at a time, the tree row, the article
    db.session.expire_all()
    got = dict(db.session.execute(select(ArticleView.id, ArticleView.stay_time).where(ArticleView.id.in_(ids))).all())
    assert got == {view_id: n % 7 + 1 for n, view_id in enumerate(ids)}
    beats = db.session.execute(select(ArticleView.id, ArticleView.last_beat_at).where(ArticleView.id.in_(ids))).all()
    assert dict(beats) == {view_id: opened + timedelta(seconds=60 + n % 5) for n, view_id in enumerate(ids)}
    share = _fresh(ArticleShare, row.id)
    assert (share.read_count, share.stay_time, share.forward_friend_count) == (3, fields[f"ss:{row.id}"], 0)
    assert _fresh(Article, h5.article.id).read_count == 3


# --- a flusher that dies ------------------------------------------------------------------------------


def _hold_write_lock(app, article_id):
    """Another transaction holding what the flush must write (its batch row on SQLite, the article on MariaDB)."""
    if db.engine.dialect.name == "sqlite":
        path = db.engine.url.database
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        return conn.rollback
    conn = db.engine.connect()
    conn.execute(text("SELECT id FROM article WHERE id = :id FOR UPDATE"), {"id": article_id})

    def release():
        conn.rollback()
        conn.close()

    return release


def test_the_flush_writes_the_article_last(api, app, hot, h5, share_make):
    """A read's INSERT of its view waits for the article's lock (its foreign key): the flush takes that lock last,
    just before its commit. Held by another transaction, the flush waits there with its views and tree rows
    already written (MariaDB's lock wait shows how many rows its transaction changed)."""
    if db.engine.dialect.name == "sqlite":
        pytest.skip("needs MariaDB (TEST_DATABASE_URL): SQLite locks the whole database")
    share_make.row(h5.article, h5.user, h5.customer)
    view_id = _open(api, h5.customer, h5.article, h5.user.id)
    _set_last_beat(hot, view_id, 9)
    assert _beat(api, h5.customer, h5.article, view_id, h5.user.id)["code"] == 200
    article_id = h5.article.id
    db.session.rollback()
    release = _hold_write_lock(app, article_id)
    flushed: list[int] = []

    def flush():
        with app.app_context():
            flushed.append(hot_buffer.flush())
            db.session.remove()

    flusher = threading.Thread(target=flush)
    flusher.start()
    try:
        waiting = (  # in this database: other test processes share the server
            "SELECT t.trx_rows_modified FROM information_schema.innodb_trx t JOIN information_schema.processlist p"
            " ON p.id = t.trx_mysql_thread_id WHERE t.trx_state = 'LOCK WAIT' AND p.db = DATABASE()"
        )
        with db.engine.connect() as conn:
            wait_until(lambda: conn.execute(text(waiting)).first(), 30, "the flush waiting for the article")
            changed = conn.execute(text(waiting)).scalar()
    finally:
        release()
        flusher.join(30)
    assert changed == 3  # its batch row, the view, the tree row: only the article left
    assert flushed and flushed[0] > 0
    db.session.rollback()  # a snapshot from before the flush's commit (REPEATABLE READ)
    assert _fresh(Article, article_id).read_count == 1


def test_a_flusher_killed_between_claim_and_commit_loses_nothing(api, app, hot, h5, share_make, tmp_path):
    row = share_make.row(h5.article, h5.user, h5.customer)
    view_id = _open(api, h5.customer, h5.article, h5.user.id)
    _set_last_beat(hot, view_id, 9)
    assert _beat(api, h5.customer, h5.article, view_id, h5.user.id)["code"] == 200
    env = WorkerProcess(app, tmp_path / "flush.log", HOT_KEY_PREFIX=hot.prefix, HOT_BUFFER="true").env
    code = "from app import create_app\nfrom app.services import hot_buffer\n"
    code += "with create_app().app_context(): hot_buffer.flush()"
    release = _hold_write_lock(app, h5.article.id)
    try:
        with (tmp_path / "flush.log").open("ab") as log:
            args = [sys.executable, "-c", code]
            flusher = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=log)  # noqa: S603
        try:
            wait_until(lambda: hot.redis.exists(hot.key("processing")), 30, "the flusher's claim")
            time.sleep(0.3)  # at a write, waiting for our lock
            os.kill(flusher.pid, signal.SIGKILL)
            flusher.wait(10)
        finally:
            if flusher.poll() is None:
                flusher.kill()
    finally:
        release()
    assert _fresh(ArticleShare, row.id).read_count == 0 and hot.buffered() == {}  # claimed, never written
    _set_last_beat(hot, view_id, 2)
    assert _beat(api, h5.customer, h5.article, view_id, h5.user.id)["code"] == 200  # new counts meanwhile
    assert hot_buffer.flush() > 0  # the dead flusher's batch
    assert hot_buffer.flush() > 0  # what came in since
    assert (_fresh(ArticleView, view_id).stay_time, _fresh(ArticleShare, row.id).stay_time) == (11, 11)
    assert (_fresh(ArticleShare, row.id).read_count, _fresh(Article, h5.article.id).read_count) == (1, 1)


def test_a_batch_written_but_not_released_is_not_written_twice(api, hot, h5, share_make):
    """A flusher killed after its commit, before it deleted the batch from Redis: the next flush only drops it."""
    row = share_make.row(h5.article, h5.user, h5.customer)
    hot.redis.hset(hot.key("processing"), mapping={"_batch": "b" * 32, f"sr:{row.id}": 1, f"ar:{h5.article.id}": 1})
    db.session.add(HotFlushBatch(batch_id="b" * 32, flushed_at=utcnow()))
    db.session.commit()
    assert hot_buffer.flush() == 0
    assert not hot.redis.exists(hot.key("processing"))
    assert _fresh(ArticleShare, row.id).read_count == 0
    assert db.session.scalar(select(HotFlushBatch.batch_id)) == "b" * 32
