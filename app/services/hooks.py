"""Extension points between areas, so one area can react to another without importing it."""

from app.extensions import db
from app.jobs import enqueue_after_commit
from app.jobs.registry import WECHAT_WORK_PUSH_MEMBERS
from app.models.company import Company


def radar_users_created(company_id: int, radar_user_ids: list[int]) -> None:
    """Called (inside the request's transaction) after radar users were created by the admin side,
    e.g. by approving scan-to-join requests. When the company's WeChat Work address book is connected, a job
    pushes them there — started once the transaction commits, and never if it rolls back."""
    company = db.session.get(Company, company_id)
    if not (radar_user_ids and company and company.is_validate and company.corp_id and company.tongxunlu_secret):
        return
    enqueue_after_commit(
        WECHAT_WORK_PUSH_MEMBERS,
        company_id=company_id,
        args={"company_id": company_id, "radar_user_ids": radar_user_ids},
    )
