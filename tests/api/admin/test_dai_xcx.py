"""12.2–12.8 代小程序: the template library and the batch endpoints' input, roles and job ids. (What the jobs
do to each app is walked through in tests/open_platform/test_lifecycle.py.)"""

import json

from app.extensions import db
from app.models.admin import AccessRule, Role
from app.models.jobs import Job
from tests.conftest import body

BASE = "/zhugeleida/admin/dai_xcx"
BATCHES = ("upload_code", "submit_audit", "undocode_audit", "relase_code", "revert_code_release")
UPLOAD = {"user_version": "v1.1", "template_id": "5", "user_desc": "描述"}


def jobs() -> int:
    db.session.rollback()
    return db.session.scalar(db.select(db.func.count()).select_from(Job))


def test_template_list(api, make, platform, sandbox):
    root = make.superadmin()
    answer = body(api.as_(root).get(f"{BASE}/template_list"))
    assert (answer["code"], answer["msg"]) == (200, "获取成功")
    templates = answer["data"]["template_list"]
    assert [t["template_id"] for t in templates] == [1, 5]
    for key in (
        "create_time",
        "user_version",
        "user_desc",
        "source_miniprogram_appid",
        "source_miniprogram",
        "developer",
    ):
        assert key in templates[0]
    sandbox.fail_next("wxa/gettemplatelist", errcode=85064, errmsg="template not found")
    assert body(api.as_(root).get(f"{BASE}/template_list"))["code"] == 85064


def test_batches_answer_a_job_id(api, make, platform):
    _company, _admin, app = platform.authorized_xcx(make)
    root = make.superadmin()
    for endpoint in BATCHES:
        form = {"app_ids_list": json.dumps([app.id]), **(UPLOAD if endpoint == "upload_code" else {})}
        answer = body(api.as_(root).post(f"{BASE}/{endpoint}", form))
        assert answer["code"] == 200 and len(answer["data"]["job_id"]) == 32, (endpoint, answer)
    answer = body(api.as_(root).post(f"{BASE}/submit_audit", json={"app_ids_list": [app.id, app.id]}))
    job = db.session.get(Job, answer["data"]["job_id"])
    assert job.args == {"app_ids": [app.id]} and job.company_id is None and job.created_by_id == root.id
    answer = body(api.as_(root).get(f"{BASE}/get_latest_audit_status"))
    assert (answer["code"], answer["msg"]) == (200, "查询最新一次提交的审核状态-任务已提交")


def test_batch_input_is_checked_before_any_job(api, make, platform):
    _company, _admin, app = platform.authorized_xcx(make)
    root = make.superadmin()
    before = jobs()
    for endpoint in BATCHES:
        extra = UPLOAD if endpoint == "upload_code" else {}
        assert body(api.as_(root).post(f"{BASE}/{endpoint}", extra))["code"] == 303
        assert body(api.as_(root).post(f"{BASE}/{endpoint}", {"app_ids_list": "[1,", **extra}))["code"] == 301
        assert body(api.as_(root).post(f"{BASE}/{endpoint}", {"app_ids_list": "[]", **extra}))["code"] == 303
        assert body(api.as_(root).post(f"{BASE}/{endpoint}", {"app_ids_list": '["a"]', **extra}))["code"] == 301
        missing = body(api.as_(root).post(f"{BASE}/{endpoint}", {"app_ids_list": json.dumps([app.id, 9999]), **extra}))
        assert (missing["code"], missing["msg"]) == (302, "小程序 9999 ID不存在")
    ids = json.dumps([app.id])
    for field in UPLOAD:
        form = {"app_ids_list": ids, **{k: v for k, v in UPLOAD.items() if k != field}}
        assert body(api.as_(root).post(f"{BASE}/upload_code", form))["code"] == 303, field
    assert (
        body(api.as_(root).post(f"{BASE}/upload_code", {"app_ids_list": ids, **UPLOAD, "template_id": "-1"}))["code"]
        == 303
    )
    assert (
        body(api.as_(root).post(f"{BASE}/upload_code", {"app_ids_list": ids, **UPLOAD, "template_id": "x"}))["code"]
        == 301
    )
    assert (
        body(api.as_(root).post(f"{BASE}/upload_code", {"app_ids_list": ids, **UPLOAD, "user_version": "v" * 65}))[
            "code"
        ]
        == 303
    )
    assert jobs() == before


def test_not_configured_refuses_before_any_job(api, make, platform, app):
    _company, _admin, xcx = platform.authorized_xcx(make)
    root = make.superadmin()
    before = jobs()
    app.config["COMPONENT_APPSECRET"] = ""
    answer = body(api.as_(root).post(f"{BASE}/submit_audit", {"app_ids_list": json.dumps([xcx.id])}))
    assert answer["code"] == 500 and "COMPONENT_APPID" in answer["msg"]
    assert jobs() == before


def test_role_1_only_even_with_the_rule(api, make, platform):
    admin = make.admin()
    assert body(api.as_(admin).get(f"{BASE}/template_list"))["code"] == 403
    role = db.session.get(Role, admin.role_id)
    role.rules.append(db.session.scalar(db.select(AccessRule).filter_by(url_path="dai_xcx")))
    db.session.commit()
    for endpoint in BATCHES:
        assert body(api.as_(admin).post(f"{BASE}/{endpoint}", {"app_ids_list": "[1]"}))["code"] == 403
    answer = body(api.as_(admin).get(f"{BASE}/get_latest_audit_status"))
    assert (answer["code"], answer["msg"]) == (403, "仅超级管理员可进行此操作")
