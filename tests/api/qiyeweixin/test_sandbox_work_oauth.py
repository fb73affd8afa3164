"""The sandbox's WeChat Work OAuth answers as WeChat documents it (both paths, both shapes) and
its OAuth page behaves like WeChat's in the WeCom client."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from app.wechat.work import WorkClient, oauth_home_url
from tests.fixtures.wechat import AGENT_ID, AGENT_SECRET, CORP_ID


@pytest.fixture
def qy(wechat_sandbox_server, wechat_corp):
    base = wechat_sandbox_server.config()["WECHAT_WORK_API_BASE"]
    token = requests.get(base + "gettoken", params={"corpid": CORP_ID, "corpsecret": AGENT_SECRET}, timeout=10).json()[
        "access_token"
    ]

    def call(path, **params):
        return requests.get(base + path, params={"access_token": token, **params}, timeout=10).json()

    return call


def test_current_path_member_and_outsider(qy, h5_sandbox):
    member = qy("auth/getuserinfo", code=h5_sandbox.work_code(CORP_ID, "user00003"))
    assert member == {"errcode": 0, "errmsg": "ok", "userid": "user00003"}
    outsider = qy("auth/getuserinfo", code=h5_sandbox.work_code(CORP_ID, openid="o_abc"))
    assert outsider == {"errcode": 0, "errmsg": "ok", "openid": "o_abc", "external_userid": ""}


def test_older_path_has_capitalised_keys(qy, h5_sandbox):
    member = qy("user/getuserinfo", code=h5_sandbox.work_code(CORP_ID, "user00003"))
    assert member["UserId"] == "user00003" and member["errcode"] == 0 and member["DeviceId"]
    outsider = qy("user/getuserinfo", code=h5_sandbox.work_code(CORP_ID, openid="o_abc"))
    assert outsider["OpenId"] == "o_abc" and "UserId" not in outsider


def test_codes_errors(qy, h5_sandbox, sandbox):
    code = h5_sandbox.work_code(CORP_ID, "user00003")
    assert qy("auth/getuserinfo", code=code)["errcode"] == 0
    assert qy("auth/getuserinfo", code=code)["errcode"] == 40029  # used
    assert qy("auth/getuserinfo", code="nope")["errcode"] == 40029
    missing = qy("auth/getuserinfo")
    assert missing["errcode"] == 41008 and "more info at" in missing["errmsg"]
    sandbox.seed_corp("wwother", "other-secret", members=1)
    assert qy("auth/getuserinfo", code=h5_sandbox.work_code("wwother", "user00001"))["errcode"] == 40029


def test_wechatpy_reads_the_older_path(app, ctx, h5_sandbox, wechat_corp):
    """wechatpy's own WeChatOAuth.get_user_info (user/getuserinfo) understands the sandbox's answer."""
    client = WorkClient(CORP_ID, AGENT_SECRET)
    assert client.oauth.get_user_info(h5_sandbox.work_code(CORP_ID, "user00004"))["UserId"] == "user00004"


def _page(h5_sandbox, user, **overrides):
    url = oauth_home_url(CORP_ID, AGENT_ID, "http://api.example.com/entry?app_type=1")
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()} | overrides
    return requests.get(
        f"{parts.scheme}://{parts.netloc}{parts.path}",
        params=query,
        cookies={"wx_sandbox_user": user} if user else {},
        allow_redirects=False,
        timeout=10,
    )


def test_oauth_page(ctx, h5_sandbox, sandbox, wechat_corp):
    response = _page(h5_sandbox, "user00005")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    query = parse_qs(location.query)
    assert location.netloc == "api.example.com" and query["app_type"] == ["1"] and query["state"] == ["zhugeleida"]
    assert "appid" not in query and query["code"][0]
    assert _page(h5_sandbox, None).status_code == 401
    assert _page(h5_sandbox, "user00005", agentid="999").status_code == 400
    assert _page(h5_sandbox, "user00005", response_type="token").status_code == 400
    sandbox.upsert_members(CORP_ID, [{"userid": "user00005", "status": 2}])
    assert _page(h5_sandbox, "user00005").status_code == 403


def test_oauth_page_checks_the_apps_trusted_domain(h5_sandbox, app, ctx, wechat_corp):
    client = WorkClient(CORP_ID, AGENT_SECRET)
    client.post("agent/set", data={"agentid": AGENT_ID, "redirect_domain": "trusted.example.com"})
    assert _page(h5_sandbox, "user00005").status_code == 403
