"""Jobs without Redis (the bare-machine default): run at once, in their own session, outcome on the row."""

import logging

from sqlalchemy import func, select

from app.extensions import db
from app.jobs import enqueue, enqueue_after_commit, job_logger, runner, set_progress
from app.models.jobs import FAILED, FINISHED, Job, JobLock
from app.services.wechat_work import sync_lock
from tests.fixtures.wechat import fresh_job


def test_enqueue_runs_inline_and_records_the_result(linked_company):
    started = enqueue("wechat_work.sync", company_id=linked_company.id, args={"company_id": linked_company.id})
    assert started.created
    job = fresh_job(started.job.id)
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
    job = fresh_job(started.job.id)
    assert (job.status, job.attempts, job.error_code, job.error) == (FAILED, 1, 500, "任务执行出错")
    crash = next(r for r in caplog.records if r.getMessage() == "job crashed")
    assert crash.error == "TypeError" and all(":" in where for where in crash.where)
    assert db.session.scalar(select(func.count()).select_from(JobLock)) == 0  # released


def test_a_business_error_fails_the_job_with_its_code(make, linked_company):
    started = enqueue("wechat_work.sync", company_id=None, args={"company_id": 424242})
    job = fresh_job(started.job.id)
    assert (job.status, job.error_code, job.error) == (FAILED, 302, "公司ID不存在")


def test_the_lock_is_released_when_the_job_ends(linked_company):
    key = sync_lock(linked_company.id)
    first = enqueue("wechat_work.sync", company_id=linked_company.id, args={"company_id": linked_company.id}, lock=key)
    second = enqueue("wechat_work.sync", company_id=linked_company.id, args={"company_id": linked_company.id}, lock=key)
    assert first.created and second.created and first.job.id != second.job.id
    assert db.session.scalar(select(func.count()).select_from(JobLock)) == 0


def test_a_finished_job_is_never_run_twice(linked_company, sandbox):
    job_id = enqueue("wechat_work.sync", company_id=linked_company.id, args={"company_id": linked_company.id}).job.id
    sandbox.clear_calls()
    assert runner.run_inline(job_id) == "skipped"
    assert sandbox.calls() == [] and fresh_job(job_id).attempts == 1


def test_enqueue_after_commit_waits_for_the_commit(linked_company, sandbox):
    job = enqueue_after_commit("wechat_work.sync", company_id=linked_company.id, args={"company_id": linked_company.id})
    job_id = job.id
    assert sandbox.calls() == []
    db.session.commit()
    assert fresh_job(job_id).status == FINISHED


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
