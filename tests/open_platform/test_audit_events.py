"""Audit results arrive twice — WeChat's weapp_audit_* push and our poll — and are recorded once; delays,
auto-release, the cron poll, and accounts that cancel their authorization."""

import json
import secrets
import time

import xmltodict
from wechatpy.crypto import WeChatCrypto

from app.extensions import db
from app.models.open_platform import CodeReleaseEvent, MiniProgramApp
from app.services import code_release
from app.tasks.open_platform import poll_audits_cron
from tests.conftest import body
from tests.fixtures.wechat import (
    COMPONENT_CONFIG,
    EVENT_URL,
    MESSAGE_URL,
    XCX_APPID,
    XCX_APPID_2,
    wait_for_job,
    wait_for_jobs,
)
from tests.open_platform.test_lifecycle import batch, listed, poll

PUSH_URL = MESSAGE_URL.format(appid=XCX_APPID)


def in_audit(api, make, platform, appid=XCX_APPID, **authorizer):
    _company, admin, app = platform.authorized_xcx(make, appid, **authorizer)
    root = make.superadmin()
    batch(api, root, "upload_code", [app.id], user_version="v2.0", template_id=1, user_desc="d")
    batch(api, root, "submit_audit", [app.id])
    return admin, root, app


def audit_events(app_id: int) -> list[CodeReleaseEvent]:
    db.session.rollback()
    return CodeReleaseEvent.query.filter_by(app_id=app_id, action="audit").all()


def test_push_then_poll_records_once(api, make, platform):
    _admin, root, app = in_audit(api, make, platform)
    push = platform.driver.decide_audit(XCX_APPID, 1, "名称不符合规范")
    assert platform.deliver(push, PUSH_URL).get_data(as_text=True) == "success"
    assert platform.deliver(push, PUSH_URL).get_data(as_text=True) == "success"  # WeChat retries: no second record
    assert poll(api, root) == {}  # nothing in audit any more
    events = audit_events(app.id)
    assert [(e.source, e.status, e.reason) for e in events] == [("push", 6, "名称不符合规范")]
    item = listed(api, root)[app.id]
    assert (item["status"], item["reason"]) == (6, "名称不符合规范")


def test_poll_then_push_records_once(api, make, platform):
    _admin, root, app = in_audit(api, make, platform)
    push = platform.driver.decide_audit(XCX_APPID, 0)
    assert poll(api, root)[app.id]["status"] == 5
    assert platform.deliver(push, PUSH_URL).get_data(as_text=True) == "success"
    assert [(e.source, e.status) for e in audit_events(app.id)] == [("job", 5)]


def test_the_same_result_recorded_twice_counts_once(api, make, platform):
    """Two recorders racing on one audit: the conditional UPDATE lets exactly one of them through."""
    _admin, _root, app = in_audit(api, make, platform)
    release = code_release.latest_release(app.id)
    assert code_release.record_audit_result(release, 0, "", "poll") is True
    assert code_release.record_audit_result(release, 1, "迟到的结果", "push") is False
    db.session.commit()
    assert (release.status, release.audit_status) == (5, 0) and len(audit_events(app.id)) == 1


def test_a_delay_keeps_the_audit_open_with_its_reason(api, make, platform):
    _admin, root, app = in_audit(api, make, platform)
    platform.deliver(platform.driver.decide_audit(XCX_APPID, 4, "需要进一步核实"), PUSH_URL)
    item = listed(api, root)[app.id]
    assert (item["status"], item["reason"]) == (4, "审核延后: 需要进一步核实")
    assert audit_events(app.id) == []
    platform.deliver(platform.driver.decide_audit(XCX_APPID, 0), PUSH_URL)
    assert listed(api, root)[app.id]["status"] == 5


def wechat_push(fields: dict, outer: dict, token: str = COMPONENT_CONFIG["COMPONENT_TOKEN"]) -> dict:
    """A push encrypted as WeChat does (docs/wechat.md), built here rather than by the sandbox, sent now."""
    config = COMPONENT_CONFIG
    crypto = WeChatCrypto(token, config["COMPONENT_AES_KEY"], config["COMPONENT_APPID"])
    xml = "<xml>" + "".join(f"<{k}><![CDATA[{v}]]></{k}>" for k, v in fields.items()) + "</xml>"
    timestamp, nonce = str(int(time.time())), str(secrets.randbelow(10**9))
    reply = xmltodict.parse(crypto.encrypt_message(xml, nonce, timestamp))["xml"]
    query = {
        "timestamp": timestamp,
        "nonce": nonce,
        "encrypt_type": "aes",
        "msg_signature": reply["MsgSignature"],
    }
    body_xml = "<xml>" + "".join(
        f"<{k}><![CDATA[{v}]]></{k}>" for k, v in {**outer, "Encrypt": reply["Encrypt"]}.items()
    )
    return {"query": query, "body": body_xml + "</xml>"}


def test_an_audit_push_for_an_account_no_company_named_is_ignored(api, make, platform):
    _admin, _root, app = in_audit(api, make, platform)
    fields = {"ToUserName": "gh_000000000000", "MsgType": "event", "Event": "weapp_audit_success", "SuccTime": "1"}
    push = wechat_push(fields, {"ToUserName": "gh_000000000000"})
    assert platform.deliver(push, MESSAGE_URL.format(appid="wxffffffffffff0000")).get_data(as_text=True) == "success"
    assert audit_events(app.id) == [] and code_release.latest_release(app.id).status == 4


def test_a_forged_or_broken_push_is_refused(api, make, platform):
    _admin, _root, app = in_audit(api, make, platform)
    fields = {"ToUserName": app.original_id, "MsgType": "event", "Event": "weapp_audit_success"}
    forged = wechat_push(fields, {"ToUserName": app.original_id}, token="not-our-token")
    broken = {"query": forged["query"], "body": "<xml><Encrypt>not base64</Encrypt></xml>"}
    for push in (forged, broken, {"query": {}, "body": ""}, {"query": forged["query"], "body": "<xml"}):
        answer = body(platform.deliver(push, PUSH_URL))
        assert (answer["code"], answer["msg"]) == (400, "微信推送消息校验或解密失败")
    assert audit_events(app.id) == [] and code_release.latest_release(app.id).status == 4


def test_auto_release_after_a_pushed_pass(api, make, platform):
    admin, root, app = in_audit(api, make, platform)
    form = {
        "name": "诸葛雷达",
        "head_img": "statics/x.jpg",
        "introduce": "名片",
        "service_category": "工具",
        "auto_release": "1",
    }
    assert body(api.as_(admin).post("/zhugeleida/admin/xcx_auth_process/update/info", form))["code"] == 200
    platform.deliver(platform.driver.decide_audit(XCX_APPID, 0), PUSH_URL)
    wait_for_jobs()  # the auto-release
    assert listed(api, root)[app.id]["status"] == 7
    assert platform.driver.authorizer(XCX_APPID)["versions"][-1]["user_version"] == "v2.0"
    release = CodeReleaseEvent.query.filter_by(app_id=app.id, action="release").one()
    assert release.source == "auto"


def test_auto_release_after_a_polled_pass(api, make, platform):
    _admin, root, app = in_audit(api, make, platform)
    db.session.get(MiniProgramApp, app.id).auto_release = True
    db.session.commit()
    platform.driver.decide_audit(XCX_APPID, 0)
    outcome = poll(api, root)[app.id]
    assert outcome["status"] == 5 and outcome["auto_release"]["status"] == 7
    assert listed(api, root)[app.id]["status"] == 7


def test_the_cron_poll_records_what_wechat_decided(api, make, platform, app):
    _admin, _root, audited = in_audit(api, make, platform)
    platform.driver.decide_audit(XCX_APPID, 1, "类目不符")
    job_id = poll_audits_cron()
    job = wait_for_job(job_id)
    assert (job.kind, job.status, job.result["apps"][0]["status"]) == ("code_release.poll_audit", "finished", 6)
    assert CodeReleaseEvent.query.filter_by(app_id=audited.id, action="audit").one().source == "poll"
    assert poll_audits_cron() is None  # nothing in audit: no job at all


def test_unauthorized_push_marks_the_app_and_batches_refuse_it(api, make, platform, app):
    _admin, root, audited = in_audit(api, make, platform)
    push = platform.driver.unauthorize(XCX_APPID)
    assert platform.deliver(push, EVENT_URL).get_data(as_text=True) == "success"
    db.session.rollback()
    row = db.session.get(MiniProgramApp, audited.id)
    assert (row.authorized, row.refresh_token) == (False, None) and row.unauthorized_at is not None
    assert listed(api, root) == {}
    outcome = batch(api, root, "undocode_audit", [audited.id])[audited.id]
    assert (outcome["outcome"], outcome["msg"]) == ("refused", "小程序未授权或已取消授权")
    assert body(api.as_(root).get("/zhugeleida/admin/dai_xcx/get_latest_audit_status"))["code"] == 200
    assert code_release.apps_in_audit() == []


def test_unauthorized_at_wechat_only_is_a_wechat_error_per_app(api, make, platform):
    """WeChat cancelled it but the push was lost: the app's call fails with 61003, the batch goes on."""
    _company, _admin, a = platform.authorized_xcx(make, XCX_APPID)
    _company, _admin, b = platform.authorized_xcx(make, XCX_APPID_2)
    root = make.superadmin()
    platform.driver.unauthorize(XCX_APPID)
    outcomes = batch(api, root, "upload_code", [a.id, b.id], user_version="v1", template_id=1, user_desc="d")
    assert (outcomes[a.id]["outcome"], outcomes[a.id]["code"], outcomes[a.id]["status"]) == ("failed", 61003, 2)
    assert outcomes[b.id]["outcome"] == "ok"
    assert json.loads(platform.driver.authorizer(XCX_APPID_2)["committed"]["ext_json"])["extAppid"] == XCX_APPID_2


def test_an_audit_push_posted_to_another_apps_url_changes_nothing(api, make, platform):
    """The message's app (ToUserName) and the URL's appid must name the same mini-program."""
    _admin, _root, a = in_audit(api, make, platform)
    _admin_b, _root_b, b = in_audit(api, make, platform, XCX_APPID_2)
    fields = {"ToUserName": b.original_id, "MsgType": "event", "Event": "weapp_audit_fail", "Reason": "名称不符合规范"}
    for_b = {"ToUserName": b.original_id}
    assert platform.deliver(wechat_push(fields, for_b), PUSH_URL).get_data(as_text=True) == "success"  # A's URL
    assert audit_events(a.id) == [] and audit_events(b.id) == []
    assert code_release.latest_release(a.id).status == 4 and code_release.latest_release(b.id).status == 4
    b_url = MESSAGE_URL.format(appid=XCX_APPID_2)
    assert platform.deliver(wechat_push(fields, for_b), b_url).get_data(as_text=True) == "success"
    assert [e.status for e in audit_events(b.id)] == [6] and audit_events(a.id) == []
