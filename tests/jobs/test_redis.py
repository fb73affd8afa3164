"""Jobs with Redis: the row first, then RQ (same id, Retry, timeout), run by a real RQ worker in-process."""

from datetime import timedelta

from rq import Queue, SimpleWorker
from rq.job import Job as RQJob
from sqlalchemy import func, select

from app.extensions import db
from app.jobs import enqueue, enqueue_after_commit, locks
from app.models.jobs import FAILED, FINISHED, QUEUED, JobLock
from app.services.wechat_work import sync_lock
from app.timefmt import utcnow
from tests.fixtures.wechat import RUN_PREFIX, fresh_job

SYNC = "wechat_work.sync"


def run_queued(connection):
    queues = [Queue(f"{RUN_PREFIX}:{name}", connection=connection) for name in ("wechat", "default")]
    SimpleWorker(queues, connection=connection).work(burst=True)


def test_enqueue_commits_the_row_then_queues_it_under_the_same_id(app, linked_company, redis_jobs):
    started = enqueue(SYNC, company_id=linked_company.id, args={"company_id": linked_company.id})
    job = fresh_job(started.job.id)
    assert (job.status, job.queue) == (QUEUED, f"{RUN_PREFIX}:wechat")
    rq_job = RQJob.fetch(job.id, connection=redis_jobs)
    assert rq_job.origin == job.queue and rq_job.func_name == "app.jobs.runner.run_job" and rq_job.args == (job.id,)
    assert rq_job.retries_left == app.config["JOB_RETRY_MAX"] and rq_job.timeout == 1800
    assert rq_job.failure_callback.__name__ == "on_rq_failure"


def test_a_real_rq_worker_runs_it_and_reports_progress(linked_company, redis_jobs):
    job_id = enqueue(SYNC, company_id=linked_company.id, args={"company_id": linked_company.id}).job.id
    run_queued(redis_jobs)
    job = fresh_job(job_id)
    assert (job.status, job.progress, job.attempts) == (FINISHED, 100, 1)
    assert job.result["members"]["created"] == 20
    assert RQJob.fetch(job_id, connection=redis_jobs).meta["progress"] >= 95  # the last checkpoint, in RQ's meta


def test_rq_retries_a_network_error(linked_company, redis_jobs, sandbox):
    sandbox.fail_next("user/list_id", http_status=502)
    job_id = enqueue(SYNC, company_id=linked_company.id, args={"company_id": linked_company.id}).job.id
    run_queued(redis_jobs)
    job = fresh_job(job_id)
    assert (job.status, job.attempts) == (FINISHED, 2)


def test_rq_gives_up_after_its_retries(app, linked_company, redis_jobs, sandbox):
    sandbox.fail_next("department/list", http_status=502, times=20)
    job_id = enqueue(SYNC, company_id=linked_company.id, args={"company_id": linked_company.id}, lock="L").job.id
    run_queued(redis_jobs)
    job = fresh_job(job_id)
    assert (job.status, job.attempts, job.error_code) == (FAILED, 1 + app.config["JOB_RETRY_MAX"], -1)
    assert db.session.scalar(select(func.count()).select_from(JobLock)) == 0


def test_a_job_rq_lost_frees_its_lock(linked_company, redis_jobs):
    """The row says queued, but RQ no longer knows the job (e.g. Redis was flushed): not alive any more."""
    key = sync_lock(linked_company.id)
    first = enqueue(SYNC, company_id=linked_company.id, args={"company_id": linked_company.id}, lock=key).job
    assert locks.is_alive(fresh_job(first.id))
    redis_jobs.delete(f"rq:job:{first.id}")
    job = fresh_job(first.id)
    assert locks.is_alive(job)  # still within the grace period after being queued
    job.create_date = utcnow() - timedelta(minutes=5)
    db.session.commit()
    second = enqueue(SYNC, company_id=linked_company.id, args={"company_id": linked_company.id}, lock=key)
    assert second.created and second.job.id != first.id
    assert fresh_job(first.id).status == FAILED and fresh_job(first.id).error == locks.LOST_MSG


def test_enqueue_after_commit_queues_after_the_commit(linked_company, redis_jobs):
    job_id = enqueue_after_commit(SYNC, company_id=linked_company.id, args={"company_id": linked_company.id}).id
    queue = Queue(f"{RUN_PREFIX}:wechat", connection=redis_jobs)
    assert queue.count == 0
    db.session.commit()
    assert queue.job_ids == [job_id]
    run_queued(redis_jobs)
    assert fresh_job(job_id).status == FINISHED
