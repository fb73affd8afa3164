"""Batch code release run by a real `python worker.py` on Redis (the MariaDB + Redis run): the endpoints answer
at once with a job id, the worker records one outcome per app, retries a busy WeChat, and the cron poll's job
records the audit result."""

import json

from app.models.jobs import FINISHED
from app.tasks.open_platform import poll_audits_cron
from tests.conftest import body
from tests.fixtures.wechat import COMPONENT_CONFIG, XCX_APPID, XCX_APPID_2, wait_for_job
from tests.open_platform.test_lifecycle import listed

DAI = "/zhugeleida/admin/dai_xcx"


def start(api, root, endpoint: str, app_ids: list[int], **form) -> str:
    answer = body(api.as_(root).post(f"{DAI}/{endpoint}", {"app_ids_list": json.dumps(app_ids), **form}))
    assert answer["code"] == 200, answer
    return answer["data"]["job_id"]


def outcomes(job) -> dict:
    return {o["id"]: (o["outcome"], o["status"]) for o in job.result["apps"]}


def test_the_worker_uploads_submits_and_polls(api, make, platform, worker_process, app):
    _company, _admin, a = platform.authorized_xcx(make, XCX_APPID)
    _company, _admin, b = platform.authorized_xcx(make, XCX_APPID_2)
    root = make.superadmin()
    worker = worker_process(STATICS_DIR=app.config["STATICS_DIR"], **COMPONENT_CONFIG)
    platform.driver.fail_app(XCX_APPID_2, "wxa/commit", -1)  # WeChat busy once: the job retries that app only
    upload = start(api, root, "upload_code", [a.id, b.id], user_version="v1", template_id=1, user_desc="d")
    job = wait_for_job(upload)
    assert (job.status, job.attempts) == (FINISHED, 2), worker.log()
    assert outcomes(job) == {a.id: ("ok", 1), b.id: ("ok", 1)}
    assert len([c for c in platform.driver.calls() if c["path"].endswith("wxa/commit")]) == 3  # a once, b twice
    job = wait_for_job(start(api, root, "submit_audit", [a.id, b.id]))
    assert outcomes(job) == {a.id: ("ok", 4), b.id: ("ok", 4)}, worker.log()
    platform.driver.decide_audit(XCX_APPID, 0)
    platform.driver.decide_audit(XCX_APPID_2, 1, "不符合规范")
    job = wait_for_job(poll_audits_cron())
    assert job.status == FINISHED and outcomes(job) == {a.id: ("ok", 5), b.id: ("ok", 6)}, worker.log()
    rows = listed(api, root)
    assert (rows[a.id]["status_text"], rows[b.id]["reason"]) == ("审核通过", "不符合规范")
    assert COMPONENT_CONFIG["COMPONENT_APPSECRET"] not in worker.log()
