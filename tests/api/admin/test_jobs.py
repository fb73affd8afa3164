"""GET /zhugeleida/admin/jobs/<job_id>: status, progress, result and error of a background job."""

import re

from app.extensions import db
from app.models.jobs import FAILED, Job
from app.services.companies import start_sync
from tests.conftest import body
from tests.fixtures.wechat import CONTACTS_SECRET, wait_for_job

URL = "/zhugeleida/admin/jobs/{}"
DATETIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")


def test_a_finished_job(api, make, linked_company):
    job_id = wait_for_job(start_sync(linked_company).job.id).id
    payload = body(api.as_(make.admin(linked_company)).get(URL.format(job_id)))
    assert payload["code"] == 200
    data = payload["data"]
    assert set(data) == {
        "job_id", "kind", "company_id", "status", "progress", "stage", "result", "error", "attempts",
        "create_date", "started_at", "finished_at",
    }  # fmt: skip
    assert (data["job_id"], data["kind"], data["company_id"]) == (job_id, "wechat_work.sync", linked_company.id)
    assert (data["status"], data["progress"], data["stage"], data["error"], data["attempts"]) == (
        "finished", 100, "完成", None, 1
    )  # fmt: skip
    assert (
        data["result"]["members"]["created"] == 20 and data["result"]["wechat_calls"] == 2 + 1 + 5
    )  # + one user/list per department
    assert all(DATETIME.match(data[key]) for key in ("create_date", "started_at", "finished_at"))
    assert CONTACTS_SECRET not in str(payload)


def test_a_failed_job_says_why(api, make, linked_company, sandbox):
    sandbox.fail_next("department/list", errcode=60011)
    job_id = wait_for_job(start_sync(linked_company).job.id).id
    data = body(api.as_(make.admin(linked_company)).get(URL.format(job_id)))["data"]
    assert data["status"] == FAILED and data["result"] is None
    assert data["error"]["code"] == 60011 and data["error"]["msg"].startswith("no privilege")


def test_a_queued_job(api, make, linked_company, redis_jobs):
    job_id = start_sync(linked_company).job.id
    data = body(api.as_(make.admin(linked_company)).get(URL.format(job_id)))["data"]
    assert (data["status"], data["progress"], data["started_at"]) == ("queued", 0, None)


def test_unknown_and_malformed_ids_answer_302(api, make):
    client = api.as_(make.admin())
    assert body(client.get(URL.format("0" * 32)))["code"] == 302
    assert body(client.get(URL.format("x" * 200)))["code"] == 302


def test_another_companys_job_answers_302(api, make, linked_company):
    job_id = start_sync(linked_company).job.id
    payload = body(api.as_(make.admin()).get(URL.format(job_id)))
    assert payload["code"] == 302 and payload["data"] == {}


def test_platform_jobs_are_the_superadmins(api, make):
    job = Job(id="b" * 32, kind="wechat_work.sync", company_id=None, args={})
    db.session.add(job)
    db.session.commit()
    assert body(api.as_(make.admin()).get(URL.format(job.id)))["code"] == 302
    assert body(api.as_(make.superadmin()).get(URL.format(job.id)))["data"]["status"] == "queued"


def test_every_role_of_the_company_may_look(api, make, linked_company):
    job_id = start_sync(linked_company).job.id
    assert body(api.as_(make.member(linked_company)).get(URL.format(job_id)))["code"] == 200
    assert body(api.as_(make.superadmin()).get(URL.format(job_id)))["code"] == 200


def test_unsigned_requests_are_refused(api, linked_company):
    job_id = start_sync(linked_company).job.id
    assert body(api.get(URL.format(job_id)))["code"] == 400
