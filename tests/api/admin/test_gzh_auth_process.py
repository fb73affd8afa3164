"""11.7, 13.1–13.4 the official-account authorization steps and its grant URL (auth_type=1)."""

from urllib.parse import parse_qs, urlsplit

from tests.conftest import body
from tests.fixtures.wechat import GZH_APPID, XCX_APPID

BASE = "/zhugeleida/admin/gzh_auth_process"
GRANT = "/zhugeleida/admin/open_weixin_gongzhonghao/create_grant_url"


def test_steps_and_details(api, make, platform):
    platform.driver.add_authorizer(GZH_APPID, "official", nick_name="诸葛雷达_测试", service_type=2, verify_type=0)
    admin = make.admin()
    assert body(api.as_(admin).get(BASE))["data"] == {"step": 1, "ret_data": {"authorization_appid": ""}}
    answer = body(api.as_(admin).post(f"{BASE}/update/app_id", {"authorization_appid": GZH_APPID}))
    assert (answer["code"], answer["msg"]) == (200, "修改成功")
    answer = body(api.as_(admin).get(BASE))
    assert (answer["msg"], answer["data"]["step"]) == ("请求成功.请先进行步骤2", 2)
    url = body(api.as_(admin).post(GRANT))["data"]
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert (query["auth_type"], query["biz_appid"]) == ("1", GZH_APPID)
    assert platform.grant(admin, GZH_APPID, kind="gzh")["code"] == 200
    answer = body(api.as_(admin).get(BASE))
    assert (answer["msg"], answer["data"]["step"]) == ("请求成功", "")
    details = answer["data"]["ret_data"]
    assert (details["name"], details["service_category"], details["verify_type_info"]) == (
        "诸葛雷达_测试",
        "服务号",
        True,
    )
    assert "version_num" not in details and "refresh_token" not in details


def test_a_mini_program_is_not_an_official_account(api, make, platform):
    platform.driver.add_authorizer(XCX_APPID, "miniprogram")
    admin = make.admin()
    answer = platform.grant(admin, XCX_APPID, kind="gzh")
    assert (answer["code"], answer["msg"]) == (303, "授权的帐号不是公众号，请用公众号授权")
    assert body(api.as_(admin).get(BASE))["data"]["step"] == 2


def test_validation_roles_and_tenancy(api, make, platform):
    first, second = make.admin(), make.admin()
    assert body(api.as_(first).post(f"{BASE}/update/app_id", {"authorization_appid": "gh_123"}))["code"] == 303
    assert body(api.as_(first).post(f"{BASE}/update/app_id", {"authorization_appid": GZH_APPID}))["code"] == 200
    assert body(api.as_(second).get(BASE))["data"]["step"] == 1
    assert body(api.as_(second).post(GRANT))["code"] == 303  # no appid of its own yet
    # Another company's earlier claim does not block this one (only a completed grant binds an account).
    assert body(api.as_(second).post(f"{BASE}/update/app_id", {"authorization_appid": GZH_APPID}))["code"] == 200
    assert body(api.as_(second).get(BASE))["data"]["step"] == 2
    member = make.member()
    assert body(api.as_(member).get(BASE))["code"] == 403 and body(api.as_(member).post(GRANT))["code"] == 403
