"""The caller's background jobs: the list a console signed in again uses to find running work, and cancel."""

from rq.job import Job as RQJob
from sqlalchemy import select, update

from app.extensions import db, redis_connection
from app.jobs import locks
from app.models.admin import ROLE_ADMIN, ROLE_SUPERADMIN, AdminUser
from app.models.jobs import CANCELED, QUEUED, Job
from app.pagination import paginate
from app.responses import ApiError
from app.services.job_status import get_job
from app.tenancy import Tenant
from app.timefmt import utcnow

CANCELED_MSG = "任务已取消"


def list_jobs(admin: AdminUser, tenant: Tenant, query: dict) -> tuple[list[Job], int]:
    """Newest first; a tenant sees its company's jobs, role 1 every job (or one company's with company_id)."""
    stmt = tenant.confine(select(Job), Job, query["company_id"])
    for column, value in ((Job.kind, query["kind"]), (Job.status, query["status"])):
        if value is not None:
            stmt = stmt.where(column == value)
    if query["mine"]:
        stmt = stmt.where(Job.created_by_id == admin.id)
    return paginate(stmt.order_by(Job.create_date.desc(), Job.id), query["current_page"], query["length"])


def cancel_job(admin: AdminUser, tenant: Tenant, job_id: str) -> Job:
    """Call off a queued job (302 outside the caller's scope; 303 once a worker has taken it). Role 3 may only
    cancel what it started itself (as custom roles)."""
    job = get_job(job_id, tenant)
    if admin.role_id not in (ROLE_SUPERADMIN, ROLE_ADMIN) and job.created_by_id != admin.id:
        raise ApiError.forbidden("只能取消自己发起的任务")
    # Conditional on the status: a worker that has just started the job wins, and the cancel answers 303.
    done = db.session.execute(
        update(Job)
        .where(Job.id == job.id, Job.status == QUEUED)
        .values(status=CANCELED, error=CANCELED_MSG, error_code=None, finished_at=utcnow())
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise ApiError.invalid("任务已开始或已结束，不能取消")
    db.session.refresh(job)
    locks.release(job)
    _drop_from_queue(job)
    return job


def _drop_from_queue(job: Job) -> None:
    """Take the job off its RQ queue (a worker would skip it anyway: canceled is a terminal status)."""
    connection = redis_connection()
    if connection is None or job.queue is None:
        return
    try:
        RQJob.fetch(job.id, connection=connection).cancel()
    except Exception:  # noqa: BLE001 - the row is what counts: RQ may have dropped the job, Redis may be down
        return
