"""The WeChat-side routes of /zhugeleida/admin/user (5.6 mini-program QR codes, 5.7 address-book sync).

They live on user.bp so the URLs stay as documented, in their own module so the radar-user
module and the WeChat work stay apart.
"""

from app.api.admin.user import bp
from app.auth import current_admin, tenant_scope
from app.declare import answers, takes
from app.responses import ok
from app.schemas.answers import JobStartedSchema, QrCodeMadeSchema
from app.schemas.open_platform import QrCodeSchema
from app.services import companies, wxa_qrcode

SYNC_STARTED = "同步任务已提交"
SYNC_RUNNING = "通讯录同步正在进行中"
QR_STARTED = "批量生成小程序二维码任务已提交"
QR_RUNNING = "批量生成小程序二维码任务正在进行中"


@bp.post("/sync_user_tongxunlu/<int:o_id>")
@answers(JobStartedSchema)
def sync_user_tongxunlu(o_id):
    """5.7 用户 - 手动同步企业通讯录用户: starts the sync job (or answers with the one running)."""
    company = companies.get_company(o_id, tenant_scope())
    started = companies.start_sync(company, current_admin().id)
    return ok({"job_id": started.job.id}, SYNC_STARTED if started.created else SYNC_RUNNING)


@bp.post("/create_small_program_qr_code/<int:o_id>")
@answers(QrCodeMadeSchema, JobStartedSchema)
@takes(QrCodeSchema)
def create_small_program_qr_code(o_id, body):
    """5.6 用户 - 手动生成企业用户的小程序二维码: with `user_id` (form) that radar user's code, at once; without it,
    a job making the code of every radar user of company `o_id` (0 = the caller's own company). `env_version`
    (release/trial/develop) is the version the code opens; trial/develop codes need no released version."""
    if body["user_id"]:
        path = wxa_qrcode.create_user_code(body["user_id"], tenant_scope(), body["env_version"])
        return ok({"qr_code": path}, "生成用户二维码成功")
    started = wxa_qrcode.start_bulk(o_id, current_admin(), tenant_scope(), body["env_version"])
    return ok({"job_id": started.job.id}, QR_STARTED if started.created else QR_RUNNING)
