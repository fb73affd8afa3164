"""Periodic jobs: one registry for worker.py's cron process and for `rq cron app.jobs.rq_cron`."""

from datetime import timedelta

from redis import Redis
from rq.cron import CronScheduler
from sqlalchemy import func, select

from app.extensions import db
from app.jobs import registry
from app.jobs.maintenance import reap_stale_jobs
from app.models.jobs import STARTED, Job, JobLock
from app.timefmt import utcnow
from tests.fixtures.wechat import fresh_job


def test_worker_cron_registers_every_entry_on_the_prefixed_queues():
    scheduler = CronScheduler(connection=Redis())  # registering does not talk to Redis
    registry.register_cron(scheduler, "acme")
    jobs = scheduler.get_jobs()
    expected = [(entry.func, f"acme:{entry.queue}", entry.seconds(), entry.cron) for entry in registry.CRON]
    assert [(j.func_name, j.queue_name, j.interval, j.cron) for j in jobs] == expected
    assert ("app.jobs.maintenance.reap_stale_jobs", "acme:default", 600, None) in expected
    assert ("app.tasks.maintenance.flush_hot_buffer", "acme:default", 5, None) in expected  # HOT_FLUSH_INTERVAL


def test_rq_cron_config_module_registers_the_same():
    scheduler = CronScheduler(connection=Redis())
    scheduler.load_config_from_file("app.jobs.rq_cron")
    assert [j.func_name for j in scheduler.get_jobs()] == [entry.func for entry in registry.CRON]
    assert all(job.queue_name.split(":")[-1] in registry.QUEUES for job in scheduler.get_jobs())


def test_every_job_kind_names_an_importable_function_and_a_known_queue():
    from werkzeug.utils import import_string

    for kind in registry.KINDS.values():
        assert callable(import_string(kind.func)) and kind.queue in registry.QUEUES


def stale_job(company_id, job_id, queue, age) -> Job:
    job = Job(id=job_id, kind="wechat_work.sync", company_id=company_id, args={}, status=STARTED, queue=queue)
    job.lock_key = f"lock-{job_id}"
    db.session.add(job)
    db.session.flush()
    db.session.add(JobLock(key=job.lock_key, job_id=job.id))
    job.create_date = utcnow() - age
    db.session.commit()
    return job


def test_reaper_fails_jobs_that_can_no_longer_run(app, make):
    company = make.company()
    lost = stale_job(company.id, "1" * 32, "zhugeleida-test:wechat", timedelta(minutes=5))  # RQ never heard of it
    ancient = stale_job(company.id, "2" * 32, None, timedelta(days=3))  # inline, outlived every attempt
    young = stale_job(company.id, "3" * 32, "zhugeleida-test:wechat", timedelta(seconds=5))  # just queued
    assert reap_stale_jobs() == 2
    assert fresh_job(lost.id).status == fresh_job(ancient.id).status == "failed"
    assert fresh_job(young.id).status == STARTED
    assert db.session.scalars(select(JobLock.job_id)).all() == [young.id]
    assert db.session.scalar(select(func.count()).select_from(Job)) == 3
