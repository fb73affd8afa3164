"""`python worker.py` as a real process on real Redis (MariaDB/Redis CI run): progress, retry, SIGKILL."""

import time

from rq.registry import StartedJobRegistry
from sqlalchemy import func, select, text

from app.extensions import db
from app.models.jobs import FINISHED, STARTED, Job
from app.models.radar import Department, RadarUser
from app.services.companies import start_sync
from tests.fixtures.wechat import (
    CONTACTS_SECRET,
    RUN_PREFIX,
    fresh_job,
    link_company,
    seed_corp,
    wait_for_job,
    wait_until,
)


def counts(company_id) -> tuple[int, int, int]:
    db.session.rollback()
    users = db.session.scalar(select(func.count()).where(RadarUser.company_id == company_id))
    departments = db.session.scalar(select(func.count()).where(Department.company_id == company_id))
    links = db.session.execute(text("SELECT COUNT(*) FROM radar_user_department")).scalar()
    return users, departments, links


def test_the_worker_runs_a_sync_and_reports_progress(linked_company, sandbox, worker_process):
    worker = worker_process()
    sandbox.fail_next("user/list", delay=1.5)  # hold the sync at its details call, so we can watch it
    job_id = start_sync(linked_company).job.id
    halfway = wait_until(lambda: (j := fresh_job(job_id)).status == STARTED and j.progress >= 45 and j, 30, "progress")
    assert halfway.stage == "读取企业微信成员详情"
    job = wait_for_job(job_id)
    assert (job.status, job.progress, job.attempts) == (FINISHED, 100, 1), worker.log()
    assert counts(linked_company.id) == (20, 5, 20)
    log = worker.log()
    assert job_id in log and "address book synced" in log
    for secret in (CONTACTS_SECRET,):
        assert secret not in log  # DEBUG level: urllib3's request lines are there, masked
    assert "gettoken?…" in log  # query strings are cut from every log line


def test_the_worker_retries_a_network_error(linked_company, sandbox, worker_process):
    worker = worker_process()
    sandbox.fail_next("department/list", http_status=502)
    job = wait_for_job(start_sync(linked_company).job.id)
    assert (job.status, job.attempts) == (FINISHED, 2), worker.log()
    assert "job failed, will be retried" in worker.log()


def test_a_worker_killed_mid_sync_loses_nothing(app, make, sandbox, worker_process, redis_jobs):
    """SIGKILL while the sync hangs after its departments were written; RQ's cleanup finds the job abandoned
    and retries it; a new worker re-runs it; the result is exact — no duplicate department, user or link."""
    corp = seed_corp(sandbox, departments=30, members=300)
    company = link_company(make.company(mingpian_available_num=1000), corp)
    app.config["WECHAT_WORK_PAGE_SIZE"] = 50
    first = worker_process()
    sandbox.fail_next("user/list", delay=60)  # the details call never comes back in time
    job_id = start_sync(company).job.id
    wait_until(lambda: fresh_job(job_id).progress >= 45, 30, "the sync to reach its details call")
    first.kill()
    assert counts(company.id)[1] == 30 and fresh_job(job_id).status == STARTED  # departments written, then killed
    # Time passes: the dead worker's heartbeat expires and RQ's registry cleanup handles the abandoned job.
    StartedJobRegistry(f"{RUN_PREFIX}:wechat", connection=redis_jobs).cleanup(timestamp=time.time() + 3600)
    sandbox.clear_faults()
    second = worker_process()
    job = wait_for_job(job_id)
    assert job.status == FINISHED and job.attempts == 2, second.log()
    assert job.result["departments"]["created"] == 0 and job.result["members"]["created"] == 300
    assert counts(company.id) == (300, 30, 300)
    again = wait_for_job(start_sync(company).job.id)
    assert (again.result["members"]["created"], again.result["members"]["updated"]) == (0, 0)
    assert counts(company.id) == (300, 30, 300)


def test_the_worker_runs_the_periodic_jobs(linked_company, worker_process):
    """With cron, the reaper runs at start: a row whose job RQ never heard of is failed, its lock freed."""
    stale = Job(id="d" * 32, kind="wechat_work.sync", company_id=linked_company.id, args={}, status=STARTED)
    stale.queue = f"{RUN_PREFIX}:wechat"
    db.session.add(stale)
    db.session.commit()
    db.session.execute(
        text("UPDATE job SET create_date = :t WHERE id = :i"), {"t": "2020-01-01 00:00:00", "i": stale.id}
    )
    db.session.commit()
    worker_process(cron=True)
    assert wait_until(lambda: fresh_job(stale.id).status == "failed", 30, "the reaper")


def test_ci_worker_runs_jobs_against_the_shared_sandbox(api, make, ci_sandbox):
    """In CI, the worker started by .ci/run (not ours) consumes the default queues with the shared sandbox."""
    corpid = f"wwci{time.time_ns()}"
    ci_sandbox.seed_corp(corpid, CONTACTS_SECRET, departments=3, members=7)
    admin = make.admin(make.company(mingpian_available_num=10))
    form = {"corp_id": corpid, "tongxunlu_secret": CONTACTS_SECRET}
    payload = api.as_(admin).post(f"/zhugeleida/admin/company/update_tongxunlu/{admin.company_id}", data=form)
    job = wait_for_job(payload.get_json()["data"]["job_id"])
    assert (job.status, job.queue) == (FINISHED, "zhugeleida:wechat"), (job.error_code, job.error, job.result)
    assert counts(admin.company_id)[:2] == (7, 3), job.result
