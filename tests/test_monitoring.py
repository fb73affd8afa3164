"""Request ids, /metrics (scraped: the counters move), liveness/readiness and error-report scrubbing."""

import json
import logging
import uuid

import pytest
from prometheus_client.parser import text_string_to_metric_families

from app.error_reporting import before_send
from app.extensions import db
from app.models.jobs import Job
from tests.conftest import body

LOGIN = "/zhugeleida/admin/login"
OUTSIDER = {"REMOTE_ADDR": "203.0.113.9"}


def _scrape(client, **kwargs) -> dict[tuple, float]:
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200, response.data[:200]
    assert response.mimetype == "text/plain"
    samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def _value(samples, name, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


# --- request ids -------------------------------------------------------------------------------------------


def test_a_request_id_is_generated_or_accepted_and_returned(api):
    generated = api.client.get("/healthz").headers["X-Request-ID"]
    assert len(generated) == 32 and generated != api.client.get("/healthz").headers["X-Request-ID"]
    assert api.client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.1"}).headers["X-Request-ID"] == "lb-7f3a.1"
    for bad in ("a b", "x" * 200, "<script>", "id\u00e9"):
        answered = api.client.get("/healthz", headers={"X-Request-ID": bad}).headers["X-Request-ID"]
        assert answered != bad and len(answered) == 32


def test_every_log_line_of_a_request_carries_its_id(app, api):
    from app.logging import JSONFormatter

    lines = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(json.loads(JSONFormatter().format(record)))

    access = logging.getLogger("zhugeleida.access")
    handler = Collect()
    access.addHandler(handler)
    level = access.level
    access.setLevel(logging.INFO)
    try:
        api.client.post(LOGIN, data={"username": "nobody", "password": "x"}, headers={"X-Request-ID": "req-42"})
    finally:
        access.removeHandler(handler)
        access.setLevel(level)
    assert lines and all(line["request_id"] == "req-42" for line in lines)
    assert lines[-1]["path"] == LOGIN and lines[-1]["status"] == 200


def test_the_access_line_of_a_signed_read_costs_no_sql(app, api, make, count_queries):
    """The request ends (its transaction rolled back, its instances expired) before the access line is
    formatted: naming the admin must not reload it."""
    from app.logging import JSONFormatter

    lines = []

    class Collect(logging.Handler):
        def emit(self, record):
            with count_queries() as statements:
                lines.append((json.loads(JSONFormatter().format(record)), statements()))

    access = logging.getLogger("zhugeleida.access")
    handler = Collect()
    access.addHandler(handler)
    level = access.level
    access.setLevel(logging.INFO)
    admin = make.admin()
    try:
        assert body(api.as_(admin).get("/zhugeleida/admin/admin_userprofile"))["code"] == 200
    finally:
        access.removeHandler(handler)
        access.setLevel(level)
    line, statements = lines[-1]
    assert line["admin_id"] == admin.id and line["status"] == 200
    assert statements == 0


# --- /metrics ----------------------------------------------------------------------------------------------


def test_metrics_are_not_public(app, api, monkeypatch):
    refused = api.client.get("/metrics", environ_base=OUTSIDER)
    assert refused.status_code == 403 and body(refused)["code"] == 403
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "scrape-token-123")
    wrong = api.client.get("/metrics", environ_base=OUTSIDER, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 403
    token = {"Authorization": "Bearer scrape-token-123"}
    assert api.client.get("/metrics", environ_base=OUTSIDER, headers=token).status_code == 200
    assert api.client.get("/metrics").status_code == 200  # 127.0.0.1 is allow-listed by default


def test_scraped_counters_move(app, api, make):
    before = _scrape(api.client)
    admin = make.admin()
    for _ in range(2):
        assert body(api.client.post(LOGIN, data={"username": admin.login_user, "password": "wrong"}))["code"] == 401
    assert body(api.as_(admin).get("/zhugeleida/admin/login_rules"))["code"] == 200
    after = _scrape(api.client)

    def moved(name, **labels):
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert moved("zhugeleida_login_failures_total", endpoint="admin.account.login") == 2
    assert moved("zhugeleida_envelope_codes_total", endpoint="admin.account.login", code="401") == 2
    assert moved("zhugeleida_envelope_codes_total", endpoint="admin.account.login_rules", code="200") == 1
    latency = {"endpoint": "admin.account.login", "method": "POST", "status": "200"}
    assert moved("zhugeleida_http_request_duration_seconds_count", **latency) == 2
    assert moved("zhugeleida_http_request_duration_seconds_bucket", le="+Inf", **latency) == 2


def test_429s_are_counted(app, api, make):
    before = _scrape(api.client)
    codes = [body(api.client.post(LOGIN, data={"username": "ghost", "password": "wrong"}))["code"] for _ in range(12)]
    assert 429 in codes
    after = _scrape(api.client)
    name = "zhugeleida_rate_limited_total"
    assert (
        _value(after, name, endpoint="admin.account.login") - _value(before, name, endpoint="admin.account.login") >= 1
    )


def test_jobs_by_kind_and_status_are_scraped(app, api, ctx):
    db.session.add_all(
        [Job(id=uuid.uuid4().hex, kind="metrics.test", status=status) for status in ("queued", "queued", "failed")]
    )
    db.session.commit()
    samples = _scrape(api.client)
    assert _value(samples, "zhugeleida_jobs", kind="metrics.test", status="queued") == 2
    assert _value(samples, "zhugeleida_jobs", kind="metrics.test", status="failed") == 1


# --- health --------------------------------------------------------------------------------------------------


def test_liveness_checks_nothing_and_readiness_checks_the_database(app, api):
    live = api.client.get("/healthz/live")
    assert live.status_code == 200 and body(live)["code"] == 200
    ready = api.client.get("/healthz/ready")
    assert body(ready)["data"]["database"] == "ok"
    assert api.client.get("/healthz").status_code == 200 or app.config["REDIS_URL"]  # unchanged


def test_readiness_fails_without_a_worker_when_jobs_need_one(app, api, monkeypatch):
    if not app.config["REDIS_URL"]:
        pytest.skip("needs Redis (TEST_REDIS_URL)")
    monkeypatch.setitem(app.config, "JOBS_INLINE", False)
    monkeypatch.setitem(app.config, "JOB_QUEUE_PREFIX", f"nobody-{uuid.uuid4().hex[:8]}")
    ready = api.client.get("/healthz/ready")
    assert ready.status_code == 503 and body(ready)["data"]["worker"].startswith("error: no job worker")
    monkeypatch.setitem(app.config, "JOBS_INLINE", True)
    assert "worker" not in body(api.client.get("/healthz/ready"))["data"]


# --- error reports -------------------------------------------------------------------------------------------


def test_error_reports_carry_no_secret():
    event = {
        "request": {
            "url": "https://x.example.com/zhugeleida/admin/user?rand_str=abc&timestamp=1",
            "query_string": "rand_str=abc&timestamp=1&user_id=3",
            "cookies": {"session": "s"},
            "data": {"password": "Passw0rdX"},
            "headers": {"Authorization": "Bearer t0ken", "User-Agent": "ua"},
        },
        "exception": {
            "values": [{"stacktrace": {"frames": [{"vars": {"token": "t0ken", "user": {"password": "p"}}}]}}]
        },
        "extra": {"app_secret": "s3", "count": 2},
        "breadcrumbs": {"values": [{"message": "GET /x?rand_str=abc", "data": {"access_token": "t"}}]},
    }
    cleaned = json.dumps(before_send(event))
    for secret in ("abc", "Passw0rdX", "t0ken", "s3", '"p"', '"t"', '"s"'):
        assert secret not in cleaned, secret
    assert "User-Agent" in cleaned and '"count": 2' in cleaned
