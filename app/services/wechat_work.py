"""WeChat Work address book ↔ our departments and radar users (5.7), and pushing our new users to it.

The sync reads a snapshot with a bounded number of calls — gettoken (when not cached), one department/list,
the user/list_id pages, one user/list per department for the details (WeChat Work has no recursive listing:
the departments are walked, a few at once) — then converges the database onto it:
departments created/updated/moved by their WeChat id, members created/updated by userid, members gone from
WeChat disabled (status 2), never deleted; new members beyond the seat quota are reported, not created.
Every step is an upsert, so a re-run after a crash (the worker killed mid-sync) ends in the same state.
Details WeChat withholds (its 2022 restriction: name, mobile, avatar missing; or 48002 for the reads) leave
our values as they were and the result says so in `warning` (see docs/jobs_wechat.md).
"""

import logging
import re
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import and_, bindparam, delete, insert, select, update

from app.extensions import db
from app.jobs import job_logger, set_progress
from app.jobs.registry import WECHAT_WORK_SYNC
from app.models.company import Company
from app.models.jobs import Job
from app.models.radar import RADAR_DISABLED, RADAR_ENABLED, Department, RadarUser, radar_user_department
from app.responses import ApiError
from app.security import new_token
from app.services.db import lock_company
from app.services.radar_users import seats_left
from app.timefmt import utcnow
from app.wechat import work
from app.wechat.errors import WeChatError

log = logging.getLogger(__name__)

NOT_READY_MSG = "请先添加并验证企业微信通讯录秘钥"
CHUNK = 1000
MAX_ORDER = 2**31 - 1
GONE_STATUSES = {2, 5}  # WeChat member status: disabled, left the company
REPORT_LIMIT = 100  # userids listed in a result; the counts are always complete
ROOT_DEPARTMENT = 1
DETAIL_FIELDS = ("name", "mobile", "avatar")  # what WeChat's 2022 restriction stops returning
WITHHELD_WARNING = (
    "企业微信未返回{count}名成员的姓名、手机号或头像（企业微信自2022年起限制读取成员信息），这些信息未更新"
)
REFUSED_WARNING = "企业微信拒绝读取成员详情（{errcode}），{count}名成员只同步了所属部门，姓名、职位、手机号未更新"
MISSING_WARNING = "企业微信未返回{count}名成员的详情，这些成员只同步了所属部门"


def sync_lock(company_id: int) -> str:
    return f"{WECHAT_WORK_SYNC}:{company_id}"


def contacts_client(company: Company) -> work.WorkClient:
    if not (company.corp_id and company.tongxunlu_secret and company.is_validate):
        raise ApiError.invalid(NOT_READY_MSG)
    return work.WorkClient(company.corp_id, company.tongxunlu_secret)


def _company(company_id: int) -> Company:
    company = db.session.get(Company, company_id)
    if company is None:
        raise ApiError.not_found("公司")
    return company


def _guard_credentials(company: Company, client: work.WorkClient) -> None:
    """gettoken refusing the stored secret means the credentials are no longer valid: say so in 7.1."""
    if client.credentials_refused is not None:
        company.is_validate = False
        db.session.commit()


# --- the snapshot --------------------------------------------------------------------------------


@dataclass
class Snapshot:
    departments: list[dict]
    memberships: dict[str, list[int]] = field(default_factory=dict)  # userid → WeChat department ids
    details: dict[str, dict] = field(default_factory=dict)  # userid → member object (may be partial)
    details_error: int | None = None


def read_departments(job: Job, client: work.WorkClient) -> list[dict]:
    set_progress(job, 5, "读取企业微信部门")
    return work.list_departments(client)


def read_members(job: Job, client: work.WorkClient, departments: list[dict], page_size: int) -> Snapshot:
    snapshot = Snapshot(departments)
    set_progress(job, 20, "读取企业微信成员")
    for page_no, page in enumerate(work.iter_member_pages(client, page_size), 1):
        for entry in page:
            member_departments = snapshot.memberships.setdefault(entry["userid"], [])
            if entry["department"] not in member_departments:
                member_departments.append(entry["department"])
        set_progress(job, min(20 + 2 * page_no, 40), f"读取企业微信成员：{len(snapshot.memberships)}")
    set_progress(job, 45, "读取企业微信成员详情")
    config = current_app.config
    walk = work.walk_member_details(
        client,
        [d["id"] for d in departments],
        workers=config["WECHAT_WORK_SYNC_WORKERS"],
        attempts=1 + max(config["WECHAT_RETRY_MAX"], 0),
        backoff=config["WECHAT_RETRY_BACKOFF"],
    )
    snapshot.details = walk.details
    if walk.error is not None:  # details are a bonus: membership alone still syncs
        snapshot.details_error = walk.error.errcode
    return snapshot


def withheld(detail: dict | None) -> bool:
    return detail is not None and any(name not in detail for name in DETAIL_FIELDS)


def details_warning(snapshot: Snapshot) -> str | None:
    """What the console shows when WeChat kept member details from us (None when it did not)."""
    missing = len([u for u in snapshot.memberships if u not in snapshot.details])
    partial = len([u for u in snapshot.memberships if withheld(snapshot.details.get(u))])
    parts = []
    if snapshot.details_error is not None and missing:
        parts.append(REFUSED_WARNING.format(errcode=snapshot.details_error, count=missing))
    elif missing:
        parts.append(MISSING_WARNING.format(count=missing))
    if partial:
        parts.append(WITHHELD_WARNING.format(count=partial))
    return "；".join(parts) or None


# --- departments ---------------------------------------------------------------------------------


def _final_names(wx_departments: list[dict], reserved: set[str]) -> dict[int, str]:
    """Our names are unique per company, WeChat's only per parent: a clash gets the WeChat id appended."""
    names, used = {}, set(reserved)
    for dept in sorted(wx_departments, key=lambda d: d["id"]):
        name = dept["name"][:100]
        if name in used:
            name = f"{name}({dept['id']})"
        used.add(name)
        names[dept["id"]] = name
    return names


def apply_departments(company_id: int, wx_departments: list[dict]) -> tuple[dict[int, int], dict]:
    """Converge our departments onto WeChat's; returns (WeChat id → our id, counts)."""
    existing = list(db.session.scalars(select(Department).where(Department.company_id == company_id)))
    by_wx = {d.wechat_id: d for d in existing if d.wechat_id is not None}
    unlinked = {d.name: d for d in existing if d.wechat_id is None}
    rows, new = {}, set()
    for wx in wx_departments:  # adopt a department made on our side with the same name, else create
        dept = by_wx.get(wx["id"]) or unlinked.pop(wx["name"], None)
        if dept is None:
            dept = Department(company_id=company_id, name=f"~sync~{wx['id']}", order=0)
            db.session.add(dept)
            new.add(wx["id"])
        rows[wx["id"]] = dept
    before = {wx_id: (d.name, d.parent_id, d.order, d.wechat_id) for wx_id, d in rows.items()}
    synced = {id(d) for d in rows.values()}
    names = _final_names(wx_departments, {d.name for d in existing if id(d) not in synced})
    for wx_id, dept in rows.items():  # two steps, so that swapping two names never trips the unique constraint
        if dept.name != names[wx_id]:
            dept.name = f"~sync~{wx_id}"
        dept.wechat_id = wx_id
    db.session.flush()
    for wx in wx_departments:
        dept, parent = rows[wx["id"]], rows.get(wx["parentid"])
        dept.name, dept.order = names[wx["id"]], min(wx["order"], MAX_ORDER)
        dept.parent_id = parent.id if parent else None
    db.session.flush()
    updated = [i for i, d in rows.items() if i not in new and before[i] != (d.name, d.parent_id, d.order, d.wechat_id)]
    missing = len([d for d in by_wx.values() if id(d) not in synced])
    counts = {"total": len(rows), "created": len(new), "updated": len(updated), "missing": missing}
    return {wx_id: dept.id for wx_id, dept in rows.items()}, counts


# --- members -------------------------------------------------------------------------------------

DETAIL_COLUMNS = ("username", "position", "wechat_phone", "gender", "avatar", "email")
USER_COLUMNS = (RadarUser.id, RadarUser.userid, RadarUser.status, *(getattr(RadarUser, c) for c in DETAIL_COLUMNS))
LENGTHS = {"username": 64, "position": 128, "wechat_phone": 20, "avatar": 512, "email": 128}


MAINLAND_MOBILE = re.compile(r"(?:\+?86[ -]?)?(1[3-9][0-9]{9})")


def our_mobile(mobile: str | None) -> str | None:
    """WeChat's `mobile` as we keep it: a mainland number without its country prefix ("+86 13800000000" is
    13800000000, the form every input of ours takes), any other number as WeChat gives it."""
    if not mobile:
        return None
    mainland = MAINLAND_MOBILE.fullmatch(mobile.strip())
    return mainland.group(1) if mainland else mobile


def member_values(userid: str, detail: dict | None, new: bool) -> dict:
    """Our columns from a WeChat member object. Only what WeChat returned is taken: a field it withholds
    (or a member whose details it did not return) keeps our value; a new member is named by its userid."""
    detail = detail or {}
    values = {}
    if detail.get("name") or new:
        values["username"] = detail.get("name") or userid
    for column, key in (("position", "position"), ("avatar", "avatar"), ("email", "email")):
        if key in detail:
            values[column] = detail[key] or None
    if "mobile" in detail:
        values["wechat_phone"] = our_mobile(detail["mobile"])
    if "gender" in detail:
        gender = str(detail["gender"] or "0")
        values["gender"] = int(gender) if gender in ("0", "1", "2") else 0
    return {k: v[: LENGTHS[k]] if isinstance(v, str) and k in LENGTHS else v for k, v in values.items()}


@dataclass
class MemberPlan:
    present: set[str] = field(default_factory=set)
    new: list[tuple[str, dict, set[int]]] = field(default_factory=list)  # (userid, values, our department ids)
    updates: list[dict] = field(default_factory=list)
    link_adds: list[dict] = field(default_factory=list)
    link_removes: list[dict] = field(default_factory=list)
    disable: list[int] = field(default_factory=list)


def _current_links(company_id: int) -> dict[int, set[int]]:
    """Each user's WeChat-linked departments (departments made only on our side are left alone)."""
    stmt = (
        select(radar_user_department.c.radar_user_id, radar_user_department.c.department_id)
        .join(Department, Department.id == radar_user_department.c.department_id)
        .where(Department.company_id == company_id, Department.wechat_id.is_not(None))
    )
    links: dict[int, set[int]] = {}
    for user_id, dept_id in db.session.execute(stmt):
        links.setdefault(user_id, set()).add(dept_id)
    return links


def plan_members(company_id: int, snapshot: Snapshot, dept_ids: dict[int, int]) -> MemberPlan:
    existing = {
        row.userid: row for row in db.session.execute(select(*USER_COLUMNS).where(RadarUser.company_id == company_id))
    }
    links, plan = _current_links(company_id), MemberPlan()
    for userid, wx_departments in snapshot.memberships.items():
        detail = snapshot.details.get(userid)
        if detail and detail.get("status") in GONE_STATUSES:
            continue
        plan.present.add(userid)
        wanted = {dept_ids[d] for d in wx_departments if d in dept_ids}
        row = existing.get(userid)
        if row is None:
            plan.new.append((userid, member_values(userid, detail, new=True), wanted))
            continue
        changes = {k: v for k, v in member_values(userid, detail, new=False).items() if getattr(row, k) != v}
        if changes:
            plan.updates.append({"id": row.id, **changes})
        current = links.get(row.id, set())
        plan.link_adds += [{"radar_user_id": row.id, "department_id": d} for d in wanted - current]
        plan.link_removes += [{"u": row.id, "d": d} for d in current - wanted]
    plan.disable = [r.id for u, r in existing.items() if u not in plan.present and r.status == RADAR_ENABLED]
    return plan


def _seats_left(company_id: int) -> int:
    """Free seats, counted with the company row locked exactly as approvals count them, so they cannot race."""
    return seats_left(lock_company(company_id))


def _insert_new(company_id: int, batch: list[tuple[str, dict, set[int]]]) -> None:
    now = utcnow()
    rows = [
        {"company_id": company_id, "userid": u, "status": RADAR_ENABLED, "token": new_token(), "create_date": now, **v}
        for u, v, _ in batch
    ]
    db.session.execute(insert(RadarUser), rows)
    ids = dict(
        db.session.execute(
            select(RadarUser.userid, RadarUser.id).where(
                RadarUser.company_id == company_id, RadarUser.userid.in_([u for u, _, _ in batch])
            )
        ).all()
    )
    links = [{"radar_user_id": ids[u], "department_id": d} for u, _, wanted in batch for d in wanted]
    if links:
        db.session.execute(insert(radar_user_department), links)


def apply_members(job: Job, company_id: int, plan: MemberPlan) -> dict:
    """Write the plan in chunks, each one committed (a checkpoint) with the progress."""
    unlink = delete(radar_user_department).where(
        and_(
            radar_user_department.c.radar_user_id == bindparam("u"),
            radar_user_department.c.department_id == bindparam("d"),
        )
    )
    disabled = [{"id": i, "status": RADAR_DISABLED, "token": new_token()} for i in plan.disable]
    for batch in (disabled[i : i + CHUNK] for i in range(0, len(disabled), CHUNK)):  # free seats first
        db.session.execute(update(RadarUser), batch)
    for batch in (plan.updates[i : i + CHUNK] for i in range(0, len(plan.updates), CHUNK)):
        db.session.execute(update(RadarUser), batch)
    if plan.link_removes:
        db.session.execute(unlink, plan.link_removes)
    if plan.link_adds:
        db.session.execute(insert(radar_user_department), plan.link_adds)
    set_progress(job, 60, "同步成员")
    created, over_quota = 0, []
    for start in range(0, len(plan.new), CHUNK):
        batch = plan.new[start : start + CHUNK]
        allowed = _seats_left(company_id)
        over_quota += [userid for userid, _, _ in batch[allowed:]]
        if batch[:allowed]:
            _insert_new(company_id, batch[:allowed])
            created += len(batch[:allowed])
        set_progress(job, 60 + 35 * (start + len(batch)) // len(plan.new), f"同步成员：新增{created}")
    return {
        "total": len(plan.present),
        "created": created,
        "updated": len(
            {u["id"] for u in plan.updates}
            | {a["radar_user_id"] for a in plan.link_adds}
            | {r["u"] for r in plan.link_removes}
        ),
        "disabled": len(plan.disable),
        "over_quota": len(over_quota),
        "over_quota_userids": over_quota[:REPORT_LIMIT],
    }


# --- the jobs ------------------------------------------------------------------------------------


def sync_address_book(job: Job, company_id: int) -> dict:
    """5.7: the address-book sync job (app.tasks.wechat_work). Departments first (committed), then members."""
    company = _company(company_id)
    client = contacts_client(company)
    try:
        departments = read_departments(job, client)
        dept_ids, department_counts = apply_departments(company_id, departments)
        set_progress(job, 15, "同步部门")
        snapshot = read_members(job, client, departments, current_app.config["WECHAT_WORK_PAGE_SIZE"])
    except WeChatError:
        _guard_credentials(company, client)
        raise
    set_progress(job, 50, "同步成员")
    members = apply_members(job, company_id, plan_members(company_id, snapshot, dept_ids))
    result = {
        "departments": department_counts,
        "members": members,
        "details_missing": len([u for u in snapshot.memberships if u not in snapshot.details]),
        "details_withheld": len([u for u in snapshot.memberships if withheld(snapshot.details.get(u))]),
        "details_error": snapshot.details_error,
        "warning": details_warning(snapshot),
        "wechat_calls": client.calls,
    }
    summary = {k: v for k, v in members.items() if k != "over_quota_userids"}
    if result["warning"]:
        details = {k: result[k] for k in ("details_missing", "details_withheld", "details_error")}
        job_logger(job, __name__).warning("address book synced without some member details", extra=details)
    job_logger(job, __name__).info(
        "address book synced",
        extra={"departments": department_counts, "members": summary, "wechat_calls": client.calls},
    )
    return result


def push_members(job: Job, company_id: int, radar_user_ids: list[int]) -> dict:
    """Create (or update) radar users made on our side in the WeChat Work address book, one outcome each."""
    company = _company(company_id)
    client = contacts_client(company)
    users = list(
        db.session.scalars(
            select(RadarUser).where(RadarUser.company_id == company_id, RadarUser.id.in_(radar_user_ids))
        )
    )
    outcomes = []
    for index, user in enumerate(users, 1):
        outcomes.append(_push_one(company, client, user))
        set_progress(job, 100 * index // max(len(users), 1), f"推送成员：{index}/{len(users)}")
    pushed = [o for o in outcomes if "errcode" not in o]
    return {"pushed": len(pushed), "failed": len(outcomes) - len(pushed), "members": outcomes}


def _push_one(company: Company, client: work.WorkClient, user: RadarUser) -> dict:
    departments = [d.wechat_id for d in user.departments if d.wechat_id is not None] or [ROOT_DEPARTMENT]
    member = {
        "userid": user.userid,
        "name": user.username,
        "department": departments,
        "position": user.position,
        "mobile": user.wechat_phone or user.mingpian_phone,
        "email": user.email,
        "gender": str(user.gender or 0),
    }
    try:
        return {"id": user.id, "userid": user.userid, "outcome": work.upsert_member(client, member)}
    except WeChatError as err:
        if err.retryable:
            raise
        _guard_credentials(company, client)
        return {"id": user.id, "userid": user.userid, "errcode": err.errcode, "errmsg": err.errmsg}
