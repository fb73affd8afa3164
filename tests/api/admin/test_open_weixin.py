"""11.4 the mini-program grant URL and the auth_code callback WeChat's page sends the admin back to."""

from urllib.parse import parse_qs, urlsplit

from sqlalchemy import text

from app.extensions import db
from app.models.open_platform import MiniProgramApp
from tests.conftest import body
from tests.fixtures.wechat import COMPONENT_CONFIG, GZH_APPID, XCX_APPID, XCX_APPID_2

GRANT = "/zhugeleida/admin/open_weixin/create_grant_url"
CALLBACK = "/zhugeleida/admin/open_weixin/auth_code"


def query_of(url: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def named(api, admin, appid: str = XCX_APPID) -> None:
    assert (
        body(api.as_(admin).post("/zhugeleida/admin/xcx_auth_process/update/app_id", {"authorization_appid": appid}))[
            "code"
        ]
        == 200
    )


def test_grant_url_shape(api, make, platform, app):
    admin = make.admin()
    named(api, admin)
    answer = body(api.as_(admin).post(GRANT))
    assert (answer["code"], answer["msg"]) == (200, "生成【授权链接】成功")
    url = answer["data"]
    assert url.startswith(app.config["WECHAT_OPEN_BASE"] + "wxaopen/safe/bindcomponent?") and url.endswith(
        "#wechat_redirect"
    )
    query = query_of(url)
    assert query["component_appid"] == COMPONENT_CONFIG["COMPONENT_APPID"] and query["pre_auth_code"].startswith(
        "preauthcode@@@"
    )
    assert (query["auth_type"], query["biz_appid"], query["action"], query["no_scan"]) == (
        "2",
        XCX_APPID,
        "bindcomponent",
        "1",
    )
    redirect = query["redirect_uri"]
    assert redirect.startswith(app.config["OPEN_PLATFORM_CALLBACK_BASE_URL"] + CALLBACK + "?grant=")


def test_grant_url_needs_an_appid_and_the_rule(api, make, platform):
    admin = make.admin()
    answer = body(api.as_(admin).post(GRANT))
    assert (answer["code"], answer["msg"]) == (303, "请先填写小程序 appid")
    assert body(api.as_(make.member()).post(GRANT))["code"] == 403
    assert body(api.as_(admin).get(GRANT))["code"] == 402


def test_the_callback_records_the_account(api, make, platform):
    platform.driver.add_authorizer(
        XCX_APPID, "miniprogram", nick_name="诸葛雷达", principal_name="北京合众多屏有限公司"
    )
    company = make.company()
    admin = make.admin(company)
    answer = platform.grant(admin, XCX_APPID)
    assert answer == {"code": 200, "msg": "授权成功", "data": {"authorization_appid": XCX_APPID, "name": "诸葛雷达"}}
    db.session.rollback()
    row = db.session.scalar(db.select(MiniProgramApp).filter_by(company_id=company.id))
    assert (row.authorized, row.authorizer_admin_id, row.principal_name) == (True, admin.id, "北京合众多屏有限公司")
    assert row.refresh_token.startswith("refreshtoken@@@") and row.func_info == [17, 18, 19]
    assert row.original_id.startswith("gh_") and row.qrcode_url and row.authorized_at is not None
    raw = db.session.execute(text("SELECT refresh_token FROM mini_program_app WHERE id = :i"), {"i": row.id}).scalar()
    assert raw != row.refresh_token and "refreshtoken" not in raw  # encrypted at rest


def test_the_callback_refuses_what_it_cannot_trust(api, make, platform):
    platform.driver.add_authorizer(XCX_APPID, "miniprogram")
    platform.driver.add_authorizer(XCX_APPID_2, "miniprogram")
    platform.driver.add_authorizer(GZH_APPID, "official")
    company = make.company()
    admin = make.admin(company)
    named(api, admin)
    url = body(api.as_(admin).post(GRANT))["data"]
    grant = query_of(query_of(url)["redirect_uri"])["grant"]
    # another account than the one the company named (biz_appid aside: WeChat's page could be bypassed)
    code = platform.driver.authorize(XCX_APPID_2)
    answer = body(api.client.get(CALLBACK, query_string={"grant": grant, "auth_code": code}))
    assert (answer["code"], answer["msg"]) == (303, f"授权的帐号（{XCX_APPID_2}）与填写的小程序 appid 不一致")
    # a forged or tampered grant
    for bad in ("x", grant[:-2] + "zz"):
        code = platform.driver.authorize(XCX_APPID)
        answer = body(api.client.get(CALLBACK, query_string={"grant": bad, "auth_code": code}))
        assert (answer["code"], answer["msg"]) == (303, "授权链接无效或已过期，请重新生成")
    # WeChat refusing the code passes through as its errcode
    answer = body(api.client.get(CALLBACK, query_string={"grant": grant, "auth_code": "queryauthcode@@@bad"}))
    assert answer["code"] == 61009
    assert body(api.client.get(CALLBACK, query_string={"grant": grant}))["code"] == 303
    db.session.rollback()
    row = db.session.scalar(db.select(MiniProgramApp).filter_by(company_id=company.id))
    assert (row.authorized, row.refresh_token) == (False, None)


def test_an_official_account_is_not_a_mini_program(api, make, platform):
    platform.driver.add_authorizer(GZH_APPID, "official")
    admin = make.admin()
    named(api, admin, GZH_APPID)
    url = body(api.as_(admin).post(GRANT))["data"]
    grant = query_of(query_of(url)["redirect_uri"])["grant"]
    answer = body(
        api.client.get(CALLBACK, query_string={"grant": grant, "auth_code": platform.driver.authorize(GZH_APPID)})
    )
    assert (answer["code"], answer["msg"]) == (303, "授权的帐号不是小程序，请用小程序授权")


def test_an_expired_grant(api, make, platform, app):
    platform.driver.add_authorizer(XCX_APPID, "miniprogram")
    admin = make.admin()
    named(api, admin)
    url = body(api.as_(admin).post(GRANT))["data"]
    app.config["OPEN_PLATFORM_GRANT_TTL"] = -1
    try:
        redirect = platform.driver.confirm_grant(url, XCX_APPID)
        answer = body(api.client.get(redirect["path"], query_string=redirect["query"]))
    finally:
        app.config["OPEN_PLATFORM_GRANT_TTL"] = 1800
    assert (answer["code"], answer["msg"]) == (303, "授权链接无效或已过期，请重新生成")
