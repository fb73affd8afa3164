"""A slow or down WeChat never holds a request past its deadline, and a WeChat API known down answers at once
(app/wechat/guard.py), against the sandbox over real HTTP."""

import time

from tests.conftest import body
from tests.fixtures.wechat import AGENT_ID, AGENT_SECRET, link_company

BASE = "/zhugeleida/admin/company"


def agent_form():
    return {"app_type": 1, "agent_id": AGENT_ID, "app_secret": AGENT_SECRET}


def test_a_request_stops_waiting_for_wechat_at_its_deadline(app, api, make, sandbox, wechat_corp):
    """7.4 makes three WeChat calls; each slow but inside WECHAT_TIMEOUT, together past the request's deadline:
    the request answers "busy" at the deadline instead of waiting for all three."""
    admin = make.admin(link_company(make.company(), wechat_corp))
    app.config.update(WECHAT_TIMEOUT=3, WECHAT_REQUEST_DEADLINE=2)
    sandbox.fail_next("*", delay=0.8, times=10)
    started = time.monotonic()
    payload = body(api.as_(admin).post(f"{BASE}/update_agent/{admin.company_id}", agent_form()))
    took = time.monotonic() - started
    assert payload["code"] == -1 and "过慢" in payload["msg"], payload
    assert 1.9 < took < 2.9, took
    sandbox.clear_faults()
    assert body(api.as_(admin).post(f"{BASE}/update_agent/{admin.company_id}", agent_form()))["code"] == 200


def test_a_wechat_api_known_down_answers_at_once(app, api, make, sandbox, wechat_corp):
    """Two network failures in a row open gettoken's breaker: the next request answers at once without calling
    WeChat; after WECHAT_BREAKER_RESET one trial call goes through and, WeChat being back, closes it."""
    admin = make.admin(link_company(make.company(), wechat_corp))
    app.config.update(WECHAT_BREAKER_FAILURES=2, WECHAT_BREAKER_RESET=1.5)
    client = api.as_(admin)
    sandbox.fail_next("gettoken", http_status=502, times=2)
    for _ in range(2):
        assert body(client.post(f"{BASE}/update_agent/{admin.company_id}", agent_form()))["code"] == -1
    sandbox.clear_faults()
    since = time.time()
    started = time.monotonic()
    refused = body(client.post(f"{BASE}/update_agent/{admin.company_id}", agent_form()))
    assert refused["code"] == -1 and "连续失败" in refused["msg"], refused
    assert time.monotonic() - started < 0.5
    assert not [call for call in sandbox.calls(since) if call["path"].endswith("gettoken")]
    time.sleep(1.6)
    assert body(client.post(f"{BASE}/update_agent/{admin.company_id}", agent_form()))["code"] == 200


def test_gunicorn_serves_with_threads_and_the_deadline_fits_its_timeout(app, monkeypatch):
    """gthread by default (a request waiting on WeChat holds a thread, not the process), and the WeChat
    deadline of a request ends before gunicorn would kill the worker."""
    import runpy
    from pathlib import Path

    for name in ("GUNICORN_THREADS", "GUNICORN_WORKER_CLASS", "GUNICORN_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    conf = runpy.run_path(str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py"))
    assert conf["worker_class"] == "gthread" and conf["threads"] >= 2
    assert app.config["WECHAT_REQUEST_DEADLINE"] + app.config["WECHAT_TIMEOUT"] / 2 < conf["timeout"]
