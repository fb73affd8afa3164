"""2.7–2.8 feedback written by radar users, seen by their company's admins (all of it by role 1); the reply
and delete the console adds (docs/contract_extensions.md)."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models.admin import ROLE_ADMIN, ROLE_SUPERADMIN, AdminUser
from app.models.product import FEEDBACK_DONE, Feedback
from app.pagination import order_by, paginate
from app.responses import ApiError
from app.tenancy import Tenant
from app.timefmt import utcnow

ORDER_COLUMNS = {"create_date": Feedback.create_date, "id": Feedback.id}


def list_feedback(tenant: Tenant, query: dict) -> tuple[list[Feedback], int]:
    stmt = select(Feedback).options(
        joinedload(Feedback.radar_user), joinedload(Feedback.company), joinedload(Feedback.replied_by)
    )
    stmt = tenant.within(query["company_id"]).confine(stmt, Feedback)
    if query["status"] is not None:
        stmt = stmt.where(Feedback.status == query["status"])
    stmt = order_by(stmt, query["order"], ORDER_COLUMNS).order_by(Feedback.id.desc())
    return paginate(stmt, query["current_page"], query["length"])


def set_feedback_status(tenant: Tenant, feedback_id: int, status: int) -> Feedback:
    feedback = tenant.get(Feedback, feedback_id, "反馈")
    feedback.status = status
    db.session.flush()
    return feedback


def reply_feedback(admin: AdminUser, tenant: Tenant, feedback_id: int, reply: str) -> Feedback:
    """Answer a feedback and mark it handled; a second reply replaces the first."""
    feedback = tenant.get(Feedback, feedback_id, "反馈")
    feedback.reply, feedback.reply_date, feedback.replied_by_id = reply, utcnow(), admin.id
    feedback.status = FEEDBACK_DONE
    db.session.flush()
    return feedback


def delete_feedback(admin: AdminUser, tenant: Tenant, feedback_id: int) -> None:
    """Roles 1 and 2 only (role 3 and custom roles read feedback and mark it, but do not remove it)."""
    feedback = tenant.get(Feedback, feedback_id, "反馈")
    if admin.role_id not in (ROLE_SUPERADMIN, ROLE_ADMIN):
        raise ApiError.forbidden("当前角色不能删除意见反馈")
    db.session.delete(feedback)
    db.session.flush()
