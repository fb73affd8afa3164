"""WeChat Work jobs: address-book sync (5.7) and pushing approved radar users to the address book."""

from app.models.jobs import Job
from app.services import wechat_work


def sync_address_book(job: Job, company_id: int) -> dict:
    return wechat_work.sync_address_book(job, company_id)


def push_members(job: Job, company_id: int, radar_user_ids: list[int]) -> dict:
    return wechat_work.push_members(job, company_id, radar_user_ids)
