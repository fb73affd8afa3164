"""The authorization lands back in the console (a browser is redirected to CONSOLE_BASE_URL with the outcome),
and role 1 runs 11.x/13.x for a client company (`company_id`)."""

from urllib.parse import parse_qs, urlsplit

import pytest

from app.extensions import db
from app.models.open_platform import MiniProgramApp, OfficialAccountApp
from tests.conftest import body
from tests.fixtures.wechat import GZH_APPID, XCX_APPID, XCX_APPID_2

A = "/zhugeleida/admin"
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def _query(url: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def _grant_redirect(api, platform, signed, appid, kind="xcx", company_id=None):
    """11.2/13.2 appid → 11.4/13.3 grant URL → WeChat's page: the callback path and query the browser follows."""
    prefix, grant_path = {"xcx": ("xcx_auth_process", "open_weixin"), "gzh": ("gzh_auth_process",
                          "open_weixin_gongzhonghao")}[kind]  # fmt: skip
    scope = {} if company_id is None else {"company_id": company_id}
    answer = body(signed.post(f"{A}/{prefix}/update/app_id", {"authorization_appid": appid}, query=scope))
    assert answer["code"] == 200, answer
    url = body(signed.post(f"{A}/{grant_path}/create_grant_url", query=scope))["data"]
    return platform.driver.confirm_grant(url, appid)


def _follow(api, redirect, headers=BROWSER):
    return api.client.get(redirect["path"], query_string=redirect["query"], headers=headers)


def test_a_browser_lands_in_the_console_with_the_outcome(app, api, make, platform):
    platform.driver.add_authorizer(XCX_APPID, "miniprogram", nick_name="诸葛雷达")
    admin = make.admin()
    response = _follow(api, _grant_redirect(api, platform, api.as_(admin), XCX_APPID))
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(app.config["CONSOLE_BASE_URL"] + "?")
    assert _query(location) == {
        "authorization": "ok",
        "kind": "xcx",
        "appid": XCX_APPID,
        "company_id": str(admin.company_id),
        "name": "诸葛雷达",
    }
    db.session.rollback()
    row = db.session.scalar(db.select(MiniProgramApp).filter_by(company_id=admin.company_id))
    assert row.authorized and row.authorizer_admin_id == admin.id  # the grant is recorded as before


def test_an_official_account_lands_with_kind_gzh(api, make, platform):
    platform.driver.add_authorizer(GZH_APPID, "official", nick_name="公众号")
    admin = make.admin()
    response = _follow(api, _grant_redirect(api, platform, api.as_(admin), GZH_APPID, "gzh"))
    assert _query(response.headers["Location"])["kind"] == "gzh"


def test_a_refused_grant_lands_with_code_and_msg_and_writes_nothing(app, api, make, platform):
    platform.driver.add_authorizer(XCX_APPID, "miniprogram")
    platform.driver.add_authorizer(XCX_APPID_2, "miniprogram")
    admin = make.admin()
    redirect = _grant_redirect(api, platform, api.as_(admin), XCX_APPID)
    redirect["query"]["auth_code"] = platform.driver.authorize(XCX_APPID_2)  # another account than named
    response = _follow(api, redirect)
    assert response.status_code == 302
    assert _query(response.headers["Location"]) == {
        "authorization": "failed",
        "code": "303",
        "msg": f"授权的帐号（{XCX_APPID_2}）与填写的小程序 appid 不一致",
    }
    redirect["query"]["grant"] = "forged"
    assert _query(_follow(api, redirect).headers["Location"])["msg"] == "授权链接无效或已过期，请重新生成"
    db.session.rollback()
    row = db.session.scalar(db.select(MiniProgramApp).filter_by(company_id=admin.company_id))
    assert (row.authorized, row.refresh_token) == (False, None)


def test_an_api_client_still_gets_the_envelope(api, make, platform):
    platform.driver.add_authorizer(XCX_APPID, "miniprogram", nick_name="诸葛雷达")
    redirect = _grant_redirect(api, platform, api.as_(make.admin()), XCX_APPID)
    answer = body(_follow(api, redirect, headers={"Accept": "application/json"}))
    assert answer == {"code": 200, "msg": "授权成功", "data": {"authorization_appid": XCX_APPID, "name": "诸葛雷达"}}


def test_console_base_url_is_configurable(app, api, make, platform):
    platform.driver.add_authorizer(XCX_APPID, "miniprogram")
    redirect = _grant_redirect(api, platform, api.as_(make.admin()), XCX_APPID)
    app.config["CONSOLE_BASE_URL"] = "https://console.example.com/#/xcx/auth?from=wechat"
    try:
        location = _follow(api, redirect).headers["Location"]
    finally:
        app.config["CONSOLE_BASE_URL"] = "http://127.0.0.1:8000/console/"
    assert location.startswith("https://console.example.com/#/xcx/auth?from=wechat&authorization=ok&")


# --- role 1 for a client company ------------------------------------------------------------------------


def test_role_1_authorises_a_client_companys_mini_program(api, make, platform):
    platform.driver.add_authorizer(XCX_APPID, "miniprogram", nick_name="客户小程序")
    client = make.company()
    root = make.superadmin()
    signed = api.as_(root)
    scope = {"company_id": client.id}
    assert body(signed.get(f"{A}/xcx_auth_process", scope))["data"]["step"] == 1
    redirect = _grant_redirect(api, platform, signed, XCX_APPID, company_id=client.id)
    assert _query(_follow(api, redirect).headers["Location"])["company_id"] == str(client.id)
    db.session.rollback()
    row = db.session.scalar(db.select(MiniProgramApp).filter_by(company_id=client.id))
    assert row.authorized and row.authorizer_appid == XCX_APPID
    assert db.session.scalar(db.select(MiniProgramApp).filter_by(company_id=root.company_id)) is None
    assert body(signed.get(f"{A}/xcx_auth_process/update/xcx_get_authorizer_info", scope))["code"] == 200
    info = {"name": "客户小程序", "head_img": "statics/a.png", "introduce": "介绍", "service_category": "工具"}
    assert body(signed.post(f"{A}/xcx_auth_process/update/info", info, query=scope))["code"] == 200
    assert body(signed.get(f"{A}/xcx_auth_process", scope))["data"]["step"] == ""


def test_role_1_authorises_a_client_companys_official_account(api, make, platform):
    platform.driver.add_authorizer(GZH_APPID, "official")
    client = make.company()
    signed = api.as_(make.superadmin())
    _follow(api, _grant_redirect(api, platform, signed, GZH_APPID, "gzh", company_id=client.id))
    db.session.rollback()
    assert db.session.scalar(db.select(OfficialAccountApp).filter_by(company_id=client.id)).authorized
    assert body(signed.get(f"{A}/gzh_auth_process", {"company_id": client.id}))["data"]["step"] == ""


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "xcx_auth_process"),
        ("POST", "xcx_auth_process/update/app_id"),
        ("GET", "xcx_auth_process/update/xcx_get_authorizer_info"),
        ("POST", "xcx_auth_process/update/info"),
        ("POST", "open_weixin/create_grant_url"),
        ("GET", "gzh_auth_process"),
        ("POST", "gzh_auth_process/update/app_id"),
        ("POST", "open_weixin_gongzhonghao/create_grant_url"),
    ],
)
def test_company_id_of_another_company_is_302_for_role_2(api, make, method, path):
    admin, other = make.admin(), make.company()
    signed = api.as_(admin)
    answer = body(
        signed.client.open(f"{A}/{path}", method=method, query_string=signed.signed({"company_id": other.id}))
    )
    assert answer["code"] == 302
    answer = body(signed.client.open(f"{A}/{path}", method=method, query_string=signed.signed({"company_id": "x"})))
    assert answer["code"] == 301
    root = api.as_(make.superadmin())
    missing = root.signed({"company_id": 999999})
    assert body(root.client.open(f"{A}/{path}", method=method, query_string=missing))["code"] == 302


def test_role_2_may_name_its_own_company(api, make):
    admin = make.admin()
    assert body(api.as_(admin).get(f"{A}/xcx_auth_process", {"company_id": admin.company_id}))["data"]["step"] == 1
