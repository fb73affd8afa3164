"""1.3, 1.4 radar users (and their admin-side add/update/delete): departments, the seat quota."""

import secrets
from functools import cache

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from app.extensions import db
from app.models.admin import AdminUser
from app.models.company import Company
from app.models.radar import (
    MAX_ID,
    RADAR_DISABLED,
    RADAR_ENABLED,
    AccessLog,
    Department,
    FollowInfo,
    RadarUser,
    UserCustomer,
    radar_user_department,
)
from app.pagination import Paged, contains, contains_value, order_by, paged, paginate
from app.responses import ApiError
from app.security import new_token
from app.services import hooks
from app.services.db import lock_company
from app.services.stat_rollup import uncount_follow_notes
from app.tenancy import Tenant

ORDER_COLUMNS = {"create_date": RadarUser.create_date, "id": RadarUser.id, "username": RadarUser.username}


def target_company(admin: AdminUser, tenant: Tenant, requested: int | None) -> Company:
    """The company a list or dashboard request is about: the caller's own, or (role 1) the one asked for
    (`Tenant.resolve`; `admin` is the tenant's)."""
    return tenant.resolve(requested)


# The user lists' filters, in order: each a clause with a bind parameter of its name, so that a list's statement
# is the same for the same filters whatever their values (built once per shape: app/pagination.py), and the value
# bound. A filter absent, None or empty is off.
_FILTERS = {
    "status": (lambda model: model.status == bindparam("status"), lambda value: value),
    "department_id": (
        lambda model: model.departments.any(Department.id == bindparam("department_id")),
        lambda value: value,
    ),
    "position": (lambda model: contains(model.position, "position"), contains_value),
    "username": (lambda model: contains(model.username, "username"), contains_value),
}
_SHARED = ("department_id", "position", "username")  # radar users' and temp users'
_RADAR = ("status", *_SHARED)  # radar users' only


def _filters_on(filters: dict, names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(name for name in names if filters.get(name) is not None and filters.get(name) != "")


def _filter_values(filters: dict, names: tuple[str, ...]) -> dict:
    return {name: _FILTERS[name][1](filters[name]) for name in names}


def _filtered(stmt, model, names: tuple[str, ...]):
    return stmt.where(*(_FILTERS[name][0](model) for name in names))


def filter_users(stmt, model, filters: dict, names: tuple[str, ...] = _SHARED):
    """The filters the radar-user list (with its export) and the temp-user list share (`model` RadarUser or
    TempUser): department, and substrings of position and username; `names` the filters that apply."""
    on = _filters_on(filters, names)
    return _filtered(stmt, model, on).params(_filter_values(filters, on))


def filter_radar_users(stmt, filters: dict):
    """The radar-user list's filters (1.4 and its export): status, then the ones temp users share."""
    return filter_users(stmt, RadarUser, filters, _RADAR)


def list_radar_users(company_id: int, query: dict, departments: list[Department]) -> tuple[list[RadarUser], int]:
    """A page of the company's radar users, each given its departments from `departments` (the company's, as
    list_departments returns them; the list shows them anyway)."""
    names = _filters_on(query, _RADAR)
    params = {"company_id": company_id, **_filter_values(query, names)}
    users, total = paginate(_listed(names, query["order"]), query["current_page"], query["length"], params)
    _give_departments(users, departments)
    return users, total


@cache
def _listed(filters: tuple[str, ...], order: str | None) -> Paged:
    """1.4's statement, once per shape (the filters on, the order asked for)."""
    # No join for RadarUser.company: it is the one company the caller already loaded (the identity map has it).
    stmt = _filtered(select(RadarUser).where(RadarUser.company_id == bindparam("company_id")), RadarUser, filters)
    return paged(order_by(stmt, order, ORDER_COLUMNS).order_by(RadarUser.id.desc()))


# The page's (user, department) pairs: one statement of two integer columns. A selectin load of
# RadarUser.departments loaded the departments a second time as ORM rows and built its query per page.
_PAGE_DEPARTMENT_PAIRS = (
    select(radar_user_department.c.radar_user_id, radar_user_department.c.department_id)
    .where(radar_user_department.c.radar_user_id.in_(bindparam("user_ids", expanding=True)))
    .order_by(radar_user_department.c.radar_user_id, radar_user_department.c.department_id)
)


def _give_departments(users: list[RadarUser], departments: list[Department]) -> None:
    if not users:
        return
    by_id = {department.id: department for department in departments}
    linked: dict[int, list[Department]] = {user.id: [] for user in users}
    for user_id, department_id in db.session.execute(_PAGE_DEPARTMENT_PAIRS, {"user_ids": list(linked)}):
        if department_id in by_id:  # always: a radar user's departments are its company's
            linked[user_id].append(by_id[department_id])
    for user in users:
        set_committed_value(user, "departments", linked[user.id])  # loaded, not changed: nothing to flush


def list_departments(company_id: int) -> list[Department]:
    stmt = select(Department).where(Department.company_id == company_id).order_by(Department.order, Department.id)
    return list(db.session.scalars(stmt))


def departments_of(company_id: int, ids: list[int]) -> list[Department]:
    """The company's departments with these ids; 302 when any of them is missing or another company's."""
    wanted = set(ids)
    if not wanted:
        return []
    if not all(0 < i <= MAX_ID for i in wanted):
        raise ApiError.not_found("部门")
    found = list(
        db.session.scalars(select(Department).where(Department.company_id == company_id, Department.id.in_(wanted)))
    )
    if len(found) != len(wanted):
        raise ApiError.not_found("部门")
    return found


# --- the seat quota ------------------------------------------------------------------------------


def seats_used(company_id: int) -> int:
    """Enabled radar users. A locking read: under REPEATABLE READ a plain one could miss a just-committed user."""
    stmt = select(func.count()).where(RadarUser.company_id == company_id, RadarUser.status == RADAR_ENABLED)
    return db.session.scalar(stmt.with_for_update(read=True)) or 0


def seats_left(company: Company) -> int:
    """Free seats of a company locked with lock_company()."""
    return max(company.mingpian_available_num - seats_used(company.id), 0)


def quota_error(company: Company) -> ApiError:
    return ApiError.forbidden(
        f"可开通名片数已用完（可开通{company.mingpian_available_num}个），请先停用其他用户或联系管理员增加名片数"
    )


def set_radar_user_status(tenant: Tenant, user_id: int, status: int) -> RadarUser:
    """1.3: enabling takes a seat (403 when none is left); disabling frees it and revokes the user's token."""
    user = tenant.get(RadarUser, user_id, "用户")
    if status == RADAR_ENABLED and user.status != RADAR_ENABLED:
        company = lock_company(user.company_id)
        if seats_left(company) < 1:
            raise quota_error(company)
    if status == RADAR_DISABLED and user.status != RADAR_DISABLED:
        user.token = new_token()
    user.status = status
    db.session.flush()
    return user


# --- admin-side add / update / delete ------------------------------------------------------------


def new_userid() -> str:
    """A WeChat Work userid for a radar user made on our side (WeChat allows letters, digits, _ . @ -)."""
    return "zgld_" + secrets.token_hex(6)


def _apply(user: RadarUser, data: dict, departments: list[Department]) -> None:
    for key in ("username", "position", "wechat", "wechat_phone", "mingpian_phone", "email", "gender"):
        setattr(user, key, data[key])
    user.departments = departments


def create_radar_user(company_id: int, data: dict) -> RadarUser:
    departments = departments_of(company_id, data["department_ids"])
    userid = data["userid"] or new_userid()
    if db.session.scalar(select(RadarUser.id).where(RadarUser.company_id == company_id, RadarUser.userid == userid)):
        raise ApiError.duplicate("企业微信账号已存在")
    if data["status"] == RADAR_ENABLED:
        company = lock_company(company_id)
        if seats_left(company) < 1:
            raise quota_error(company)
    user = RadarUser(company_id=company_id, userid=userid, status=data["status"], token=new_token())
    _apply(user, data, departments)
    db.session.add(user)
    db.session.flush()
    hooks.radar_users_created(company_id, [user.id])
    return user


def update_radar_user(tenant: Tenant, user_id: int, data: dict) -> RadarUser:
    user = tenant.get(RadarUser, user_id, "用户")
    _apply(user, data, departments_of(user.company_id, data["department_ids"]))
    db.session.flush()
    hooks.radar_users_created(user.company_id, [user.id])  # the hook upserts: WeChat Work gets the change too
    return user


def delete_radar_user(tenant: Tenant, user_id: int) -> None:
    """Its customer relations and follow-up notes go with it (and out of the statistics' rollup); its events stay.

    Done explicitly rather than by the foreign keys' ON DELETE, which SQLite does not enforce by default.
    """
    user = tenant.get(RadarUser, user_id, "用户")
    relations = select(UserCustomer.id).where(UserCustomer.radar_user_id == user.id)
    uncount_follow_notes(relations)
    db.session.execute(delete(FollowInfo).where(FollowInfo.user_customer_id.in_(relations)))
    db.session.execute(delete(UserCustomer).where(UserCustomer.radar_user_id == user.id))
    db.session.execute(update(AccessLog).where(AccessLog.radar_user_id == user.id).values(radar_user_id=None))
    db.session.execute(delete(radar_user_department).where(radar_user_department.c.radar_user_id == user.id))
    db.session.execute(delete(RadarUser).where(RadarUser.id == user.id))
