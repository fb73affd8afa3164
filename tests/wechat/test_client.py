"""The client layer over wechatpy: shared tokens, refresh once, errors into the envelope, no secrets in logs."""

import json
import logging

import pytest
from redis import Redis
from sqlalchemy import text

from app.extensions import db
from app.logging import JSONFormatter
from app.wechat import work
from app.wechat.errors import BAD_ANSWER_MSG, WeChatError, documented_answer
from app.wechat.tokens import DatabaseTokenStore, RedisTokenStore, token_store
from tests.fixtures.wechat import AGENT_ID, AGENT_SECRET, CONTACTS_SECRET


def calls(sandbox) -> list[str]:
    return [c["path"].rsplit("/cgi-bin/", 1)[1] for c in sandbox.calls()]


def test_token_is_fetched_once_and_shared(ctx, sandbox, wechat_corp):
    """A second client (another request, job or process) reuses the stored token: no gettoken per use."""
    work.list_departments(work.WorkClient(wechat_corp.corpid, CONTACTS_SECRET))
    work.list_departments(work.WorkClient(wechat_corp.corpid, CONTACTS_SECRET))
    assert calls(sandbox) == ["gettoken", "department/list", "department/list"]


def test_token_key_names_no_part_of_the_secret(ctx, wechat_corp):
    client = work.WorkClient(wechat_corp.corpid, CONTACTS_SECRET)
    assert CONTACTS_SECRET[:6] not in client.access_token_key
    assert client.access_token_key.startswith(f"work:{wechat_corp.corpid}:")


@pytest.mark.parametrize("invalidate", [False, True], ids=["42001-expired", "40014-invalid"])
def test_a_refused_token_is_refreshed_once(ctx, sandbox, wechat_corp, invalidate):
    client = work.WorkClient(wechat_corp.corpid, CONTACTS_SECRET)
    work.list_departments(client)
    sandbox.expire_tokens(wechat_corp.corpid, invalidate=invalidate)
    sandbox.clear_calls()
    assert len(work.list_departments(client)) == 5
    assert calls(sandbox) == ["department/list", "gettoken", "department/list"]


def test_a_token_refused_again_is_an_error_not_a_loop(ctx, sandbox, wechat_corp):
    """wechatpy would retry for ever (RecursionError); we refresh once, then answer WeChat's error."""
    sandbox.fail_next("department/list", errcode=40001, times=50)
    with pytest.raises(WeChatError) as caught:
        work.list_departments(work.WorkClient(wechat_corp.corpid, CONTACTS_SECRET))
    assert caught.value.code == 40001 and caught.value.msg.startswith("invalid credential")
    assert calls(sandbox) == ["gettoken", "department/list", "gettoken", "department/list"]


def test_a_token_refreshed_by_another_process_is_not_fetched_again(ctx, sandbox, wechat_corp):
    client = work.WorkClient(wechat_corp.corpid, CONTACTS_SECRET)
    current = client.access_token
    sandbox.clear_calls()
    client.refresh_access_token(stale="a token someone else already replaced")
    assert calls(sandbox) == [] and client.access_token == current


def test_wechat_errors_keep_errcode_and_errmsg(ctx, sandbox, wechat_corp):
    client = work.WorkClient(wechat_corp.corpid, AGENT_SECRET)
    with pytest.raises(WeChatError) as caught:
        work.get_agent(client, AGENT_ID + 50)
    err = caught.value
    assert (err.code, err.errcode, err.retryable) == (40056, 40056, False)
    assert err.msg.startswith("invalid agentid, hint: [") and "more info at" in err.msg


@pytest.mark.parametrize("errcode", [-1, 45009, 45033])
def test_busy_and_frequency_errors_are_retryable(ctx, sandbox, wechat_corp, errcode):
    sandbox.fail_next("department/list", errcode=errcode)
    with pytest.raises(WeChatError) as caught:
        work.list_departments(work.WorkClient(wechat_corp.corpid, CONTACTS_SECRET))
    assert caught.value.errcode == errcode and caught.value.retryable


def test_http_failures_and_unreachable_hosts_are_retryable_minus_one(app, ctx, sandbox, wechat_corp):
    sandbox.fail_next("gettoken", http_status=502)
    with pytest.raises(WeChatError) as caught:
        work.verified_client(wechat_corp.corpid, CONTACTS_SECRET)
    assert (caught.value.code, caught.value.retryable) == (-1, True)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    app.config["WECHAT_WORK_API_BASE"] = "http://127.0.0.1:9/cgi-bin/"  # nothing listens there
    with pytest.raises(WeChatError) as caught:
        work.verified_client(wechat_corp.corpid, CONTACTS_SECRET)
    # requests' own error text holds the URL, secret included: it is never chained to ours
    assert caught.value.network and caught.value.msg == "微信服务暂时不可用，请稍后重试"
    assert caught.value.__suppress_context__ and CONTACTS_SECRET not in str(caught.value)


def test_gettoken_refusals_are_reported(ctx, sandbox, wechat_corp):
    sandbox.seed_corp("wwother", "other-corp-secret")
    cases = {("wwnobody", CONTACTS_SECRET): 40013, (wechat_corp.corpid, "wrong"): 40001}
    cases[(wechat_corp.corpid, "other-corp-secret")] = 40091
    for (corpid, secret), errcode in cases.items():
        client = work.WorkClient(corpid, secret)
        with pytest.raises(WeChatError) as caught:
            client.fetch_access_token()
        assert caught.value.code == errcode and client.credentials_refused is caught.value


def test_database_token_store_expires_and_encrypts(app, ctx):
    store = DatabaseTokenStore()
    store.set("k1", "token-value-abc", ttl=3600)
    store.set("k2", "already-gone", ttl=-5)
    db.session.commit()
    assert store.get("k1") == "token-value-abc" and store.get("k2") is None
    raw = db.session.execute(text("SELECT value FROM wechat_token WHERE `key` = 'k1'")).scalar()
    assert "token-value-abc" not in raw
    store.delete("k1")
    assert store.get("k1") is None


def test_token_store_is_redis_when_configured(app, ctx):
    store = token_store()
    if app.config["REDIS_URL"]:
        assert isinstance(store, RedisTokenStore)
        store.set("probe", "v", ttl=30)
        raw = Redis.from_url(app.config["REDIS_URL"])
        assert raw.ttl(f"{app.config['WECHAT_TOKEN_PREFIX']}:probe") > 0
        store.delete("probe")
    else:
        assert isinstance(store, DatabaseTokenStore)


def test_no_secret_or_token_reaches_a_log_line(app, ctx, sandbox, wechat_corp, caplog):
    """Even at DEBUG, where urllib3 prints every request line with its query string."""
    caplog.set_level(logging.DEBUG)
    client = work.verified_client(wechat_corp.corpid, CONTACTS_SECRET)
    token = client.access_token
    work.list_departments(client)
    with pytest.raises(WeChatError):
        work.verified_client(wechat_corp.corpid, CONTACTS_SECRET + "x")
    lines = [JSONFormatter().format(record) for record in caplog.records]
    assert any("gettoken" in line for line in lines)  # the request lines are there...
    text_ = "\n".join(lines)
    assert CONTACTS_SECRET not in text_ and token not in text_  # ...with their secrets masked
    # ...and their query strings cut (every log handler drops `?…`, which also carries rand_str signatures)
    # (when the app's handler is installed; a test that ran alembic may have replaced it: then the urllib3
    # filter's masking is what remains)
    assert ("gettoken?…" in text_ or "corpsecret=***" in text_) and json.loads(lines[0])


def test_an_answer_missing_documented_keys_is_a_retryable_wechat_failure():
    """What WeChat Work and the code-management helpers share: reading a key WeChat did not send is WeChat's
    failure (-1, retryable), never our 500; a WeChatError raised inside passes through unchanged."""

    @documented_answer
    def read(answer: dict):
        return [int(entry["id"]) for entry in answer["department"]]

    assert read({"department": [{"id": "2"}]}) == [2]
    for answer in ({}, {"department": None}, {"department": [{}]}, {"department": [None]}):
        with pytest.raises(WeChatError) as caught:
            read(answer)
        assert (caught.value.errcode, caught.value.errmsg, caught.value.retryable) == (-1, BAD_ANSWER_MSG, True)

    @documented_answer
    def refused():
        raise WeChatError(48002, "api forbidden")

    with pytest.raises(WeChatError) as caught:
        refused()
    assert caught.value.errcode == 48002 and not caught.value.retryable
