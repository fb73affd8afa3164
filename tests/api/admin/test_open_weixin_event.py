"""POST /zhugeleida/open_weixin/event — the 授权事件接收URL: ticket, authorized, updateauthorized, unauthorized."""

import time

from app.extensions import db
from app.models.jobs import Job
from app.models.open_platform import MiniProgramApp, OfficialAccountApp
from app.wechat.component import ComponentClient
from tests.conftest import body
from tests.fixtures.wechat import EVENT_URL, GZH_APPID, XCX_APPID, wait_for_jobs


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
    wait_for_jobs()  # the exchange of the code
    app = row(MiniProgramApp, admin.company_id)
    assert (app.authorized, app.name) == (True, "推送来的小程序") and app.refresh_token.startswith("refreshtoken@@@")
    platform.driver.update_authorizer(XCX_APPID, func_info=[17, 18])
    assert platform.deliver(platform.driver.push("updateauthorized", XCX_APPID)).get_data(as_text=True) == "success"
    wait_for_jobs()
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


def stored_ticket():
    db.session.rollback()
    return ComponentClient().component_verify_ticket


def test_an_old_ticket_push_replayed_is_refused(platform):
    """A push whose timestamp is more than 5 minutes off is refused; the ticket stays."""
    current = stored_ticket()
    old = platform.driver.push("component_verify_ticket", at=int(time.time()) - 3600)
    answer = body(platform.deliver(old))
    assert (answer["code"], answer["msg"]) == (400, "微信推送的时间戳与当前时间相差超过5分钟")
    ahead = platform.driver.push("component_verify_ticket", at=int(time.time()) + 600)
    assert body(platform.deliver(ahead))["code"] == 400
    assert stored_ticket() == current


def test_a_push_received_twice_is_handled_once_and_an_older_ticket_never_wins(platform):
    earlier = platform.driver.push("component_verify_ticket", at=int(time.time()) - 120)
    newer = platform.driver.push("component_verify_ticket")
    assert platform.deliver(newer).get_data(as_text=True) == "success"
    newest = stored_ticket()
    assert platform.deliver(newer).get_data(as_text=True) == "success"  # its nonce was seen: acknowledged only
    assert platform.deliver(earlier).get_data(as_text=True) == "success"  # fresh nonce, but older than the stored
    assert stored_ticket() == newest


def test_authorized_push_after_the_callback_used_its_code_answers_success(api, make, platform):
    """WeChat sends the same auth_code in the browser redirect and in the `authorized` push: once the callback
    recorded the authorization, the push is plain `success` and WeChat is not asked again."""
    platform.driver.add_authorizer(XCX_APPID, "miniprogram")
    admin = make.admin()
    assert platform.grant(admin, XCX_APPID)["code"] == 200
    platform.driver.clear_calls()
    response = platform.deliver(platform.driver.push("authorized", XCX_APPID))
    assert response.status_code == 200 and response.get_data(as_text=True) == "success"
    assert [c for c in platform.driver.calls() if "/api/" in c["path"]] == []
    assert db.session.scalar(db.select(db.func.count()).select_from(Job)) == 0
    assert row(MiniProgramApp, admin.company_id).authorized is True


def test_authorized_push_makes_no_wechat_call_in_the_request(api, make, platform, redis_jobs):
    """WeChat waits about 5 s for the answer: the exchange of the code is a job, queued here."""
    platform.driver.add_authorizer(XCX_APPID, "miniprogram")
    admin = make.admin()
    api.as_(admin).post("/zhugeleida/admin/xcx_auth_process/update/app_id", data={"authorization_appid": XCX_APPID})
    platform.driver.authorize(XCX_APPID)
    platform.driver.clear_calls()
    assert platform.deliver(platform.driver.push("authorized", XCX_APPID)).get_data(as_text=True) == "success"
    assert [c for c in platform.driver.calls() if "/api/" in c["path"]] == []
    job = db.session.scalar(db.select(Job))
    assert (job.kind, job.status, job.company_id) == ("open_platform.authorized", "queued", admin.company_id)
    assert "auth_code" not in str(body(api.as_(admin).get(f"/zhugeleida/admin/jobs/{job.id}")))


def test_authorized_push_answers_before_a_slow_wechat(api, make, platform):
    """Without Redis too: the code is exchanged on a job thread, after the answer."""
    platform.driver.add_authorizer(XCX_APPID, "miniprogram")
    admin = make.admin()
    api.as_(admin).post("/zhugeleida/admin/xcx_auth_process/update/app_id", data={"authorization_appid": XCX_APPID})
    platform.driver.authorize(XCX_APPID)
    platform.driver.fail_next("api_query_auth", delay=4)
    push = platform.driver.push("authorized", XCX_APPID)
    began = time.monotonic()
    assert platform.deliver(push).get_data(as_text=True) == "success"
    assert time.monotonic() - began < 2.5  # WeChat waits about 5 s; here WeChat alone takes 4
    [job] = wait_for_jobs()
    assert (job.kind, job.status, job.result["outcome"]) == ("open_platform.authorized", "finished", "recorded")
    assert row(MiniProgramApp, admin.company_id).authorized is True
