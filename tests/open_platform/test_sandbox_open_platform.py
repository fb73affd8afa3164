"""The sandbox answers the platform's calls as WeChat documents them (raw HTTP, no client of ours in between
except to get tokens): shapes without errcode for component APIs, the documented error codes, images."""

import pytest
import requests

from app.wechat.component import ComponentClient
from tests.fixtures.wechat import COMPONENT_CONFIG, XCX_APPID

APPID = COMPONENT_CONFIG["COMPONENT_APPID"]


@pytest.fixture
def wx(wechat_sandbox_server):
    base = wechat_sandbox_server.url + "/api/"

    def call(method: str, path: str, token: str | None = None, json=None, data=None, **params):
        if token is not None:
            params["access_token"] = token
        response = requests.request(method, base + path, params=params, json=json, data=data, timeout=10)
        assert response.status_code == 200
        return response

    return call


def errcode(response) -> int:
    body = response.json()
    if body.get("errcode"):
        assert " rid: " in body["errmsg"], body  # api.weixin.qq.com's suffix
    return body.get("errcode", 0)


@pytest.fixture
def tokens(platform, ctx):
    """(component token, authorizer token) of an authorised mini-program."""
    platform.driver.add_authorizer(XCX_APPID, "miniprogram")
    component = ComponentClient()
    info = component.query_auth(platform.driver.authorize(XCX_APPID))
    return component.access_token, info["authorizer_access_token"]


def test_component_token_shapes_and_errors(wx, platform, ctx):
    body = {"component_appid": APPID, "component_appsecret": COMPONENT_CONFIG["COMPONENT_APPSECRET"]}
    assert (
        errcode(wx("POST", "cgi-bin/component/api_component_token", json={**body, "component_appid": "wx0"})) == 40013
    )
    assert (
        errcode(wx("POST", "cgi-bin/component/api_component_token", json={**body, "component_appsecret": "x"})) == 40125
    )
    assert errcode(wx("POST", "cgi-bin/component/api_component_token", json=body)) == 61006
    assert errcode(wx("POST", "cgi-bin/component/api_component_token", data="")) == 44002
    token = ComponentClient().access_token  # with the ticket our event URL stored
    answer = wx(
        "POST",
        "cgi-bin/component/api_create_preauthcode",
        json={"component_appid": APPID},
        component_access_token=token,
    )
    assert set(answer.json()) == {"pre_auth_code", "expires_in"}  # no errcode on success
    assert errcode(wx("POST", "cgi-bin/component/api_create_preauthcode", json={"component_appid": APPID})) == 41001
    # the current docs' parameter name is accepted too
    assert (
        "pre_auth_code"
        in wx("POST", "cgi-bin/component/api_create_preauthcode", token, json={"component_appid": APPID}).json()
    )
    assert (
        errcode(wx("POST", "cgi-bin/component/api_create_preauthcode", "bogus", json={"component_appid": APPID}))
        == 40001
    )


def test_authorizer_apis(wx, tokens, platform):
    component_token, _ = tokens
    base = {"component_appid": APPID, "authorizer_appid": XCX_APPID}
    query = {"component_access_token": component_token}
    bad_code = {"component_appid": APPID, "authorization_code": "queryauthcode@@@nope"}
    assert errcode(wx("POST", "cgi-bin/component/api_query_auth", json=bad_code, **query)) == 61009
    wrong = {**base, "authorizer_refresh_token": "refreshtoken@@@wrong"}
    assert errcode(wx("POST", "cgi-bin/component/api_authorizer_token", json=wrong, **query)) == 61023
    info = wx("POST", "cgi-bin/component/api_get_authorizer_info", json=base, **query).json()
    assert "errcode" not in info and "MiniProgramInfo" in info["authorizer_info"]
    assert info["authorizer_info"]["user_name"].startswith("gh_")
    platform.driver.add_authorizer("wx6ba07e6ddcdc69b3", "official")
    assert (
        errcode(
            wx(
                "POST",
                "cgi-bin/component/api_get_authorizer_info",
                json={**base, "authorizer_appid": "wx6ba07e6ddcdc69b3"},
                **query,
            )
        )
        == 61003
    )


def test_code_management_errors(wx, tokens, platform):
    component_token, token = tokens
    assert errcode(wx("POST", "wxa/gettemplatelist", component_token)) == 43001
    templates = wx("GET", "wxa/gettemplatelist", component_token).json()["template_list"]
    assert [t["template_id"] for t in templates] == [1, 5]
    assert errcode(wx("GET", "wxa/get_page", token)) == 86001
    assert errcode(wx("POST", "wxa/submit_audit", token, json={})) == 85086
    assert errcode(wx("GET", "wxa/get_latest_auditstatus", token)) == 85058
    assert errcode(wx("GET", "wxa/undocodeaudit", token)) == 85019
    assert errcode(wx("POST", "wxa/release", token, json={})) == 85019
    commit = {"template_id": 1, "ext_json": "{}", "user_version": "v1", "user_desc": "d"}
    assert errcode(wx("POST", "wxa/commit", token, json={**commit, "ext_json": {"a": 1}})) == 47001
    assert errcode(wx("POST", "wxa/commit", token, json={**commit, "template_id": 99})) == 85014
    assert errcode(wx("POST", "wxa/commit", token, json={**commit, "ext_json": "{"})) == 85013
    assert errcode(wx("POST", "wxa/commit", token, json=commit)) == 0
    image = wx("GET", "wxa/get_qrcode", token)
    assert image.headers["Content-Type"] == "image/jpeg" and image.content[:2] == b"\xff\xd8"
    assert errcode(wx("POST", "wxa/submit_audit", token, json={"item_list": []})) == 85023
    item = {"address": "pages/index/index", "first_id": 287, "second_id": 612, "tag": "名片", "title": "首页"}
    assert errcode(wx("POST", "wxa/submit_audit", token, json={"item_list": [{**item, "address": "x"}]})) == 85007
    assert errcode(wx("POST", "wxa/submit_audit", token, json={"item_list": [{**item, "second_id": 1}]})) == 85077
    auditid = wx("POST", "wxa/submit_audit", token, json={"item_list": [item]}).json()["auditid"]
    assert errcode(wx("POST", "wxa/submit_audit", token, json={"item_list": [item]})) == 85009
    assert errcode(wx("POST", "wxa/release", token, json={})) == 85020
    assert errcode(wx("POST", "wxa/release", token, data="")) == 44002
    assert wx("POST", "wxa/get_auditstatus", token, json={"auditid": auditid}).json()["status"] == 2
    assert errcode(wx("POST", "wxa/get_auditstatus", token, json={"auditid": 1})) == 85012
    latest = wx("GET", "wxa/get_latest_auditstatus", token).json()
    assert {"auditid", "status", "reason", "ScreenShot", "user_version", "submit_audit_time"} <= set(latest)
    platform.driver.decide_audit(XCX_APPID, 0)
    assert errcode(wx("POST", "wxa/release", token, json={})) == 0
    assert errcode(wx("POST", "wxa/release", token, json={})) == 85052
    assert errcode(wx("GET", "wxa/revertcoderelease", token)) == 87012  # nothing before it
    history = wx("GET", "wxa/revertcoderelease", token, action="get_history_version").json()["version_list"]
    assert [v["app_version"] for v in history] == [1]


def test_mini_program_codes(wx, tokens, platform):
    _, token = tokens
    body = {"scene": "73", "page": "pages/mingpian/index"}
    assert errcode(wx("POST", "wxa/getwxacodeunlimit", token, json=body)) == 41030  # nothing published
    image = wx("POST", "wxa/getwxacodeunlimit", token, json={**body, "check_path": False})
    assert image.headers["Content-Type"] == "image/jpeg"
    assert errcode(wx("POST", "wxa/getwxacodeunlimit", token, json={**body, "scene": "中文"})) == 40129
    assert errcode(wx("POST", "wxa/getwxacodeunlimit", token, json={**body, "scene": "x" * 33})) == 40169
    assert errcode(wx("POST", "wxa/getwxacodeunlimit", token, json={**body, "env_version": "x"})) == 40097
    platform.driver.update_authorizer(XCX_APPID, func_info=[18])
    assert errcode(wx("POST", "wxa/getwxacodeunlimit", token, json={**body, "check_path": False})) == 61007


def test_expired_and_unauthorised_tokens(wx, tokens, platform):
    _, token = tokens
    platform.driver.expire_platform_tokens()
    assert errcode(wx("GET", "wxa/get_category", token)) == 42001
    platform.driver.unauthorize(XCX_APPID)
    assert errcode(wx("GET", "wxa/get_category", token)) == 40001


def test_the_authorization_page(platform, wechat_sandbox_server, ctx):
    from app.wechat.component import grant_url

    platform.driver.add_authorizer(XCX_APPID, "miniprogram", nick_name="诸葛雷达")
    platform.driver.add_authorizer("wx6ba07e6ddcdc69b3", "official", nick_name="诸葛公众号")
    url = grant_url(ComponentClient(), "https://api.example.com/cb?grant=x", 2)
    page = requests.get(url.replace("#wechat_redirect", ""), timeout=10).text
    assert "诸葛雷达" in page and "诸葛公众号" not in page  # auth_type=2: mini-programs only
    answer = platform.driver.confirm_grant(url, XCX_APPID)
    assert answer["path"] == "/cb" and answer["query"]["grant"] == "x" and answer["query"]["expires_in"] == "600"
    with pytest.raises(AssertionError, match="refused"):
        platform.driver.confirm_grant(url, XCX_APPID)  # a pre-auth code is used once


def test_an_auth_code_is_single_use_and_the_authorized_push_carries_the_redirects(wx, platform, ctx):
    """The code of the browser redirect is the one the `authorized` push carries; exchanged once, 61009."""
    import xmltodict
    from wechatpy.crypto import WeChatCrypto

    platform.driver.add_authorizer(XCX_APPID, "miniprogram")
    code = platform.driver.authorize(XCX_APPID)
    push = platform.driver.push("authorized", XCX_APPID)
    config = COMPONENT_CONFIG
    crypto = WeChatCrypto(config["COMPONENT_TOKEN"], config["COMPONENT_AES_KEY"], APPID)
    query = push["query"]
    plain = crypto.decrypt_message(push["body"], query["msg_signature"], query["timestamp"], query["nonce"])
    assert xmltodict.parse(plain)["xml"]["AuthorizationCode"] == code
    component = ComponentClient()
    body = {"component_appid": APPID, "authorization_code": code}
    token = {"component_access_token": component.access_token}
    assert errcode(wx("POST", "cgi-bin/component/api_query_auth", json=body, **token)) == 0
    assert errcode(wx("POST", "cgi-bin/component/api_query_auth", json=body, **token)) == 61009


def test_a_push_not_answered_success_is_pushed_again(platform, wechat_sandbox_server):
    """WeChat waits for the plain `success` and pushes again otherwise (3 tries in all)."""
    refusing = wechat_sandbox_server.url + "/sandbox/calls"  # answers 405 to a POST
    push = platform.driver.push("component_verify_ticket", deliver_to=refusing)
    assert push["delivered"]["attempts"] == 3 and push["delivered"]["status"] == 405
