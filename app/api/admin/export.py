"""/zhugeleida/admin/export — the lists as .xlsx or .csv, each export a job (docs/exports.md).

Each view has the access rule of the list it exports and the same tenancy: a company_id other than the caller's
own answers 302 (role 1 may name any). The answer is the job id; GET /zhugeleida/admin/jobs/<job_id> shows the
progress and, once finished, `result.download_url` (signed, valid EXPORT_LINK_TTL seconds).
"""

from flask import Blueprint, send_file

from app.auth import access_rule, current_admin, public, superadmin_only, tenant_scope
from app.declare import FILE, answers, takes
from app.responses import ApiError, ok
from app.schemas.answers import JobStartedSchema
from app.schemas.export import (
    CustomerExportSchema,
    DateRangeExportSchema,
    FeedbackExportSchema,
    OperationLogExportSchema,
    RadarUserExportSchema,
)
from app.services import exports

bp = Blueprint("export", __name__, url_prefix="/export")
MIMETYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def _start(name: str, data: dict, one_company: bool = False):
    fmt = data.pop("format")
    job = exports.start_export(current_admin(), tenant_scope(), name, fmt, data, one_company=one_company)
    return ok({"job_id": job.id}, "导出任务已提交")


@bp.post("/radar_users")
@access_rule("user")
@answers(JobStartedSchema)
@takes(RadarUserExportSchema)
def radar_users(body):
    """导出企业用户: name, department, status and seat of each radar user of one company (1.4's filters)."""
    return _start("radar_users", body, one_company=True)


@bp.post("/customers")
@access_rule("customer")
@answers(JobStartedSchema)
@takes(CustomerExportSchema)
def customers(body):
    """导出客户: each customer with visits, stay time, forwards, sign-ups, last seen and owning radar user."""
    return _start("customers", body)


@bp.post("/sign_ups")
@access_rule("plugin_report")
@answers(JobStartedSchema)
@takes(DateRangeExportSchema)
def sign_ups(body):
    """导出活动报名: every sign-up of the company's activities (start_date/end_date on the sign-up time)."""
    return _start("sign_ups", body)


@bp.post("/feedback")
@access_rule("product")
@answers(JobStartedSchema)
@takes(FeedbackExportSchema)
def feedback(body):
    """导出反馈: radar users' feedback with its status and reply (2.7's filters, and a date range)."""
    return _start("feedback", body)


@bp.post("/dashboard")
@access_rule("home_page")
@answers(JobStartedSchema)
@takes(DateRangeExportSchema)
def dashboard(body):
    """导出数据统计: one row per day of the range (default the last 30 days, at most 366) with 1.7's figures."""
    error = exports.dashboard_range_error(body)
    if error:
        raise ApiError.invalid(error)
    return _start("dashboard", body, one_company=True)


@bp.post("/code_releases")
@access_rule("xcx_app")
@superadmin_only
@answers(JobStartedSchema)
@takes(DateRangeExportSchema)
def code_releases(body):
    """导出代码发版记录: every code release of the mini-programs (role 1 only)."""
    return _start("code_releases", body)


@bp.post("/operation_log")
@access_rule("operation_log")
@answers(JobStartedSchema)
@takes(OperationLogExportSchema)
def operation_log(body):
    """导出操作日志: the entries the operation-log list shows, with its filters."""
    return _start("operation_log", body)


@bp.get("/download/<token>")
@public
@answers(produces={"*/*": FILE})
def download(token):
    """下载导出文件: the link of a finished export's result; needs no signature, works EXPORT_LINK_TTL seconds."""
    fileobj, job, fmt = exports.open_download(token)
    name = (job.result or {}).get("file_name") or f"export.{fmt}"
    return send_file(fileobj, mimetype=MIMETYPES[fmt], as_attachment=True, download_name=name, max_age=0)
