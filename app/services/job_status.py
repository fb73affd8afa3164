"""The job-status endpoint's view of a job (GET /zhugeleida/admin/jobs/<job_id>)."""

from app.extensions import db
from app.jobs import heartbeat, maintenance
from app.jobs.registry import EXPORT_RUN
from app.models.jobs import Job
from app.services.exports import add_download_link
from app.tenancy import Tenant
from app.timefmt import fmt_datetime


def get_job(job_id: str, tenant: Tenant) -> Job:
    """The job, or 302 when missing or another company's (platform jobs are role 1's only). A `started` job
    whose process stopped beating is marked `interrupted` (and retried) right here: the status never says
    "started" for a dead run longer than JOB_HEARTBEAT_TIMEOUT, whether or not a worker is left to notice."""
    job = tenant.get(Job, job_id if len(job_id) <= 32 else None, "任务")
    if heartbeat.is_dead(job):
        maintenance.interrupt(job)
        db.session.refresh(job)
    return job


def job_payload(job: Job) -> dict:
    payload = {
        "job_id": job.id,
        "kind": job.kind,
        "company_id": job.company_id,
        "status": job.status,
        "progress": job.progress,
        "stage": job.stage,
        "result": job.result,
        "error": None if job.error is None else {"code": job.error_code, "msg": job.error},
        "attempts": job.attempts,
        "create_date": fmt_datetime(job.create_date),
        "started_at": fmt_datetime(job.started_at),
        "finished_at": fmt_datetime(job.finished_at),
    }
    if job.kind == EXPORT_RUN:  # the download link, for the admin who started the export (docs/exports.md)
        add_download_link(job, payload)
    return payload
