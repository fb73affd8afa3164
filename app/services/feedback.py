"""2.7–2.8 feedback written by radar users, seen by their company's admins (all of it by role 1)."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.auth import get_for_company
from app.extensions import db
from app.models.product import Feedback
from app.pagination import order_by, paginate
from app.services.products import scoped_company

ORDER_COLUMNS = {"create_date": Feedback.create_date, "id": Feedback.id}


def list_feedback(scope: int | None, query: dict) -> tuple[list[Feedback], int]:
    stmt = select(Feedback).options(joinedload(Feedback.radar_user), joinedload(Feedback.company))
    company_id = scoped_company(scope, query["company_id"])
    if company_id is not None:
        stmt = stmt.where(Feedback.company_id == company_id)
    if query["status"] is not None:
        stmt = stmt.where(Feedback.status == query["status"])
    stmt = order_by(stmt, query["order"], ORDER_COLUMNS).order_by(Feedback.id.desc())
    return paginate(stmt, query["current_page"], query["length"])


def set_feedback_status(scope: int | None, feedback_id: int, status: int) -> Feedback:
    feedback = get_for_company(Feedback, feedback_id, scope, "反馈")
    feedback.status = status
    db.session.flush()
    return feedback
