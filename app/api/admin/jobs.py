"""/zhugeleida/admin/jobs — the status of background jobs (SPEC §2, §7)."""

from flask import Blueprint

from app.auth import tenant_scope
from app.jobs.status import get_job, job_payload
from app.responses import ok

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


@bp.get("/<job_id>")
def show(job_id):
    """任务状态: status (queued/started/finished/failed), progress, stage, result and error of one job."""
    return ok(job_payload(get_job(job_id, tenant_scope())))
