"""14.1 the official account's silent OAuth URL, through the platform, asked for by a radar user."""

from urllib.parse import parse_qs, urlsplit

from tests.conftest import body
from tests.fixtures.wechat import COMPONENT_CONFIG, GZH_APPID

URL = "/zhugeleida/gongzhonghao/create_gongzhonghao_auth_url/{id}"


def test_the_silent_oauth_url(api, make, platform, radar, app):
    company = make.company()
    admin = make.admin(company)
    platform.driver.add_authorizer(GZH_APPID, "official", nick_name="诸葛雷达公众号")
    assert platform.grant(admin, GZH_APPID, kind="gzh")["code"] == 200
    user = radar.user(company)
    answer = body(api.as_(user).get(URL.format(id=company.id)))
    assert (answer["code"], answer["msg"]) == (200, "返回成功成功")
    url = answer["data"]["authorize_url"]
    parts = urlsplit(url)
    assert url.startswith(app.config["WECHAT_OPEN_BASE"] + "connect/oauth2/authorize?appid=" + GZH_APPID)
    assert parts.fragment == "wechat_redirect"
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query == {
        "appid": GZH_APPID,
        "redirect_uri": app.config["GONGZHONGHAO_OAUTH_REDIRECT_URL"],
        "response_type": "code",
        "scope": "snsapi_base",
        "state": "snsapi_base",
        "component_appid": COMPONENT_CONFIG["COMPONENT_APPID"],
    }
    assert list(query) == ["appid", "redirect_uri", "response_type", "scope", "state", "component_appid"]


def test_other_company_unauthorised_and_credentials(api, make, platform, radar):
    company = make.company()
    user = radar.user(company)
    answer = body(api.as_(user).get(URL.format(id=company.id)))
    assert (answer["code"], answer["msg"]) == (303, "公司尚未授权公众号，请先完成公众号授权")
    assert body(api.as_(user).get(URL.format(id=company.id + 1)))["code"] == 302
    assert body(api.get(URL.format(id=company.id)))["code"] == 400
    assert body(api.as_(make.admin(company)).get(URL.format(id=company.id)))["code"] == 400  # an admin is no radar user
