"""5.7 POST /zhugeleida/admin/user/sync_user_tongxunlu/<company_id>: the address-book sync as a job."""

import time
from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models.jobs import STARTED, Job, JobLock
from app.models.radar import RadarUser
from app.services.wechat_work import sync_lock
from app.timefmt import utcnow
from tests.conftest import body
from tests.fixtures.wechat import wait_for_job

URL = "/zhugeleida/admin/user/sync_user_tongxunlu/{}"


def running_sync(company_id, started_ago=timedelta(seconds=5)) -> Job:
    """A sync some worker is running right now (as its row and lock say)."""
    job = Job(id="a" * 32, kind="wechat_work.sync", company_id=company_id, status=STARTED, args={})
    job.create_date = job.started_at = utcnow() - started_ago
    db.session.add_all([job, JobLock(key=sync_lock(company_id), job_id=job.id)])
    db.session.commit()
    return job


def test_sync_starts_a_job_and_the_users_show_in_1_4(api, make, linked_company):
    admin = make.admin(linked_company)
    client = api.as_(admin)
    payload = body(client.post(URL.format(linked_company.id)))
    assert payload["code"] == 200 and payload["msg"] == "同步任务已提交"
    job = wait_for_job(payload["data"]["job_id"])
    assert job.status == "finished" and job.created_by_id == admin.id
    status = body(client.get(f"/zhugeleida/admin/jobs/{job.id}"))["data"]
    assert status["progress"] == 100 and status["result"]["members"]["created"] == 20
    listed = body(client.get("/zhugeleida/admin/user", {"length": 100}))["data"]
    assert listed["data_count"] == 20
    assert {row["userid"] for row in listed["ret_data"]} == {f"user{n:05d}" for n in range(1, 21)}


def test_a_second_request_gets_the_running_job(api, make, linked_company):
    running = running_sync(linked_company.id)
    payload = body(api.as_(make.admin(linked_company)).post(URL.format(linked_company.id)))
    assert payload["code"] == 200 and payload["msg"] == "通讯录同步正在进行中"
    assert payload["data"]["job_id"] == running.id
    assert db.session.scalar(select(func.count()).select_from(Job)) == 1
    assert db.session.scalar(select(func.count()).select_from(RadarUser)) == 0


def test_a_dead_lock_holder_is_taken_over(api, make, linked_company):
    """A sync whose worker vanished long ago (longer than any attempt could take) does not block for ever."""
    dead = running_sync(linked_company.id, started_ago=timedelta(days=2))
    payload = body(api.as_(make.admin(linked_company)).post(URL.format(linked_company.id)))
    assert payload["msg"] == "同步任务已提交" and payload["data"]["job_id"] != dead.id
    db.session.expire_all()
    assert db.session.get(Job, dead.id).status == "failed"
    assert wait_for_job(payload["data"]["job_id"]).status == "finished"


def test_the_lock_holds_while_a_job_waits_in_redis(api, make, linked_company, redis_jobs):
    """No worker consumes this run's queues here: the first job stays queued and keeps the lock."""
    client = api.as_(make.admin(linked_company))
    first = body(client.post(URL.format(linked_company.id)))
    second = body(client.post(URL.format(linked_company.id)))
    assert first["msg"] == "同步任务已提交" and second["msg"] == "通讯录同步正在进行中"
    assert first["data"]["job_id"] == second["data"]["job_id"]
    assert db.session.get(Job, first["data"]["job_id"]).status == "queued"


def test_sync_needs_validated_credentials(api, make):
    admin = make.admin()
    payload = body(api.as_(admin).post(URL.format(admin.company_id)))
    assert (payload["code"], payload["msg"]) == (303, "请先添加并验证企业微信通讯录秘钥")
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0


def test_sync_of_another_company_answers_302(api, make, linked_company):
    intruder = make.admin()
    assert body(api.as_(intruder).post(URL.format(linked_company.id)))["code"] == 302
    assert body(api.as_(intruder).post(URL.format(99999)))["code"] == 302
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0


def test_superadmin_syncs_any_company_and_members_may_not(api, make, linked_company):
    assert body(api.as_(make.superadmin()).post(URL.format(linked_company.id)))["code"] == 200
    member = make.member(linked_company)
    assert body(api.as_(member).post(URL.format(linked_company.id)))["code"] == 403


def test_sync_is_post_only(api, make, linked_company):
    response = api.as_(make.admin(linked_company)).get(URL.format(linked_company.id))
    assert response.status_code == 405 and body(response)["code"] == 402


def test_a_slow_wechat_never_holds_the_request(app, api, make, linked_company, sandbox):
    """Without Redis the sync runs on a background thread: the request answers at once with the job id, and
    the job's tries (each one cut off by WECHAT_TIMEOUT) and its outcome are on the row."""
    app.config["WECHAT_TIMEOUT"] = 1
    sandbox.fail_next("department/list", delay=3, times=10)
    client = api.as_(make.admin(linked_company))
    began = time.monotonic()
    payload = body(client.post(URL.format(linked_company.id)))
    assert payload["code"] == 200 and len(payload["data"]["job_id"]) == 32
    assert time.monotonic() - began < 1  # not even one WeChat timeout
    again = body(client.post(URL.format(linked_company.id)))  # still running: the same job
    assert (again["msg"], again["data"]["job_id"]) == ("通讯录同步正在进行中", payload["data"]["job_id"])
    job = wait_for_job(payload["data"]["job_id"])
    assert (job.status, job.attempts, job.error_code) == ("failed", 1 + app.config["JOB_RETRY_MAX"], -1)
    assert job.error == "微信服务暂时不可用，请稍后重试"
