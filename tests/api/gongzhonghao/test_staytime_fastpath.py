"""16.5's fast path (app/fastpath.py): with the hot buffer on, a heartbeat is answered before Flask, and every
answer — valid or not, answered there or handed to the view — is the very one the view gives with the buffer off
(status, headers, bytes), with the same access line and metrics. Needs TEST_REDIS_URL (the buffer's Redis)."""

import hashlib
import io
import json
import logging
import time
from contextlib import contextmanager

import pytest
from flask import request_started
from prometheus_client import REGISTRY

from app.extensions import db
from app.logging import JSONFormatter
from app.models.admin import STATUS_DISABLED
from app.security import new_token
from app.services import hot_buffer, share
from tests.conftest import body, fresh_timestamp

BASE = "/zhugeleida/gongzhonghao/article"
ENDPOINT = "gongzhonghao.article.staytime"
REQUEST_ID = "bench-fast.path:1"


@pytest.fixture
def hot(app, redis_conn, monkeypatch):
    """The buffer on (as with jobs on a worker), on this run's own keys, this process's tokens forgotten."""
    monkeypatch.setitem(app.config, "HOT_BUFFER", True)
    monkeypatch.setitem(app.config, "JOBS_INLINE", False)
    prefix = app.config["HOT_KEY_PREFIX"]

    def clear():
        for key in redis_conn.scan_iter(f"{prefix}:*"):
            redis_conn.delete(key)
        hot_buffer.forget_tokens()

    clear()
    yield
    clear()


@contextmanager
def dispatches(app):
    """How many requests Flask itself dispatched inside the block (its request_started signal)."""
    seen = []

    def started(sender, **_extra):
        seen.append(sender)

    request_started.connect(started, app)
    try:
        yield seen
    finally:
        request_started.disconnect(started, app)


def _signed(customer, query: dict, timestamp=None, token=None) -> dict:
    ts = str(timestamp or fresh_timestamp())
    rand = hashlib.md5((ts + (token or customer.token)).encode()).hexdigest()
    return {**query, "timestamp": ts, "user_id": customer.id, "rand_str": rand}


def _query_string(params: dict) -> str:
    return "&".join(f"{key}={value}" for key, value in params.items())


def _get(client, path: str, query: str, request_id: str = REQUEST_ID, headers: dict | None = None):
    headers = {"X-Request-ID": request_id, **(headers or {})}
    response = client.get(f"{path}?{query}" if query else path, headers=headers)
    return response.status_code, list(response.headers.items()), response.get_data()


def _open(api, h5, share_make, customer) -> int:
    """The customer's first view of h5's article."""
    share_make.row(h5.article, h5.user, customer)
    payload = body(api.as_(customer).get(f"{BASE}/myarticle/{h5.article.id}", {"uid": h5.user.id, "pid": ""}))
    assert payload["code"] == 200, payload
    return payload["data"]["article_access_log_id"]


def _both(app, client, path: str, query: str, request_id: str = REQUEST_ID, headers: dict | None = None):
    """The answer with the buffer on (and whether Flask dispatched it), then with the buffer off."""
    with dispatches(app) as seen:
        on = _get(client, path, query, request_id, headers)
    app.config["HOT_BUFFER"] = False
    try:
        off = _get(client, path, query, request_id, headers)
    finally:
        app.config["HOT_BUFFER"] = True
    return on, off, len(seen) == 0


def _cases(h5, view_id: int, other_view: int) -> list[tuple[str, str, str, bool]]:
    """(name, path, query string, answered before Flask) — the query signed now, as the page does."""
    c, path = h5.customer, f"{BASE}/staytime/{h5.article.id}"
    beat = {"uid": h5.user.id, "pid": "", "article_access_log_id": view_id}
    stale = int(time.time() * 1000) - 3_600_000
    plain = [
        ("valid", beat, True),
        ("valid, no uid/pid", {"article_access_log_id": view_id}, True),
        ("valid, pid null", {**beat, "pid": "null", "uid": "undefined"}, True),
        ("valid, an unknown parameter", {**beat, "_": "1700000000000"}, True),
        ("view id missing", {"uid": h5.user.id}, True),
        ("view id blank", {**beat, "article_access_log_id": ""}, True),
        ("view id not a number", {**beat, "article_access_log_id": "abc"}, True),
        ("view id decimal", {**beat, "article_access_log_id": "1.5"}, True),
        ("view id zero", {**beat, "article_access_log_id": "0"}, True),
        ("view id negative", {**beat, "article_access_log_id": "-3"}, True),
        ("view id past INT", {**beat, "article_access_log_id": str(2**31)}, True),
        ("uid not a number", {**beat, "uid": "x"}, True),
        ("pid negative", {**beat, "pid": "-1"}, True),
        ("two bad fields", {"uid": "x", "pid": "0"}, True),
        ("no such view", {**beat, "article_access_log_id": 999_999}, True),
        ("another customer's view", {**beat, "article_access_log_id": other_view}, True),
    ]
    cases = [(name, path, _query_string(_signed(c, q)), fast) for name, q, fast in plain]
    signed = _signed(c, beat)
    cases += [
        ("another article", f"{BASE}/staytime/{h5.article.id + 1000}", _query_string(signed), True),
        ("article id zero", f"{BASE}/staytime/0", _query_string(signed), False),
        ("article id past 64 bits", f"{BASE}/staytime/{'9' * 19}", _query_string(signed), False),
        ("trailing slash", f"{path}/", _query_string(signed), False),
        ("stale timestamp", path, _query_string(_signed(c, beat, timestamp=stale)), True),
        ("wrong signature", path, _query_string({**signed, "rand_str": "0" * 32}), True),
        ("upper-case signature", path, _query_string({**signed, "rand_str": signed["rand_str"].upper()}), True),
        ("no rand_str", path, _query_string({k: v for k, v in signed.items() if k != "rand_str"}), False),
        ("timestamp not digits", path, _query_string({**signed, "timestamp": "12a"}), False),
        ("user_id not digits", path, _query_string({**signed, "user_id": "-1"}), False),
        ("unknown customer", path, _query_string({**signed, "user_id": 999_999}), True),
        ("repeated parameter", path, _query_string(signed) + f"&article_access_log_id={view_id}", False),
        ("encoded value", path, _query_string(signed).replace("uid=", "uid=%31"), False),
        ("blank value, no '='", path, _query_string(signed) + "&pid", False),
        ("no query", path, "", False),
    ]
    return cases


def _beat_query(h5, view_id: int, **signing) -> str:
    return _query_string(_signed(h5.customer, {"uid": h5.user.id, "article_access_log_id": view_id}, **signing))


def test_the_fast_path_answers_as_the_view_does(api, app, hot, h5, share_make):
    """For a valid heartbeat and every kind of invalid one: the same status, headers and bytes with the buffer on
    (the fast path, or the view it hands the request to) as with the buffer off (always the view), and the fast
    path answered exactly the cases it is meant to answer."""
    view_id = _open(api, h5, share_make, h5.customer)
    other_view = _open(api, h5, share_make, h5.customer_())
    client = app.test_client()
    for name, case_path, query, expected_fast in _cases(h5, view_id, other_view):
        on, off, fast = _both(app, client, case_path, query)
        assert on == off, name
        assert fast == expected_fast, name


def test_a_busy_process_asks_for_a_longer_interval_either_way(api, app, hot, h5, share_make, monkeypatch):
    """While the process is busy (share.BusyMeter), the fast path answers the view's longer interval."""
    view_id = _open(api, h5, share_make, h5.customer)
    client, path = app.test_client(), f"{BASE}/staytime/{h5.article.id}"
    for busy, interval in ((False, 10), (True, 20)):
        meter = share.BusyMeter()
        meter.until = time.time() + 60 if busy else 0.0
        monkeypatch.setitem(app.extensions, share.BUSY_METER, meter)
        on, off, fast = _both(app, client, path, _beat_query(h5, view_id))
        assert fast and on == off
        assert json.loads(on[2])["data"] == {"heartbeat_interval": interval}


def test_a_read_prepares_its_heartbeats(api, app, hot, h5, share_make, count_queries):
    """After 15.1 the customer's heartbeats ask no database (its token known here, its credentials in Redis); in
    a process that never saw the customer, the first one reads its token once, and the next ones nothing."""
    view_id = _open(api, h5, share_make, h5.customer)
    client, path = app.test_client(), f"{BASE}/staytime/{h5.article.id}"
    ok = {"code": 200, "msg": "记录客户查看文章时间成功", "data": {"heartbeat_interval": 10}}
    queries = [_beat_query(h5, view_id) for _ in range(3)]  # signed before counting (the test's own loads)
    with count_queries() as statements, dispatches(app) as seen:
        assert json.loads(_get(client, path, queries[0])[2]) == ok
    assert (statements(), len(seen)) == (0, 0)
    hot_buffer.forget_tokens()  # as another worker process
    with count_queries() as statements, dispatches(app) as seen:
        assert json.loads(_get(client, path, queries[1])[2]) == ok
        assert json.loads(_get(client, path, queries[2])[2]) == ok
    assert (statements(), len(seen)) == (1, 0)


def test_a_changed_token_or_status_is_checked_against_the_database(api, app, hot, h5, share_make):
    """A new token (a new sign-in) or a disabled customer: answered as the view does, by the fast path."""
    view_id = _open(api, h5, share_make, h5.customer)
    client, path = app.test_client(), f"{BASE}/staytime/{h5.article.id}"
    old = h5.customer.token
    h5.customer.token = new_token()
    db.session.commit()
    on, off, fast = _both(app, client, path, _beat_query(h5, view_id))
    assert (on, fast) == (off, True) and json.loads(on[2])["code"] == 200
    on, off, fast = _both(app, client, path, _beat_query(h5, view_id, token=old))
    assert (on, fast) == (off, True) and json.loads(on[2])["code"] == 400
    h5.customer.status = STATUS_DISABLED
    db.session.commit()
    on, off, fast = _both(app, client, path, _beat_query(h5, view_id))
    assert (on, fast) == (off, True) and json.loads(on[2])["code"] == 306


def test_redis_away_hands_the_heartbeat_to_the_view(api, app, hot, h5, share_make, monkeypatch):
    """Redis unreachable: the view counts the heartbeat in the database, as with the buffer off."""
    view_id = _open(api, h5, share_make, h5.customer)
    client, path = app.test_client(), f"{BASE}/staytime/{h5.article.id}"
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
    app.extensions.pop(hot_buffer.HOT_REDIS, None)
    try:
        with dispatches(app) as seen:
            status, _headers, data = _get(client, path, _beat_query(h5, view_id))
    finally:
        app.extensions.pop(hot_buffer.HOT_REDIS, None)
    assert (status, json.loads(data)["code"], len(seen)) == (200, 200, 1)


def test_a_request_id_is_made_when_none_fits(api, app, hot, h5, share_make):
    view_id = _open(api, h5, share_make, h5.customer)
    client, path = app.test_client(), f"{BASE}/staytime/{h5.article.id}"
    on, off, fast = _both(app, client, path, _beat_query(h5, view_id), request_id="no spaces allowed")
    assert fast
    made = [dict(on[1]).pop("X-Request-ID"), dict(off[1]).pop("X-Request-ID")]
    assert all(len(rid) == 32 and int(rid, 16) >= 0 for rid in made) and made[0] != made[1]
    assert [h for h in on[1] if h[0] != "X-Request-ID"] == [h for h in off[1] if h[0] != "X-Request-ID"]
    assert on[2] == off[2]


def _samples(code: str) -> tuple[float, float]:
    count = REGISTRY.get_sample_value(
        "zhugeleida_http_request_duration_seconds_count", {"endpoint": ENDPOINT, "method": "GET", "status": "200"}
    )
    codes = REGISTRY.get_sample_value("zhugeleida_envelope_codes_total", {"endpoint": ENDPOINT, "code": code})
    return count or 0.0, codes or 0.0


def test_the_fast_path_logs_and_counts_as_the_view_does(api, app, hot, h5, share_make):
    """The same access line (but its milliseconds) and the same metrics for a heartbeat answered either way."""
    view_id = _open(api, h5, share_make, h5.customer)
    client, path = app.test_client(), f"{BASE}/staytime/{h5.article.id}"
    lines = io.StringIO()
    handler = logging.StreamHandler(lines)
    handler.setFormatter(JSONFormatter())
    access = logging.getLogger("zhugeleida.access")
    access.addHandler(handler)
    level = access.level
    access.setLevel(logging.INFO)
    try:
        for query, code in ((_beat_query(h5, view_id), "200"), (_beat_query(h5, "x"), "301")):
            before = _samples(code)
            on, off, fast = _both(app, client, path, query)
            assert fast and on == off
            after = _samples(code)
            assert (after[0] - before[0], after[1] - before[1]) == (2, 2), code  # one each way
    finally:
        access.removeHandler(handler)
        access.setLevel(level)
    entries = [json.loads(line) for line in lines.getvalue().splitlines()]
    for entry in entries:
        assert entry.pop("ms") >= 0 and entry.pop("ts")
    fast_line, view_line = entries[0], entries[1]
    assert (
        fast_line
        == view_line
        == {
            "level": "INFO",
            "logger": "zhugeleida.access",
            "msg": "request",
            "request_id": REQUEST_ID,
            "method": "GET",
            "path": path,
            "status": 200,
        }
    )
