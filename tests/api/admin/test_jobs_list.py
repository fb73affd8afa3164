"""GET /zhugeleida/admin/jobs (the list a console signed in again uses) and POST /jobs/cancel/<job_id>."""

import uuid
from datetime import timedelta

import pytest

from app.extensions import db
from app.models.jobs import CANCELED, FINISHED, QUEUED, STARTED, Job, JobLock
from app.services.companies import start_sync
from app.timefmt import utcnow
from tests.conftest import body

LIST = "/zhugeleida/admin/jobs"
CANCEL = "/zhugeleida/admin/jobs/cancel/{}"


def _job(company, status=QUEUED, kind="wechat_work.sync", by=None, minutes_ago=0, lock=None) -> Job:
    job = Job(
        id=uuid.uuid4().hex,
        kind=kind,
        company_id=company.id if company else None,
        status=status,
        created_by_id=by.id if by else None,
        lock_key=lock,
        args={},
    )
    job.create_date = utcnow() - timedelta(minutes=minutes_ago)
    db.session.add(job)
    if lock:
        db.session.flush()
        db.session.add(JobLock(key=lock, job_id=job.id))
    db.session.commit()
    return job


def _ids(payload) -> list[str]:
    return [item["job_id"] for item in payload["data"]["ret_data"]]


def test_list_shows_the_companys_jobs_newest_first(api, make):
    admin = make.admin()
    old = _job(admin.company, FINISHED, minutes_ago=10)
    new = _job(admin.company, STARTED, kind="wxa_qrcode.bulk", by=admin)
    _job(make.company())  # another company's
    _job(None)  # platform work
    payload = body(api.as_(admin).get(LIST))
    assert payload["code"] == 200 and payload["data"]["data_count"] == 2
    assert _ids(payload) == [new.id, old.id]
    item = payload["data"]["ret_data"][0]
    assert (item["kind"], item["status"], item["company_id"]) == ("wxa_qrcode.bulk", "started", admin.company_id)
    assert item == body(api.as_(admin).get(f"{LIST}/{new.id}"))["data"]  # the same as the job's own page
    assert payload["data"]["ret_data"][1] == body(api.as_(admin).get(f"{LIST}/{old.id}"))["data"]


def test_list_filters(api, make):
    admin = make.admin()
    other = make.member(admin.company)
    running = _job(admin.company, STARTED, by=admin)
    qrcodes = _job(admin.company, QUEUED, kind="wxa_qrcode.bulk", by=other)
    done = _job(admin.company, FINISHED, by=admin, minutes_ago=5)
    client = api.as_(admin)
    assert _ids(body(client.get(LIST, {"status": "started"}))) == [running.id]
    assert _ids(body(client.get(LIST, {"kind": "wxa_qrcode.bulk"}))) == [qrcodes.id]
    assert _ids(body(client.get(LIST, {"mine": "true"}))) == [running.id, done.id]
    assert _ids(body(client.get(LIST, {"kind": "wechat_work.sync", "status": "finished"}))) == [done.id]
    paged = body(client.get(LIST, {"length": 1, "current_page": 2}))
    assert paged["data"]["data_count"] == 3 and len(paged["data"]["ret_data"]) == 1


@pytest.mark.parametrize(
    ("query", "code"),
    [({"status": "gone"}, 303), ({"kind": "nope"}, 303), ({"length": 0}, 303), ({"current_page": "x"}, 301)],
)
def test_list_bad_filters(api, make, query, code):
    assert body(api.as_(make.admin()).get(LIST, query))["code"] == code


def test_list_is_tenant_scoped_and_role_1_sees_all(api, make):
    a, b = make.company(), make.company()
    job_a, job_b, platform = _job(a), _job(b, minutes_ago=1), _job(None, minutes_ago=2)
    assert _ids(body(api.as_(make.admin(b)).get(LIST, {"company_id": a.id}))) == [job_b.id]  # filter ignored
    assert _ids(body(api.as_(make.member(a)).get(LIST))) == [job_a.id]
    root = make.superadmin()
    assert _ids(body(api.as_(root).get(LIST))) == [job_a.id, job_b.id, platform.id]
    assert _ids(body(api.as_(root).get(LIST, {"company_id": b.id}))) == [job_b.id]


def test_list_query_count_is_constant(api, make, count_queries):
    admin = make.admin()
    client = api.as_(admin)
    _job(admin.company)
    with count_queries() as few:
        assert body(client.get(LIST))["code"] == 200
    for minutes in range(20):
        _job(admin.company, minutes_ago=minutes)
    with count_queries() as many:
        assert len(body(client.get(LIST, {"length": 50}))["data"]["ret_data"]) == 21
    assert many() == few()


def test_cancel_a_queued_job(api, make):
    """The console calls off a queued sync: canceled, its lock released, and a worker taking it skips it."""
    admin = make.admin()
    job = _job(admin.company, lock=f"wechat_work.sync:{admin.company_id}")
    payload = body(api.as_(admin).post(CANCEL.format(job.id)))
    assert payload["code"] == 200 and payload["msg"] == "任务已取消"
    assert payload["data"]["status"] == CANCELED and payload["data"]["error"]["msg"] == "任务已取消"
    db.session.rollback()
    assert db.session.get(Job, job.id).status == CANCELED
    assert db.session.get(JobLock, job.lock_key) is None
    from app.jobs.runner import run_job

    assert run_job(job.id) == "skipped"  # what a worker taking it from the queue does
    assert body(api.as_(admin).get(LIST, {"status": "canceled"}))["data"]["data_count"] == 1


@pytest.mark.parametrize("status", [STARTED, FINISHED, CANCELED])
def test_cancel_refuses_a_job_that_is_not_queued(api, make, status):
    admin = make.admin()
    job = _job(admin.company, status)
    payload = body(api.as_(admin).post(CANCEL.format(job.id)))
    assert payload["code"] == 303 and payload["data"] == {}
    db.session.rollback()
    assert db.session.get(Job, job.id).status == status


def test_cancel_is_tenant_scoped(api, make):
    job = _job(make.company())
    platform = _job(None)
    admin = make.admin()
    assert body(api.as_(admin).post(CANCEL.format(job.id)))["code"] == 302
    assert body(api.as_(admin).post(CANCEL.format(platform.id)))["code"] == 302
    assert body(api.as_(admin).post(CANCEL.format("x" * 200)))["code"] == 302
    db.session.rollback()
    assert db.session.get(Job, job.id).status == QUEUED
    assert body(api.as_(make.superadmin()).post(CANCEL.format(platform.id)))["code"] == 200


def test_role_3_cancels_only_its_own_jobs(api, make):
    admin = make.admin()
    member = make.member(admin.company)
    theirs, mine = _job(admin.company, by=admin), _job(admin.company, by=member)
    assert body(api.as_(member).post(CANCEL.format(theirs.id)))["code"] == 403
    assert body(api.as_(member).post(CANCEL.format(mine.id)))["code"] == 200


def test_cancel_takes_a_redis_job_off_its_queue(api, make, linked_company, redis_jobs):
    from rq.job import Job as RQJob

    admin = make.admin(linked_company)
    job_id = start_sync(linked_company, admin.id).job.id
    assert RQJob.fetch(job_id, connection=redis_jobs).get_status() == "queued"
    assert body(api.as_(admin).post(CANCEL.format(job_id)))["code"] == 200
    assert RQJob.fetch(job_id, connection=redis_jobs).get_status() == "canceled"
    again = start_sync(linked_company, admin.id)  # the lock is free: a new sync starts
    assert again.created and again.job.id != job_id
