"""1.8/1.9 and 5.9.x scan-to-join: the invite QR code, pending requests (temp users), their approval."""

from collections import Counter
from urllib.parse import urlencode

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from app.auth import invite_params
from app.extensions import db
from app.models.admin import AdminUser
from app.models.company import Company
from app.models.radar import MAX_ID, RADAR_ENABLED, RadarUser, TempUser
from app.pagination import order_by, paginate
from app.responses import ApiError
from app.security import new_token
from app.services import hooks
from app.services.db import lock_company, name_taken, unique_or_300
from app.services.qrcode import admin_invite_qr
from app.services.radar_users import departments_of, filter_users, new_userid, seats_left
from app.tenancy import Tenant

DUPLICATE_MSG = "该姓名已提交过申请，请勿重复提交"
ORDER_COLUMNS = {"create_date": TempUser.create_date, "id": TempUser.id, "username": TempUser.username}
FIELDS = ("username", "position", "wechat", "wechat_phone", "mingpian_phone")

REFUSED_PHONE = "该微信手机号已是本公司的雷达用户"


def invite_url(admin: AdminUser) -> str:
    """The H5 page URL a QR code carries, signed with the admin's invite secret."""
    return current_app.config["H5_BASE_URL"] + "?" + urlencode(invite_params(admin))


def create_scan_code(admin: AdminUser) -> dict:
    url = invite_url(admin)
    return {"qrcode_url": admin_invite_qr(admin.id, url), "url": url}


def _save(temp: TempUser, company_id: int, data: dict) -> TempUser:
    if name_taken(TempUser.username, data["username"], exclude_id=temp.id, company_id=company_id):
        raise ApiError.duplicate(DUPLICATE_MSG)
    departments = departments_of(company_id, data["department_ids"])
    for key in FIELDS:
        setattr(temp, key, data[key])
    temp.departments = departments
    with unique_or_300(DUPLICATE_MSG):
        db.session.add(temp)
    return temp


def submit_temp_user(inviter: AdminUser, data: dict) -> TempUser:
    """1.9/5.9.2: a request to join the inviter's company, while it has fewer than SCAN_JOIN_MAX_PENDING (403)."""
    lock_company(inviter.company_id)  # counted one request at a time
    limit = current_app.config["SCAN_JOIN_MAX_PENDING"]
    pending = db.session.scalar(select(func.count()).where(TempUser.company_id == inviter.company_id))
    if pending >= limit:
        raise ApiError.forbidden(f"待审核的加入申请已达上限（{limit}个），请联系管理员先处理已有申请")
    return _save(TempUser(company_id=inviter.company_id, inviter_id=inviter.id), inviter.company_id, data)


def list_temp_users(company_id: int, query: dict) -> tuple[list[TempUser], int]:
    stmt = (
        select(TempUser)
        .where(TempUser.company_id == company_id)
        .options(joinedload(TempUser.company), selectinload(TempUser.departments))
    )
    stmt = filter_users(stmt, TempUser, query)
    stmt = order_by(stmt, query["order"], ORDER_COLUMNS).order_by(TempUser.id.desc())
    return paginate(stmt, query["current_page"], query["length"])


def update_temp_user(tenant: Tenant, temp_id: int, data: dict) -> TempUser:
    temp = tenant.get(TempUser, temp_id, "临时用户")
    return _save(temp, temp.company_id, data)


def delete_temp_user(tenant: Tenant, temp_id: int) -> None:
    db.session.delete(tenant.get(TempUser, temp_id, "临时用户"))
    db.session.flush()


# --- 5.9.6 approval ------------------------------------------------------------------------------


def _lock_batch(tenant: Tenant, ids: list[int]) -> tuple[dict[int, Company], dict[int, TempUser]]:
    """The requests' companies, locked in id order (so two batches cannot deadlock), then the requests.

    The requests are re-read with FOR UPDATE once the locks are held: one approved by a concurrent batch is gone.
    """
    stmt = select(TempUser.company_id).where(TempUser.id.in_(ids)).distinct()
    stmt = tenant.confine(stmt, TempUser)
    companies = {company_id: lock_company(company_id) for company_id in sorted(db.session.scalars(stmt))}
    stmt = select(TempUser).where(TempUser.id.in_(ids), TempUser.company_id.in_(companies))
    stmt = stmt.options(selectinload(TempUser.departments)).with_for_update()
    temps = db.session.scalars(stmt.execution_options(populate_existing=True))
    return companies, {temp.id: temp for temp in temps}


def _taken_phones(company_ids: set[int], temps: list[TempUser]) -> set[tuple[int, str]]:
    phones = {temp.wechat_phone for temp in temps if temp.wechat_phone}
    if not phones:
        return set()
    stmt = select(RadarUser.company_id, RadarUser.wechat_phone).where(
        RadarUser.company_id.in_(company_ids), RadarUser.wechat_phone.in_(phones)
    )
    return {tuple(row) for row in db.session.execute(stmt)}


def _make_radar_user(temp: TempUser) -> RadarUser:
    user = RadarUser(
        company_id=temp.company_id,
        userid=new_userid(),
        status=RADAR_ENABLED,
        token=new_token(),
        departments=list(temp.departments),
        **{key: getattr(temp, key) for key in FIELDS},
    )
    db.session.add(user)
    db.session.delete(temp)
    return user


def approve_temp_users(tenant: Tenant, ids: list[int]) -> dict:
    """All or nothing, like every id-taking write: an id that is no pending request in scope is 302, and a company
    without a seat for each request it would approve is 403; nothing is approved then. A request whose phone
    is already a radar user of its company is refused on its own (`refused`, with why); the others are approved."""
    ids = list(dict.fromkeys(ids))
    if not all(0 < i <= MAX_ID for i in ids):
        raise ApiError.not_found("临时用户")
    companies, temps = _lock_batch(tenant, ids)
    if len(temps) != len(ids):
        raise ApiError.not_found("临时用户")
    taken = _taken_phones(set(companies), list(temps.values()))
    approvable, refused = [], []
    for temp_id in ids:
        temp = temps[temp_id]
        if (temp.company_id, temp.wechat_phone) in taken:
            refused.append({"temp_user_id": temp_id, "reason": REFUSED_PHONE})
            continue
        if temp.wechat_phone:
            taken.add((temp.company_id, temp.wechat_phone))
        approvable.append(temp)
    for company_id, wanted in Counter(temp.company_id for temp in approvable).items():
        _check_seats(companies[company_id], wanted)
    approved, created = [temp.id for temp in approvable], {}
    for temp in approvable:
        created.setdefault(temp.company_id, []).append(_make_radar_user(temp))
    db.session.flush()
    for company_id, users in created.items():
        hooks.radar_users_created(company_id, [user.id for user in users])
    radar_user_ids = [user.id for users in created.values() for user in users]
    return {"approved": approved, "radar_user_ids": radar_user_ids, "refused": refused}


def _check_seats(company: Company, wanted: int) -> None:
    left = seats_left(company)
    if wanted > left:
        raise ApiError.forbidden(
            f"可开通名片数已用完：本次需开通{wanted}个，剩余{left}个（可开通{company.mingpian_available_num}个），"
            "请减少审核人数、停用其他用户或联系管理员增加名片数"
        )
