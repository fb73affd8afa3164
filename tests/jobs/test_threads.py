"""Jobs without Redis (the bare-machine default): on a background thread of the process, in their own app context
and session, outcome on the row; the request that starts one answers at once."""

import logging
import time

from sqlalchemy import func, select

from app.extensions import db
from app.jobs import enqueue, enqueue_after_commit, job_logger, runner, set_progress
from app.models.jobs import ACTIVE, FAILED, FINISHED, Job, JobLock
from app.services.wechat_work import sync_lock
from tests.fixtures.wechat import fresh_job, wait_for_job, wait_until


def test_enqueue_runs_the_job_on_a_thread_and_records_the_result(linked_company, sandbox):
    sandbox.fail_next("department/list", delay=2)  # a slow WeChat
    began = time.monotonic()
    started = enqueue("wechat_work.sync", company_id=linked_company.id, args={"company_id": linked_company.id})
    assert started.created and time.monotonic() - began < 1.5  # the caller did not wait for WeChat
    assert fresh_job(started.job.id).status in ACTIVE
    job = wait_for_job(started.job.id)
    assert (job.status, job.progress, job.queue, job.attempts) == (FINISHED, 100, None, 1)
    assert job.result["members"]["created"] == 20 and job.started_at <= job.finished_at


def test_enqueue_commits_the_callers_work_first(linked_company):
    linked_company.remarks = "saved with the job"
    enqueue("wechat_work.sync", company_id=linked_company.id, args={"company_id": linked_company.id})
    db.session.rollback()
    db.session.refresh(linked_company)
    assert linked_company.remarks == "saved with the job"


def test_a_crash_is_recorded_not_retried_and_not_leaked(linked_company, caplog):
    caplog.set_level(logging.INFO)
    started = enqueue("wechat_work.push_members", company_id=linked_company.id, args={"bogus": 1}, lock="k")
    job = wait_for_job(started.job.id)
    assert (job.status, job.attempts, job.error_code, job.error) == (FAILED, 1, 500, "任务执行出错")
    crash = next(r for r in caplog.records if r.getMessage() == "job crashed")
    assert crash.error == "TypeError" and all(":" in where for where in crash.where)
    assert db.session.scalar(select(func.count()).select_from(JobLock)) == 0  # released


def test_a_business_error_fails_the_job_with_its_code(make, linked_company):
    started = enqueue("wechat_work.sync", company_id=None, args={"company_id": 424242})
    job = wait_for_job(started.job.id)
    assert (job.status, job.error_code, job.error) == (FAILED, 302, "公司ID不存在")


def test_the_lock_holds_while_the_job_runs_and_is_released_when_it_ends(linked_company, sandbox):
    key, args = sync_lock(linked_company.id), {"company_id": linked_company.id}
    sandbox.fail_next("department/list", delay=1)
    first = enqueue("wechat_work.sync", company_id=linked_company.id, args=args, lock=key)
    running = enqueue("wechat_work.sync", company_id=linked_company.id, args=args, lock=key)
    assert first.created and not running.created and running.job.id == first.job.id
    wait_for_job(first.job.id)
    second = enqueue("wechat_work.sync", company_id=linked_company.id, args=args, lock=key)
    assert second.created and first.job.id != second.job.id
    wait_for_job(second.job.id)
    assert db.session.scalar(select(func.count()).select_from(JobLock)) == 0


def test_a_finished_job_is_never_run_twice(linked_company, sandbox):
    job_id = enqueue("wechat_work.sync", company_id=linked_company.id, args={"company_id": linked_company.id}).job.id
    wait_for_job(job_id)
    sandbox.clear_calls()
    runner.run_inline(job_id)
    assert sandbox.calls() == [] and fresh_job(job_id).attempts == 1


def test_enqueue_after_commit_waits_for_the_commit(linked_company, sandbox):
    job = enqueue_after_commit("wechat_work.sync", company_id=linked_company.id, args={"company_id": linked_company.id})
    job_id = job.id
    assert sandbox.calls() == []
    db.session.commit()
    assert wait_for_job(job_id).status == FINISHED


def test_enqueue_after_commit_is_dropped_on_rollback(linked_company, sandbox):
    enqueue_after_commit("wechat_work.sync", company_id=linked_company.id, args={"company_id": linked_company.id})
    db.session.rollback()
    db.session.commit()
    assert sandbox.calls() == [] and db.session.scalar(select(func.count()).select_from(Job)) == 0


def test_set_progress_clamps_and_checkpoints(make, caplog):
    job = Job(id="c" * 32, kind="wechat_work.sync", company_id=make.company().id, args={})
    db.session.add(job)
    db.session.commit()
    set_progress(job, 140, "x" * 300)
    db.session.rollback()  # a checkpoint survives what comes after it
    assert (fresh_job(job.id).progress, len(fresh_job(job.id).stage)) == (100, 128)
    set_progress(job, -3)
    assert fresh_job(job.id).progress == 0
    caplog.set_level(logging.INFO)
    job_logger(job).info("hello", extra={"step": 1})
    record = caplog.records[-1]
    assert (record.job_id, record.job_kind, record.company_id, record.step) == (job.id, job.kind, job.company_id, 1)


def test_retries_on_the_thread_keep_the_row_up_to_date(app, linked_company, sandbox):
    """A network error: the row goes back to queued ("等待重试") between tries, as with RQ, then finishes."""
    app.config["JOB_RETRY_INTERVALS"] = [2]
    sandbox.fail_next("department/list", http_status=502)
    job_id = enqueue("wechat_work.sync", company_id=linked_company.id, args={"company_id": linked_company.id}).job.id
    waiting = wait_until(lambda: (j := fresh_job(job_id)).stage == runner.RETRY_STAGE and j, 10, "the retry pause")
    assert (waiting.status, waiting.attempts, waiting.error_code) == ("queued", 1, -1)
    job = wait_for_job(job_id)
    assert (job.status, job.attempts, job.error) == (FINISHED, 2, None)
