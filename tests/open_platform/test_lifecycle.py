"""The whole life of mini-programs against the sandbox over HTTP: ticket push → grant URL →
authorization callback → upload (two apps, one failing) → submit → poll (pass and reject) → release → revert →
undo, with the 12.1 list showing the right status, time and reason at each step."""

import json
from datetime import datetime, timedelta
from pathlib import Path

from app.models.open_platform import CodeReleaseEvent
from app.timefmt import to_local, utcnow
from tests.conftest import body
from tests.fixtures.wechat import MESSAGE_URL, XCX_APPID, XCX_APPID_2, wait_for_job

DAI = "/zhugeleida/admin/dai_xcx"


def batch(api, root, endpoint: str, app_ids: list[int], **form) -> dict:
    """Start a 12.x batch and read its job: one outcome per app, by app id."""
    answer = body(api.as_(root).post(f"{DAI}/{endpoint}", {"app_ids_list": json.dumps(app_ids), **form}))
    assert answer["code"] == 200, answer
    wait_for_job(answer["data"]["job_id"])
    job = body(api.as_(root).get(f"/zhugeleida/admin/jobs/{answer['data']['job_id']}"))["data"]
    assert job["status"] == "finished", job
    assert job["result"]["total"] == len(app_ids) and len(job["result"]["apps"]) == len(app_ids)
    return {o["id"]: o for o in job["result"]["apps"]}


def poll(api, root) -> dict:
    answer = body(api.as_(root).get(f"{DAI}/get_latest_audit_status"))
    assert answer["code"] == 200, answer
    wait_for_job(answer["data"]["job_id"])
    job = body(api.as_(root).get(f"/zhugeleida/admin/jobs/{answer['data']['job_id']}"))["data"]
    assert job["status"] == "finished", job
    return {o["id"]: o for o in job["result"]["apps"]}


def listed(api, root) -> dict:
    answer = body(api.as_(root).get("/zhugeleida/admin/xcx_app"))
    assert answer["code"] == 200
    return {item["id"]: item for item in answer["data"]["ret_data"]}


def assert_state(item: dict, status: int, text: str, reason: str = "") -> None:
    assert (item["status"], item["status_text"]) == (status, text), item
    assert reason in item["reason"] if reason else item["reason"] == "", item
    when = datetime.strptime(item["status_time"], "%Y-%m-%d %H:%M")
    now = to_local(utcnow()).replace(tzinfo=None)
    assert now - timedelta(minutes=2) <= when <= now, item["status_time"]


def test_the_life_of_two_mini_programs(api, make, platform, app):
    a_company, a_admin, a = platform.authorized_xcx(make, XCX_APPID)
    _b_company, _b_admin, b = platform.authorized_xcx(make, XCX_APPID_2)
    root = make.superadmin()
    rows = listed(api, root)
    assert rows[a.id]["status"] == rows[b.id]["status"] == 0 and rows[a.id]["status_text"] == "未上线过"
    assert rows[a.id]["status_time"] is None and rows[a.id]["company_name"] == a_company.name
    assert rows[a.id]["belong_user"] == a_admin.username

    # upload: B's commit is refused by WeChat, A's goes through with its experience QR code
    platform.driver.fail_app(XCX_APPID_2, "wxa/commit", 85013)
    outcomes = batch(api, root, "upload_code", [a.id, b.id], user_version="v1.0.1", template_id=1, user_desc="首发")
    assert outcomes[a.id]["outcome"] == "ok" and outcomes[b.id]["outcome"] == "failed"
    assert outcomes[b.id]["code"] == 85013 and "invalid custom config" in outcomes[b.id]["msg"]
    rows = listed(api, root)
    assert_state(rows[a.id], 1, "代码上传成功")
    assert_state(rows[b.id], 2, "代码上传失败", "85013")
    assert rows[a.id]["version_num"] == "v1.0.1" and rows[a.id]["template_id"] == 1
    assert Path(app.config["STATICS_DIR"], rows[a.id]["experience_qrcode"].removeprefix("statics/")).is_file()
    committed = platform.driver.authorizer(XCX_APPID)["committed"]
    assert json.loads(committed["ext_json"])["ext"] == {"company_id": a_company.id, "user_version": "v1.0.1"}

    # submit: A goes to audit, B is refused by its state (nothing uploaded) — both reported
    outcomes = batch(api, root, "submit_audit", [a.id, b.id])
    assert outcomes[a.id]["outcome"] == "ok" and outcomes[a.id]["status"] == 4
    assert outcomes[b.id]["outcome"] == "refused" and "代码上传失败" in outcomes[b.id]["msg"]
    assert platform.driver.authorizer(XCX_APPID_2)["audits"] == []
    outcomes = batch(api, root, "upload_code", [b.id], user_version="v1.0.2", template_id=5, user_desc="修复")
    outcomes = batch(api, root, "submit_audit", [b.id])
    rows = listed(api, root)
    assert_state(rows[a.id], 4, "审核中")
    assert_state(rows[b.id], 4, "审核中")

    # poll: WeChat approves A and rejects B
    platform.driver.decide_audit(XCX_APPID, 0)
    platform.driver.decide_audit(XCX_APPID_2, 1, "1:小程序内容不符合规则:<br>(1):小程序核心功能点击后一直加载中")
    outcomes = poll(api, root)
    assert set(outcomes) == {a.id, b.id} and all(o["outcome"] == "ok" for o in outcomes.values())
    rows = listed(api, root)
    assert_state(rows[a.id], 5, "审核通过")
    assert_state(rows[b.id], 6, "审核未通过", "小程序核心功能点击后一直加载中")
    assert poll(api, root) == {}  # nothing left in audit

    # release: A goes online, B (rejected) is refused
    outcomes = batch(api, root, "relase_code", [a.id, b.id])
    assert outcomes[a.id]["outcome"] == "ok" and outcomes[b.id]["outcome"] == "refused"
    rows = listed(api, root)
    assert_state(rows[a.id], 7, "上线成功")
    assert_state(rows[b.id], 6, "审核未通过", "小程序核心功能点击后一直加载中")
    details = body(api.as_(a_admin).get("/zhugeleida/admin/xcx_auth_process"))["data"]["ret_data"]
    assert details["version_num"] == "v1.0.1" and details["release_time"] and details["stay_version_num"] is None

    # revert with a single version online: WeChat says 87012, the app says 版本回退失败
    outcomes = batch(api, root, "revert_code_release", [a.id])
    assert outcomes[a.id]["outcome"] == "failed" and outcomes[a.id]["code"] == 87012
    assert_state(listed(api, root)[a.id], 12, "版本回退失败", "87012")

    # v2 through audit (the push says it passed) and online, then reverted to v1
    batch(api, root, "upload_code", [a.id], user_version="v1.0.5", template_id=5, user_desc="第二版")
    batch(api, root, "submit_audit", [a.id])
    details = body(api.as_(a_admin).get("/zhugeleida/admin/xcx_auth_process"))["data"]["ret_data"]
    assert details["stay_version_num"] == "v1.0.5" and details["stay_audit_time"]
    push = platform.driver.decide_audit(XCX_APPID, 0)
    assert platform.deliver(push, MESSAGE_URL.format(appid=XCX_APPID)).get_data(as_text=True) == "success"
    assert_state(listed(api, root)[a.id], 5, "审核通过")
    batch(api, root, "relase_code", [a.id])
    assert platform.driver.authorizer(XCX_APPID)["versions"][-1]["user_version"] == "v1.0.5"
    outcomes = batch(api, root, "revert_code_release", [a.id])
    assert outcomes[a.id]["outcome"] == "ok"
    rows = listed(api, root)
    assert_state(rows[a.id], 11, "版本回退成功")
    details = body(api.as_(a_admin).get("/zhugeleida/admin/xcx_auth_process"))["data"]["ret_data"]
    assert details["version_num"] == "v1.0.1"  # online again
    assert batch(api, root, "revert_code_release", [a.id])[a.id]["outcome"] == "refused"  # only one step back

    # undo: B's next version is withdrawn from audit; a second undo is refused by its state
    batch(api, root, "upload_code", [b.id], user_version="v1.0.3", template_id=5, user_desc="再提交")
    batch(api, root, "submit_audit", [b.id])
    outcomes = batch(api, root, "undocode_audit", [b.id])
    assert outcomes[b.id]["outcome"] == "ok"
    assert platform.driver.authorizer(XCX_APPID_2)["audits"][-1]["status"] == 3
    assert_state(listed(api, root)[b.id], 9, "审核撤回成功")
    assert batch(api, root, "undocode_audit", [b.id])[b.id]["outcome"] == "refused"
    assert batch(api, root, "submit_audit", [b.id])[b.id]["outcome"] == "refused"  # upload again first

    # every step is in the per-app history
    events = CodeReleaseEvent.query.filter_by(app_id=a.id).order_by(CodeReleaseEvent.id).all()
    assert [(e.action, e.source, e.status) for e in events] == [
        ("upload", "job", 1),
        ("submit", "job", 4),
        ("audit", "job", 5),  # recorded by the poll…
        ("poll", "job", 5),
        ("release", "job", 7),
        ("revert", "job", 12),
        ("upload", "job", 1),
        ("submit", "job", 4),
        ("audit", "push", 5),  # …or by the push
        ("release", "job", 7),
        ("revert", "job", 11),
        ("revert", "job", None),  # refused: nothing changed
    ]
    assert events[5].errcode == 87012 and events[-1].reason == "当前状态【版本回退成功】不能版本回退"


def test_undo_quota_is_undo_failed_and_the_audit_goes_on(api, make, platform):
    """87013 after five undos a day: 审核撤回失败, and the audit is still polled to its result."""
    _company, _admin, a = platform.authorized_xcx(make)
    root = make.superadmin()
    for n in range(5):
        batch(api, root, "upload_code", [a.id], user_version=f"v{n}", template_id=1, user_desc="d")
        batch(api, root, "submit_audit", [a.id])
        assert batch(api, root, "undocode_audit", [a.id])[a.id]["outcome"] == "ok"
    batch(api, root, "upload_code", [a.id], user_version="v6", template_id=1, user_desc="d")
    batch(api, root, "submit_audit", [a.id])
    outcome = batch(api, root, "undocode_audit", [a.id])[a.id]
    assert (outcome["outcome"], outcome["code"], outcome["status"]) == ("failed", 87013, 10)
    assert_state(listed(api, root)[a.id], 10, "审核撤回失败", "87013")
    platform.driver.decide_audit(XCX_APPID, 0)
    assert poll(api, root)[a.id]["status"] == 5
