"""The sandbox answers as WeChat Work does (docs/wechat.md: shapes, error codes), over HTTP."""

import pytest
import requests
from wechatpy.enterprise import WeChatClient
from wechatpy.exceptions import WeChatClientException

from tests.fixtures.wechat import AGENT_ID, AGENT_SECRET, BOSS_AGENT_ID, CONTACTS_SECRET


@pytest.fixture
def qy(wechat_sandbox_server, wechat_corp):
    """Raw calls to the sandboxed qyapi host: qy("GET", "path", token=..., params=..., json=...)."""
    base = wechat_sandbox_server.config()["WECHAT_WORK_API_BASE"]

    def call(method, path, token=None, params=None, **kwargs):
        params = dict(params or {})
        if token:
            params["access_token"] = token
        response = requests.request(method, base + path, params=params, timeout=10, **kwargs)
        assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/json")
        return response.json()

    return call


def token(qy, secret=CONTACTS_SECRET, corpid="wwsandbox00000001"):
    return qy("GET", "gettoken", params={"corpid": corpid, "corpsecret": secret})["access_token"]


def test_gettoken_answers_a_token_and_the_same_one_while_valid(qy):
    first = qy("GET", "gettoken", params={"corpid": "wwsandbox00000001", "corpsecret": CONTACTS_SECRET})
    assert first["errcode"] == 0 and first["errmsg"] == "ok" and isinstance(first["expires_in"], int)
    assert 0 < len(first["access_token"]) <= 512 and first["expires_in"] <= 7200
    assert token(qy) == first["access_token"]
    assert token(qy, AGENT_SECRET) != first["access_token"]  # one token per app secret


@pytest.mark.parametrize(
    ("params", "errcode"),
    [
        ({"corpsecret": CONTACTS_SECRET}, 41002),
        ({"corpid": "wwsandbox00000001"}, 41004),
        ({"corpid": "wwnobody", "corpsecret": CONTACTS_SECRET}, 40013),
        ({"corpid": "wwsandbox00000001", "corpsecret": "nope"}, 40001),
    ],
)
def test_gettoken_errors(qy, params, errcode):
    answer = qy("GET", "gettoken", params=params)
    assert answer["errcode"] == errcode and set(answer) == {"errcode", "errmsg"}
    assert (
        ", hint: [" in answer["errmsg"]
        and f"more info at https://open.work.weixin.qq.com/devtool/query?e={errcode}" in answer["errmsg"]
    )


def test_gettoken_another_corps_secret_and_untrusted_ip(qy, sandbox):
    sandbox.seed_corp("wwother", "secret-of-other")
    assert (
        qy("GET", "gettoken", params={"corpid": "wwsandbox00000001", "corpsecret": "secret-of-other"})["errcode"]
        == 40091
    )
    sandbox.set_corp("wwother", trusted_ips=["10.0.0.1"])
    assert qy("GET", "gettoken", params={"corpid": "wwother", "corpsecret": "secret-of-other"})["errcode"] == 60020


def test_access_token_missing_invalid_expired(qy, sandbox):
    assert qy("GET", "department/list")["errcode"] == 41001
    assert qy("GET", "department/list", token="forged")["errcode"] == 40014
    good = token(qy)
    sandbox.expire_tokens()
    assert qy("GET", "department/list", token=good)["errcode"] == 42001
    assert token(qy) != good  # a new one after expiry


def test_department_list_whole_tree_and_subtree(qy):
    tok = token(qy)
    tree = qy("GET", "department/list", tok)
    assert tree["errcode"] == 0 and [d["id"] for d in tree["department"]] == [1, 2, 3, 4, 5]
    assert set(tree["department"][0]) >= {"id", "name", "parentid", "order", "department_leader"}
    assert tree["department"][0]["parentid"] == 0
    assert [d["id"] for d in qy("GET", "department/list", tok, {"id": 3})["department"]] == [3]
    assert qy("GET", "department/list", tok, {"id": 99})["errcode"] == 60003
    simple = qy("GET", "department/simplelist", tok, {"id": 1})
    assert simple["department_id"][0] == {"id": 1, "parentid": 0, "order": 100000000}


def test_department_writes(qy):
    tok = token(qy)
    created = qy("POST", "department/create", tok, json={"name": "新部门", "parentid": 2})
    assert created == {"errcode": 0, "errmsg": "created", "id": 6}
    assert qy("POST", "department/create", tok, json={"name": "新部门", "parentid": 2})["errcode"] == 60008
    assert qy("POST", "department/create", tok, json={"name": "x", "parentid": 77})["errcode"] == 60004
    assert qy("POST", "department/create", tok, json={"name": "a|b", "parentid": 1})["errcode"] == 60009
    assert qy("POST", "department/create", tok, json={"name": "x" * 33, "parentid": 1})["errcode"] == 60001
    assert qy("POST", "department/create", tok, json={"name": "y", "parentid": 1, "id": 1})["errcode"] == 60123
    assert qy("POST", "department/update", tok, json={"id": 2, "parentid": 6})["errcode"] == 60010
    assert qy("POST", "department/update", tok, json={"id": 6, "name": "改名"}) == {"errcode": 0, "errmsg": "updated"}
    assert qy("GET", "department/delete", tok, {"id": 1})["errcode"] == 60007
    assert qy("GET", "department/delete", tok, {"id": 2})["errcode"] == 60006
    assert qy("GET", "department/delete", tok, {"id": 3})["errcode"] == 60005
    assert qy("GET", "department/delete", tok, {"id": 6}) == {"errcode": 0, "errmsg": "deleted"}
    agent_token = token(qy, AGENT_SECRET)
    assert qy("POST", "department/create", agent_token, json={"name": "z", "parentid": 1})["errcode"] == 60011


def test_post_bodies_must_be_json(qy):
    tok = token(qy)
    assert qy("POST", "department/create", tok, data=b"")["errcode"] == 44002
    assert qy("POST", "department/create", tok, data=b"name=x&parentid=1")["errcode"] == 47001


def test_user_list_id_pages_by_cursor(qy):
    tok = token(qy)
    first = qy("POST", "user/list_id", tok, json={"limit": 8})
    assert first["errcode"] == 0 and len(first["dept_user"]) == 8 and first["next_cursor"]
    assert set(first["dept_user"][0]) == {"userid", "department"}
    seen, cursor = list(first["dept_user"]), first["next_cursor"]
    while cursor:
        page = qy("POST", "user/list_id", tok, json={"limit": 8, "cursor": cursor})
        seen += page["dept_user"]
        cursor = page["next_cursor"]
    assert len(seen) == 20 and page["next_cursor"] == ""
    assert qy("POST", "user/list_id", tok, json={"limit": 0})["errcode"] == 40058
    assert qy("POST", "user/list_id", token(qy, AGENT_SECRET), json={"limit": 10})["errcode"] == 48002


def test_user_list_id_lists_a_member_once_per_department(qy, sandbox):
    sandbox.upsert_members("wwsandbox00000001", [{"userid": "user00001", "department": [2, 3]}])
    entries = qy("POST", "user/list_id", token(qy), json={"limit": 10000})["dept_user"]
    assert [e for e in entries if e["userid"] == "user00001"] == [
        {"userid": "user00001", "department": 2},
        {"userid": "user00001", "department": 3},
    ]


def test_user_list_ignores_fetch_child_and_withholds_fields(qy, sandbox):
    """WeChat Work's current docs list no fetch_child: a department's own members only, unless the corp is set
    to honour it as the older docs did; fields withheld by the 2022 restriction are simply absent."""
    tok = token(qy)
    assert qy("GET", "user/list", tok, {"department_id": 1, "fetch_child": 1})["userlist"] == []
    direct = qy("GET", "user/list", tok, {"department_id": 2})["userlist"]
    assert direct and all(2 in m["department"] for m in direct) and isinstance(direct[0]["gender"], str)
    assert set(direct[0]) >= {"userid", "name", "department", "position", "mobile", "gender", "avatar", "status"}
    sandbox.set_corp("wwsandbox00000001", legacy_fetch_child=True)
    everyone = qy("GET", "user/list", tok, {"department_id": 1, "fetch_child": 1, "status": 0})["userlist"]
    assert len(everyone) == 20
    sandbox.set_corp("wwsandbox00000001", withheld_fields=["name", "mobile", "avatar"])
    withheld = qy("GET", "user/list", tok, {"department_id": 2})["userlist"][0]
    assert not {"name", "mobile", "avatar"} & set(withheld) and withheld["position"]
    assert "mobile" not in qy("GET", "user/get", tok, {"userid": withheld["userid"]})
    simple = qy("GET", "user/simplelist", tok, {"department_id": 2})["userlist"]
    assert set(simple[0]) == {"userid", "name", "department"}


def test_user_create_rules(qy):
    tok = token(qy)
    base = {"userid": "zhangsan", "name": "张三", "department": [2], "mobile": "+86 13800000000"}
    assert qy("POST", "user/create", tok, json=base) == {"errcode": 0, "errmsg": "created"}
    assert qy("POST", "user/create", tok, json={**base, "userid": "ZHANGSAN"})["errcode"] == 60102
    assert qy("POST", "user/create", tok, json={**base, "userid": "lisi"})["errcode"] == 60104
    assert qy("POST", "user/create", tok, json={**base, "userid": "lisi", "mobile": None})["errcode"] == 60129
    assert qy("POST", "user/create", tok, json={**base, "userid": "-bad"})["errcode"] == 40003
    assert qy("POST", "user/create", tok, json={**base, "userid": "w5", "department": [77]})["errcode"] == 40066
    assert qy("POST", "user/create", tok, json={**base, "userid": "w6", "mobile": "12ab"})["errcode"] == 60103
    assert qy("POST", "user/update", tok, json={"userid": "nobody", "name": "x"})["errcode"] == 60111
    assert qy("GET", "user/get", tok, {"userid": "zhangsan"})["name"] == "张三"


def test_wechatpy_member_calls_work_against_the_sandbox(wechat_sandbox_server, wechat_corp):
    """wechatpy sends gender as an int and the obsolete tel/weixinid keys: accepted, ignored."""
    client = WeChatClient(wechat_corp.corpid, CONTACTS_SECRET, auto_retry=False)
    client.API_BASE_URL = wechat_sandbox_server.config()["WECHAT_WORK_API_BASE"]
    client.fetch_access_token = lambda: client._fetch_access_token(
        url=client.API_BASE_URL + "gettoken", params={"corpid": client.corp_id, "corpsecret": client.secret}
    )
    client.user.create("wangwu", "王五", department=[2], mobile="13900000009", tel="010-1", weixin_id="ww")
    assert client.user.get("wangwu")["gender"] == "0"
    assert len(client.department.get()) == 5
    assert len(client.user.list(2)) == 6  # its own members (wangwu included): fetch_child is not honoured
    with pytest.raises(WeChatClientException) as caught:
        client.user.create("wangwu", "王五", department=[2], mobile="13900000010")
    assert caught.value.errcode == 60102


def test_agent_get_and_set(qy, sandbox):
    tok = token(qy, AGENT_SECRET)
    agent = qy("GET", "agent/get", tok, {"agentid": AGENT_ID})
    assert agent["errcode"] == 0 and agent["agentid"] == AGENT_ID and agent["name"] == "诸葛AI雷达"
    assert set(agent) >= {"square_logo_url", "description", "allow_userinfos", "allow_partys", "close", "home_url"}
    assert qy("GET", "agent/get", tok, {"agentid": 9999})["errcode"] == 40056
    assert qy("GET", "agent/get", tok, {"agentid": BOSS_AGENT_ID})["errcode"] == 301002
    body = {"agentid": AGENT_ID, "home_url": "https://a.example/x", "redirect_domain": "a.example", "isreportuser": 1}
    assert qy("POST", "agent/set", tok, json=body) == {"errcode": 0, "errmsg": "ok"}
    assert qy("GET", "agent/get", tok, {"agentid": AGENT_ID})["home_url"] == "https://a.example/x"
    for not_a_domain in ("a.example:8000", "127.0.0.1:8000", "https://a.example", "a.example/x"):
        assert qy("POST", "agent/set", tok, json={**body, "redirect_domain": not_a_domain})["errcode"] == 85005
    sandbox.set_corp("wwsandbox00000001", verified_domains=["b.example"])
    assert qy("POST", "agent/set", tok, json=body)["errcode"] == 85005
    assert qy("POST", "agent/set", tok, json={"agentid": AGENT_ID, "description": "abc"})["errcode"] == 40058


def test_driver_faults_are_consumed_in_order(qy, sandbox, wechat_sandbox_server):
    tok = token(qy)
    sandbox.fail_next("department/list", errcode=45009, times=2)
    assert qy("GET", "department/list", tok)["errcode"] == 45009
    assert qy("GET", "department/list", tok)["errcode"] == 45009
    assert qy("GET", "department/list", tok)["errcode"] == 0
    sandbox.fail_next("*", http_status=502)
    base = wechat_sandbox_server.config()["WECHAT_WORK_API_BASE"]
    assert requests.get(base + "department/list", params={"access_token": tok}, timeout=5).status_code == 502
    paths = [c["path"] for c in sandbox.calls()]
    assert paths[-1].endswith("/qyapi/cgi-bin/department/list") and "?" not in paths[-1]
