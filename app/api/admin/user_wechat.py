"""The WeChat-side routes of /zhugeleida/admin/user (5.6 mini-program QR codes, 5.7 address-book sync).

They live on user.bp so the URLs stay as documented, in their own module so the radar-user
module and the WeChat work stay apart.
"""

from app.api.admin.user import bp
from app.auth import current_admin, tenant_scope
from app.responses import ok
from app.services import companies

SYNC_STARTED = "同步任务已提交"
SYNC_RUNNING = "通讯录同步正在进行中"


@bp.post("/sync_user_tongxunlu/<int:o_id>")
def sync_user_tongxunlu(o_id):
    """5.7 用户 - 手动同步企业通讯录用户: starts the sync job (or answers with the one running)."""
    company = companies.get_company(o_id, tenant_scope())
    started = companies.start_sync(company, current_admin().id)
    return ok({"job_id": started.job.id}, SYNC_STARTED if started.created else SYNC_RUNNING)
