"""The sandbox's official-account OAuth and JS-SDK ticket answer as WeChat documents them (docs/wechat.md)."""

import pytest
import requests

from app.services.open_platform import official_account_token
from tests.fixtures.wechat import COMPONENT_CONFIG


@pytest.fixture
def sns(wechat_sandbox_server, gzh, h5_sandbox, ctx, h5):
    """Raw calls on the api host, with our component token, for h5's authorised official account."""
    from app.wechat.component import ComponentClient

    base = wechat_sandbox_server.config()["WECHAT_API_BASE"]
    h5_sandbox.add_user(gzh, "o_bob", nickname="鲍勃", sex=2, unionid="u_bob")
    component_token = ComponentClient().access_token

    def exchange(code, **overrides):
        params = {
            "appid": gzh,
            "code": code,
            "grant_type": "authorization_code",
            "component_appid": COMPONENT_CONFIG["COMPONENT_APPID"],
            "component_access_token": component_token,
            **overrides,
        }
        return requests.get(base + "sns/oauth2/component/access_token", params=params, timeout=10).json()

    def get(path, **params):
        return requests.get(base + path, params=params, timeout=10).json()

    return exchange, get


def test_exchange_then_userinfo(sns, h5_sandbox, gzh):
    exchange, get = sns
    answer = exchange(h5_sandbox.oauth_code(gzh, "o_bob", "snsapi_userinfo"))
    assert set(answer) == {"access_token", "expires_in", "refresh_token", "openid", "scope"}  # no errcode
    assert (answer["openid"], answer["scope"], answer["expires_in"]) == ("o_bob", "snsapi_userinfo", 7200)
    info = get("sns/userinfo", access_token=answer["access_token"], openid="o_bob", lang="zh_CN")
    assert info["nickname"] == "鲍勃" and info["sex"] == 2 and info["unionid"] == "u_bob" and "errcode" not in info
    assert get("sns/userinfo", access_token=answer["access_token"], openid="o_other")["errcode"] == 40003


def test_exchange_errors(sns, h5_sandbox, gzh):
    exchange, get = sns
    code = h5_sandbox.oauth_code(gzh, "o_bob")
    assert exchange(code, grant_type="refresh_token")["errcode"] == 40002
    assert exchange(code, component_appid="wxother")["errcode"] == 40013
    assert exchange(code, component_access_token="forged")["errcode"] == 40001
    assert exchange(code, appid="wxnotauthorized")["errcode"] == 61003
    assert exchange("")["errcode"] == 41008
    assert exchange("forged")["errcode"] == 40029
    base = exchange(code)
    assert base["scope"] == "snsapi_base"
    used = exchange(code)
    assert used["errcode"] == 40163 and used["errmsg"].startswith("code been used rid: ")
    userinfo = get("sns/userinfo", access_token=base["access_token"], openid="o_bob")
    assert userinfo["errcode"] == 48001  # a snsapi_base token cannot read the user info
    assert get("sns/userinfo", openid="o_bob")["errcode"] == 41001
    assert get("sns/userinfo", access_token="forged", openid="o_bob")["errcode"] == 40001


def test_getticket(sns, h5):
    _exchange, get = sns
    token = official_account_token(h5.company.id)
    first = get("cgi-bin/ticket/getticket", access_token=token, type="jsapi")
    assert first["errcode"] == 0 and first["errmsg"] == "ok" and first["expires_in"] <= 7200 and first["ticket"]
    assert get("cgi-bin/ticket/getticket", access_token=token, type="jsapi")["ticket"] == first["ticket"]
    assert get("cgi-bin/ticket/getticket", access_token=token, type="other")["errcode"] == 40097
    assert get("cgi-bin/ticket/getticket", access_token="forged", type="jsapi")["errcode"] == 40001
