"""12.2–12.8 代小程序: the code template library and batch code release (role 1). Each batch answers at once
with the `job_id` of one job recording an outcome per app (GET /zhugeleida/admin/jobs/<job_id>)."""

from flask import Blueprint

from app.auth import current_admin, superadmin_only
from app.declare import answers, takes
from app.responses import ok
from app.schemas.answers import JobStartedSchema, TemplateListSchema
from app.schemas.open_platform import AppIdsSchema, UploadCodeSchema
from app.services import code_release, code_release_batch

bp = Blueprint("dai_xcx", __name__, url_prefix="/dai_xcx")


def _batch(action: str, msg: str, data: dict):
    started = code_release_batch.start(action, data.pop("app_ids"), current_admin().id, **data)
    return ok({"job_id": started.job.id}, msg)


@bp.get("/template_list")
@superadmin_only
@answers(TemplateListSchema)
def template_list():
    """12.2 代小程序 - 获取代码模版库中的所有小程序代码模版."""
    return ok({"template_list": code_release_batch.list_templates()}, "获取成功")


@bp.post("/upload_code")
@superadmin_only
@answers(JobStartedSchema)
@takes(UploadCodeSchema)
def upload_code(body):
    """12.3 代小程序 - 提交代码: commit the template (our ext_json) and fetch the experience QR code, per app."""
    return _batch(code_release.UPLOAD, "小程序帐号上传小程序代码任务已提交", body)


@bp.post("/submit_audit")
@superadmin_only
@answers(JobStartedSchema)
@takes(AppIdsSchema)
def submit_audit(body):
    """12.4 代小程序 - 提交审核: pages and categories from WeChat, then submit_audit, per app."""
    return _batch(code_release.SUBMIT, "提交审核任务已提交", body)


@bp.get("/get_latest_audit_status")
@superadmin_only
@answers(JobStartedSchema)
def get_latest_audit_status():
    """12.5 代小程序 - 批量更新查询提交的审核状态: poll every app in audit now (one poll at a time)."""
    started = code_release_batch.start(code_release.POLL, None, current_admin().id)
    return ok({"job_id": started.job.id}, "查询最新一次提交的审核状态-任务已提交")


@bp.post("/undocode_audit")
@superadmin_only
@answers(JobStartedSchema)
@takes(AppIdsSchema)
def undocode_audit(body):
    """12.6 代小程序 - 审核撤销, per app."""
    return _batch(code_release.UNDO, "小程序审核撤回任务已提交", body)


@bp.post("/relase_code")
@superadmin_only
@answers(JobStartedSchema)
@takes(AppIdsSchema)
def relase_code(body):
    """12.7 代小程序 - 发布已经通过审核的代码, per app (the document's spelling of the URL)."""
    return _batch(code_release.RELEASE, "小程序发布任务已提交", body)


@bp.post("/revert_code_release")
@superadmin_only
@answers(JobStartedSchema)
@takes(AppIdsSchema)
def revert_code_release(body):
    """12.8 代小程序 - 代码回退, per app."""
    return _batch(code_release.REVERT, "小程序回退任务已提交", body)
