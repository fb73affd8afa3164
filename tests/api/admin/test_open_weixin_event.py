"""POST /zhugeleida/open_weixin/event — the 授权事件接收URL: ticket, authorized, updateauthorized, unauthorized."""

from app.extensions import db
from app.models.open_platform import MiniProgramApp, OfficialAccountApp
from app.wechat.component import ComponentClient
from tests.conftest import body
from tests.fixtures.wechat import EVENT_URL, GZH_APPID, XCX_APPID


def row(model, company_id):
    db.session.rollback()
    return db.session.scalar(db.select(model).filter_by(company_id=company_id))


def test_the_ticket_push_answers_success(platform):
    response = platform.deliver(platform.driver.push("component_verify_ticket"))
    assert response.status_code == 200 and response.get_data(as_text=True) == "success"
    db.session.rollback()
    assert ComponentClient().component_verify_ticket.startswith("ticket@@@")


def test_a_forged_push_is_refused_and_stores_nothing(platform, app):
    push = platform.driver.push("component_verify_ticket")
    db.session.rollback()
    before = ComponentClient().component_verify_ticket
    tampered = {"query": {**push["query"], "msg_signature": "0" * 40}, "body": push["body"]}
    for bad in (tampered, {"query": push["query"], "body": "not xml"}, {"query": {}, "body": push["body"]}):
        answer = body(platform.deliver(bad))
        assert (answer["code"], answer["msg"]) == (400, "微信推送消息校验或解密失败")
    db.session.rollback()
    assert ComponentClient().component_verify_ticket == before
    assert body(platform.api.client.get(EVENT_URL))["code"] == 402


def test_authorized_push_records_the_account_the_company_named(api, make, platform):
    platform.driver.add_authorizer(XCX_APPID, "miniprogram", nick_name="推送来的小程序")
    admin = make.admin()
    api.as_(admin).post("/zhugeleida/admin/xcx_auth_process/update/app_id", data={"authorization_appid": XCX_APPID})
    platform.driver.authorize(XCX_APPID)  # the admin confirmed, but the browser never came back to us
    assert platform.deliver(platform.driver.push("authorized", XCX_APPID)).get_data(as_text=True) == "success"
    app = row(MiniProgramApp, admin.company_id)
    assert (app.authorized, app.name) == (True, "推送来的小程序") and app.refresh_token.startswith("refreshtoken@@@")
    platform.driver.update_authorizer(XCX_APPID, func_info=[17, 18])
    assert platform.deliver(platform.driver.push("updateauthorized", XCX_APPID)).get_data(as_text=True) == "success"
    assert row(MiniProgramApp, admin.company_id).func_info == [17, 18]


def test_authorized_push_for_an_account_nobody_named_is_ignored(platform):
    platform.driver.add_authorizer(XCX_APPID, "miniprogram")
    platform.driver.authorize(XCX_APPID)
    assert platform.deliver(platform.driver.push("authorized", XCX_APPID)).get_data(as_text=True) == "success"
    assert db.session.scalar(db.select(db.func.count()).select_from(MiniProgramApp)) == 0


def test_unauthorized_push_marks_official_accounts_too(api, make, platform):
    platform.driver.add_authorizer(GZH_APPID, "official")
    admin = make.admin()
    assert platform.grant(admin, GZH_APPID, kind="gzh")["code"] == 200
    assert platform.deliver(platform.driver.unauthorize(GZH_APPID)).get_data(as_text=True) == "success"
    account = row(OfficialAccountApp, admin.company_id)
    assert (account.authorized, account.refresh_token) == (False, None) and account.unauthorized_at is not None
    answer = body(api.as_(admin).get("/zhugeleida/admin/gzh_auth_process"))
    assert answer["data"] == {"step": 2, "ret_data": {"authorization_appid": GZH_APPID}}
    # an unauthorized push for an account we never knew is just acknowledged
    platform.driver.add_authorizer(XCX_APPID, "miniprogram")
    assert platform.deliver(platform.driver.unauthorize(XCX_APPID)).get_data(as_text=True) == "success"
