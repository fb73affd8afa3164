"""/zhugeleida/admin/jobs — the status of background jobs the list and cancel (docs/jobs_wechat.md)."""

from flask import Blueprint, request

from app.auth import current_admin, tenant_scope
from app.responses import ok
from app.schemas.base import load
from app.schemas.jobs import JobOutSchema, JobQuerySchema
from app.services import jobs as service
from app.services.job_status import get_job, job_payload

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


@bp.get("")
def index():
    """任务列表: the company's jobs, newest first (filters kind, status, mine; role 1 company_id)."""
    jobs, total = service.list_jobs(current_admin(), tenant_scope(), load(JobQuerySchema, request.args))
    return ok({"ret_data": JobOutSchema(many=True).dump(jobs), "data_count": total}, "查询成功")


@bp.get("/<job_id>")
def show(job_id):
    """任务状态: status (queued/started/finished/failed/canceled), progress, stage, result and error of one job."""
    return ok(job_payload(get_job(job_id, tenant_scope())))


@bp.post("/cancel/<job_id>")
def cancel(job_id):
    """取消任务: a queued job only (303 once started); role 3 only its own."""
    return ok(JobOutSchema().dump(service.cancel_job(current_admin(), tenant_scope(), job_id)), "任务已取消")
