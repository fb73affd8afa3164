"""17.x speech scripts: talk groups (unique name per company) and their details."""

from sqlalchemy import exists, select, update
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models.admin import AdminUser
from app.models.speech import SpeechDetail, TalkGroup
from app.pagination import paginate
from app.responses import ApiError
from app.services.db import name_taken, unique_or_300
from app.tenancy import Tenant

GROUP_TAKEN = "分组名称已存在"


def _page(stmt, model, tenant: Tenant, query: dict) -> tuple[list, int]:
    stmt = tenant.confine(stmt, model, query["company_id"])
    return paginate(stmt.order_by(model.id.desc()), query["current_page"], query["length"])


# --- 17.1-17.4 groups ---------------------------------------------------------------------------


def list_groups(tenant: Tenant, query: dict) -> tuple[list[TalkGroup], int]:
    stmt = select(TalkGroup).options(joinedload(TalkGroup.owner), joinedload(TalkGroup.company))
    return _page(stmt, TalkGroup, tenant, query)


def _check_owner(owner_id: int | None, company_id: int) -> None:
    """The owning admin must belong to the group's company."""
    owner = db.session.get(AdminUser, owner_id) if owner_id is not None else None
    if owner is None or owner.company_id != company_id:
        raise ApiError.not_found("归属用户")


def _check_group_name(company_id: int, name: str, exclude_id: int | None = None) -> None:
    if name_taken(TalkGroup.name, name, exclude_id, company_id=company_id):
        raise ApiError.duplicate(GROUP_TAKEN)


def create_group(admin: AdminUser, tenant: Tenant, data: dict) -> TalkGroup:
    company_id = tenant.resolve(data["company_id"] or admin.company_id, "归属公司").id
    _check_owner(data["owner_id"], company_id)
    _check_group_name(company_id, data["name"])
    group = TalkGroup(company_id=company_id, owner_id=data["owner_id"], name=data["name"])
    with unique_or_300(GROUP_TAKEN):
        db.session.add(group)
    return group


def update_group(tenant: Tenant, group_id: int, data: dict) -> TalkGroup:
    """17.2: every field optional; moving a group to another company (role 1) moves its details."""
    group = tenant.get(TalkGroup, group_id, "分组")
    company_id = tenant.resolve(data.get("company_id") or group.company_id, "归属公司").id
    owner_id = data.get("owner_id", group.owner_id)
    if "owner_id" in data or company_id != group.company_id:
        _check_owner(owner_id, company_id)
    name = data.get("name", group.name)
    _check_group_name(company_id, name, group.id)
    if company_id != group.company_id:
        db.session.execute(update(SpeechDetail).where(SpeechDetail.group_id == group.id).values(company_id=company_id))
    with unique_or_300(GROUP_TAKEN):
        group.company_id, group.owner_id, group.name = company_id, owner_id, name
    return group


def delete_group(tenant: Tenant, group_id: int) -> None:
    group = tenant.get(TalkGroup, group_id, "分组")
    if db.session.scalar(select(exists().where(SpeechDetail.group_id == group.id))):
        raise ApiError.has_children("该分组下还有话术详情，请先删除或转移")
    db.session.delete(group)
    db.session.flush()


# --- 17.5-17.8 details --------------------------------------------------------------------------


def list_details(tenant: Tenant, query: dict) -> tuple[list[SpeechDetail], int]:
    stmt = select(SpeechDetail).options(joinedload(SpeechDetail.group))
    if query["group_id"] is not None:
        stmt = stmt.where(SpeechDetail.group_id == query["group_id"])
    return _page(stmt, SpeechDetail, tenant, query)


def create_detail(tenant: Tenant, data: dict) -> SpeechDetail:
    group = tenant.get(TalkGroup, data["group_id"], "归属分组")
    detail = SpeechDetail(company_id=group.company_id, group_id=group.id, content=data["content"])
    db.session.add(detail)
    db.session.flush()
    return detail


def update_detail(tenant: Tenant, detail_id: int, data: dict) -> SpeechDetail:
    detail = tenant.get(SpeechDetail, detail_id, "话术详情")
    group = tenant.get(TalkGroup, data["group_id"], "归属分组")
    detail.company_id, detail.group_id, detail.content = group.company_id, group.id, data["content"]
    db.session.flush()
    return detail


def delete_detail(tenant: Tenant, detail_id: int) -> None:
    db.session.delete(tenant.get(SpeechDetail, detail_id, "话术详情"))
    db.session.flush()
