"""Exports of the admin lists to .xlsx or .csv (docs/exports.md).

An export is a job (kind "export.run", run by app/tasks/exports.py): the request checks the caller's access and
tenancy exactly as the list does, fixes the company in the job's arguments, and answers the job id. The job streams
the rows in keyset pages (plain column tuples, never ORM objects, so memory stays flat whatever the row count) into
openpyxl's write-only workbook or a csv writer, stores the file through `_store()`, and puts a short-lived signed
download link in the job's result. Headers are in Chinese as the console shows them; times in TIMEZONE.
"""

import csv
import io
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask import current_app, g
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from openpyxl import Workbook
from sqlalchemy import func, select

from app import storage
from app.extensions import db
from app.jobs import Enqueued, enqueue, set_progress
from app.jobs.registry import EXPORT_RUN
from app.models.admin import AdminUser
from app.models.company import Company
from app.models.jobs import FINISHED, Job
from app.models.open_platform import STATUS_TEXT as RELEASE_STATUS_TEXT
from app.models.open_platform import CodeRelease, MiniProgramApp
from app.models.oplog import OperationLog
from app.models.plugin import Activity, ActivitySignUp
from app.models.product import FEEDBACK_PROBLEM_TEXT, FEEDBACK_STATUS_TEXT, Feedback
from app.models.radar import (
    RADAR_ENABLED,
    AccessLog,
    Customer,
    Department,
    RadarUser,
    UserCustomer,
    radar_user_department,
)
from app.models.share import ArticleShare
from app.responses import ApiError
from app.schemas.oplog import CATEGORY_TEXT
from app.schemas.statistics import METRICS
from app.services.customers import _filter
from app.services.oplog import log_query
from app.services.radar_users import filter_radar_users
from app.services.stat_rollup import as_date, utc_midnight
from app.services.statistics import _daily_counts
from app.tenancy import Tenant
from app.timefmt import fmt_datetime, local_today, local_tz, utcnow

FORMATS = ("xlsx", "csv")
CHUNK = 2000  # rows per keyset page (and per progress checkpoint)
_SALT = "zhugeleida.export-download"
_DASHBOARD_MAX_DAYS = 366
_SEX_TEXT = {1: "男", 2: "女"}
_SOURCE_TEXT = {1: "扫码", 2: "转发", 3: "搜索", 4: "公众号文章"}
_RADAR_STATUS_TEXT = {1: "启用", 2: "未启用"}


@dataclass(frozen=True)
class ExportKind:
    name: str
    title: str  # the file's (and sheet's) name
    headers: Callable[[dict], list[str]]  # (job args) → header row
    count: Callable[[int | None, dict], int]
    rows: Callable[[int | None, dict], Iterator[list]]  # (company_id or None = every company, filters)


# --- starting one -------------------------------------------------------------------------------------------


def _jsonable(filters: dict) -> dict:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in filters.items() if v is not None}


def start_export(admin: AdminUser, tenant: Tenant, name: str, fmt: str, filters: dict, *, one_company=False):
    """Start an export of `name` for the caller. `filters` were loaded by the list's own schema; a company_id in
    them must be the caller's own (302 otherwise); role 1 may name any, or none (every company) unless
    `one_company` (the list is always about one company: its own by default)."""
    if fmt not in FORMATS:
        raise ApiError.invalid("format 只能是 xlsx 或 csv")
    requested = filters.pop("company_id", None)
    if requested is not None:
        tenant.resolve(requested)  # 302 for another company's id, as for one naming no company
    elif one_company:
        requested = admin.company_id
    tenant = tenant.within(requested)
    company_id = tenant.scope
    if filters.get("uid") is not None:  # a radar user named in the filters: the caller's company's (302)
        tenant.get(RadarUser, filters["uid"], "雷达用户")
    if filters.get("admin_id") is not None:  # likewise an admin user (the operation log's filter)
        tenant.get(AdminUser, filters["admin_id"], "用户")
    args = {"name": name, "fmt": fmt, "company_id": company_id, "filters": _jsonable(filters)}
    started: Enqueued = enqueue(EXPORT_RUN, company_id=company_id, args=args, created_by_id=admin.id)
    return started.job


# --- the job ------------------------------------------------------------------------------------------------


def _store(name: str, fileobj) -> None:
    """Keep the finished file `name`: the storage's exports area (local disk or the bucket, docs/operations.md)."""
    fileobj.seek(0)
    storage.exports().put(name, fileobj.read())


def _open_stored(name: str):
    """The stored file `name` for reading, or None."""
    data = storage.exports().get(name)
    return None if data is None else io.BytesIO(data)


def _parse_filters(filters: dict) -> dict:
    parsed = {}
    for key, value in filters.items():
        parsed[key] = date.fromisoformat(value) if key.endswith("_date") and isinstance(value, str) else value
    return parsed


def run_export(job: Job, name: str, fmt: str, company_id: int | None, filters: dict) -> dict:
    """The job: write every row, store the file, answer its signed link."""
    kind = KINDS[name]
    filters = _parse_filters(filters)
    total = min(kind.count(company_id, filters), current_app.config["EXPORT_MAX_ROWS"])
    headers = kind.headers({"company_id": company_id, **filters})
    file_name = f"{job.id}.{fmt}"
    written = 0
    with tempfile.TemporaryFile() as tmp:
        if fmt == "xlsx":
            workbook = Workbook(write_only=True)
            sheet = workbook.create_sheet(kind.title[:31])
            sheet.append(headers)
            add = sheet.append
        else:
            text = io.TextIOWrapper(tmp, encoding="utf-8-sig", newline="")
            writer = csv.writer(text)
            writer.writerow(headers)
            add = writer.writerow
        for row in kind.rows(company_id, filters):
            if written >= total:
                break
            add(row)
            written += 1
            if written % CHUNK == 0:
                set_progress(job, min(95, written * 95 // max(total, 1)), f"导出中：{written}/{total}")
        set_progress(job, 96, "保存文件")
        if fmt == "xlsx":
            workbook.save(tmp)
        else:
            text.flush()
            text.detach()
        tmp.seek(0)
        _store(file_name, tmp)
    # No link in the stored result: the jobs list shows results to the whole company; the link is added when
    # the job's own creator (or role 1) reads it (add_download_link).
    return {"kind": name, "format": fmt, "rows": written, "file_name": download_name(kind, fmt)}


def download_name(kind: ExportKind, fmt: str) -> str:
    """e.g. 客户_20261129_120501.xlsx (local time)."""
    return f"{kind.title}_{datetime.now(local_tz()).strftime('%Y%m%d_%H%M%S')}.{fmt}"


# --- the signed link ----------------------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def download_link(job_id: str, fmt: str) -> dict:
    """A URL that downloads the file without signing in, for EXPORT_LINK_TTL seconds."""
    token = _serializer().dumps({"j": job_id, "f": fmt})
    ttl = current_app.config["EXPORT_LINK_TTL"]
    expires = fmt_datetime(utcnow() + timedelta(seconds=ttl))
    # A path on this API (the console is served from it); built without a request: jobs have none.
    path = current_app.url_map.bind("localhost").build("admin.export.download", {"token": token})
    return {"download_url": path, "expires_at": expires}


def add_download_link(job: Job, payload: dict) -> None:
    """GET /jobs/<job_id> of a finished export, read by the admin who started it or by role 1: a fresh
    signed link (valid EXPORT_LINK_TTL seconds from now) in `result`. Others of the company see no link:
    the exported list may need a rule they do not hold."""
    viewer = g.get("admin")
    result = payload.get("result")
    if not isinstance(result, dict) or job.status != FINISHED or viewer is None:
        return
    if viewer.id == job.created_by_id or viewer.is_superadmin:
        payload["result"] = {**result, **download_link(job.id, result.get("format", "xlsx"))}


def open_download(token: str):
    """(file object, job id, format) of a valid, unexpired link; 404-like ApiError otherwise."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["EXPORT_LINK_TTL"])
    except SignatureExpired:
        raise ApiError.auth("下载链接已过期，请重新导出") from None
    except BadSignature:
        raise ApiError.auth("下载链接无效") from None
    job_id, fmt = data.get("j"), data.get("f")
    if not isinstance(job_id, str) or fmt not in FORMATS:
        raise ApiError.auth("下载链接无效")
    fileobj = _open_stored(f"{job_id}.{fmt}")
    job = db.session.get(Job, job_id)
    if fileobj is None or job is None:
        raise ApiError.not_found("导出文件")
    return fileobj, job, fmt


# --- the rows -------------------------------------------------------------------------------------------------


def _local_time():
    """fmt_datetime with the zone looked up once (it is called for every cell of a time column)."""
    tz = local_tz()

    def fmt(value):
        if value is None:
            return ""
        v = value.replace(tzinfo=UTC).astimezone(tz)
        return f"{v.year:04d}-{v.month:02d}-{v.day:02d} {v.hour:02d}:{v.minute:02d}:{v.second:02d}"

    return fmt


def _keyset(stmt, id_column) -> Iterator:
    """Every row of `stmt` (column tuples, the first being the id) in pages of CHUNK, by ascending id."""
    last = None
    while True:
        page = stmt if last is None else stmt.where(id_column > last)
        rows = db.session.execute(page.order_by(id_column).limit(CHUNK)).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _count(stmt) -> int:
    return db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


def _where_company(stmt, column, company_id):
    return stmt if company_id is None else stmt.where(column == company_id)


def _range(stmt, column, filters):
    if filters.get("start_date"):
        stmt = stmt.where(column >= utc_midnight(filters["start_date"]))
    if filters.get("end_date"):
        stmt = stmt.where(column < utc_midnight(filters["end_date"] + timedelta(days=1)))
    return stmt


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "；".join(filter(None, (_text(v) for v in value)))
    if isinstance(value, dict) and "data" in value:  # a content block: {"type": …, "data": …}
        return _text(value["data"])
    if isinstance(value, dict):
        return "；".join(filter(None, (_text(v) for v in value.values() if isinstance(v, str | list | dict))))
    return str(value)


def _company_names(company_ids) -> dict[int, str]:
    ids = set(company_ids)
    if not ids:
        return {}
    return dict(db.session.execute(select(Company.id, Company.name).where(Company.id.in_(ids))).tuples().all())


# radar users -------------------------------------------------------------------------------------------------

_RADAR_HEADERS = ["ID", "姓名", "企业微信账号", "职位", "部门", "名片手机", "微信手机", "微信号", "邮箱", "状态"]
_RADAR_HEADERS += ["占用席位", "创建时间", "最近登录"]


def _radar_stmt(company_id, filters):
    columns = (RadarUser.id, RadarUser.username, RadarUser.userid, RadarUser.position, RadarUser.mingpian_phone)
    columns += (RadarUser.wechat_phone, RadarUser.wechat, RadarUser.email, RadarUser.status)
    stmt = select(*columns, RadarUser.create_date, RadarUser.last_login_date)
    return filter_radar_users(_where_company(stmt, RadarUser.company_id, company_id), filters)


def _radar_rows(company_id, filters):
    fmt_datetime = _local_time()  # the zone looked up once per export
    for page in _keyset(_radar_stmt(company_id, filters), RadarUser.id):
        ids = [row[0] for row in page]
        departments = defaultdict(list)
        stmt = (
            select(radar_user_department.c.radar_user_id, Department.name)
            .join(Department, Department.id == radar_user_department.c.department_id)
            .where(radar_user_department.c.radar_user_id.in_(ids))
            .order_by(Department.order, Department.id)
        )
        for user_id, dept in db.session.execute(stmt):
            departments[user_id].append(dept)
        for r in page:
            status = _RADAR_STATUS_TEXT.get(r.status, "")
            seat = "是" if r.status == RADAR_ENABLED else "否"
            yield [
                r.id,
                r.username,
                r.userid,
                r.position or "",
                "、".join(departments[r.id]),
                r.mingpian_phone or "",
                r.wechat_phone or "",
                r.wechat or "",
                r.email or "",
                status,
                seat,
                fmt_datetime(r.create_date),
                fmt_datetime(r.last_login_date) or "",
            ]


# customers ---------------------------------------------------------------------------------------------------

_CUSTOMER_HEADERS = ["客户ID", "昵称", "性别", "手机", "地区", "所属雷达用户", "来源", "访问次数", "停留时长（秒）"]
_CUSTOMER_HEADERS += ["转发次数", "报名次数", "最近活跃", "创建时间"]


def _customer_stmt(company_id, filters):
    columns = (Customer.id, Customer.company_id, Customer.nickname, Customer.sex, Customer.phone)
    stmt = select(*columns, Customer.province, Customer.city, Customer.create_date)
    stmt = _where_company(stmt, Customer.company_id, company_id)
    query = {key: filters.get(key) for key in ("uid", "source", "start_date", "end_date", "has_sign_up", "nickname")}
    return _filter(stmt, company_id, query)


def _customer_headers(args):
    return _CUSTOMER_HEADERS + (["公司"] if args.get("company_id") is None else [])


def _group(stmt) -> dict:
    return {row[0]: row[1:] for row in db.session.execute(stmt)}


def _customer_rows(company_id, filters):
    fmt_datetime = _local_time()  # the zone looked up once per export
    for page in _keyset(_customer_stmt(company_id, filters), Customer.id):
        ids = [row[0] for row in page]
        owner, last_seen = {}, {}
        relations = (
            select(UserCustomer.customer_id, RadarUser.username, UserCustomer.source, UserCustomer.last_activity_time)
            .join(RadarUser, RadarUser.id == UserCustomer.radar_user_id)
            .where(UserCustomer.customer_id.in_(ids))
            .order_by(UserCustomer.id)
        )
        for customer_id, username, source, seen in db.session.execute(relations):
            owner.setdefault(customer_id, (username, _SOURCE_TEXT.get(source, "")))
            if seen is not None and (customer_id not in last_seen or seen > last_seen[customer_id]):
                last_seen[customer_id] = seen
        visits = _group(
            select(AccessLog.customer_id, func.count())
            .where(AccessLog.customer_id.in_(ids))
            .group_by(AccessLog.customer_id)
        )
        shares = _group(
            select(
                ArticleShare.customer_id,
                func.sum(ArticleShare.stay_time),
                func.sum(ArticleShare.forward_friend_count + ArticleShare.forward_moments_count),
            )
            .where(ArticleShare.customer_id.in_(ids))
            .group_by(ArticleShare.customer_id)
        )
        sign_ups = _group(
            select(ActivitySignUp.customer_id, func.count())
            .where(ActivitySignUp.customer_id.in_(ids))
            .group_by(ActivitySignUp.customer_id)
        )
        names = _company_names(r.company_id for r in page) if company_id is None else {}
        for r in page:
            username, source = owner.get(r.id, ("", ""))
            stay, forwards = shares.get(r.id, (0, 0))
            region = " ".join(filter(None, (r.province, r.city)))
            row = [r.id, r.nickname or "", _SEX_TEXT.get(r.sex, "未知"), r.phone or "", region, username, source]
            row += [
                int(visits.get(r.id, (0,))[0]),
                int(stay or 0),
                int(forwards or 0),
                int(sign_ups.get(r.id, (0,))[0]),
            ]
            row += [fmt_datetime(last_seen.get(r.id)) or "", fmt_datetime(r.create_date)]
            if company_id is None:
                row.append(names.get(r.company_id, ""))
            yield row


# activity sign-ups -------------------------------------------------------------------------------------------

_SIGN_UP_HEADERS = ["报名ID", "活动", "姓名", "手机", "留言", "客户昵称", "报名时间"]


def _sign_up_stmt(company_id, filters):
    stmt = (
        select(ActivitySignUp.id, Activity.title, ActivitySignUp.name, ActivitySignUp.phone)
        .add_columns(ActivitySignUp.leave_message, Customer.nickname, ActivitySignUp.sign_up_time)
        .join(Activity, Activity.id == ActivitySignUp.activity_id)
        .outerjoin(Customer, Customer.id == ActivitySignUp.customer_id)
    )
    stmt = _where_company(stmt, ActivitySignUp.company_id, company_id)
    return _range(stmt, ActivitySignUp.sign_up_time, filters)


def _sign_up_rows(company_id, filters):
    fmt_datetime = _local_time()  # the zone looked up once per export
    for page in _keyset(_sign_up_stmt(company_id, filters), ActivitySignUp.id):
        for r in page:
            yield [r[0], r[1], r[2] or "", r[3], r[4] or "", r[5] or "", fmt_datetime(r[6])]


# feedback ----------------------------------------------------------------------------------------------------

_FEEDBACK_HEADERS = ["反馈ID", "公司", "雷达用户", "问题类型", "内容", "状态", "回复", "回复时间", "提交时间"]


def _feedback_stmt(company_id, filters):
    stmt = (
        select(Feedback.id, Company.name, RadarUser.username, Feedback.problem_type, Feedback.content)
        .add_columns(Feedback.status, Feedback.reply, Feedback.reply_date, Feedback.create_date)
        .join(Company, Company.id == Feedback.company_id)
        .outerjoin(RadarUser, RadarUser.id == Feedback.radar_user_id)
    )
    stmt = _where_company(stmt, Feedback.company_id, company_id)
    if filters.get("status") is not None:
        stmt = stmt.where(Feedback.status == filters["status"])
    return _range(stmt, Feedback.create_date, filters)


def _feedback_rows(company_id, filters):
    fmt_datetime = _local_time()  # the zone looked up once per export
    for page in _keyset(_feedback_stmt(company_id, filters), Feedback.id):
        for r in page:
            yield [
                r[0],
                r[1],
                r[2] or "",
                FEEDBACK_PROBLEM_TEXT.get(r[3], ""),
                _text(r[4]),
                FEEDBACK_STATUS_TEXT.get(r[5], ""),
                r[6] or "",
                fmt_datetime(r[7]) or "",
                fmt_datetime(r[8]),
            ]


# the dashboard -----------------------------------------------------------------------------------------------

_DASHBOARD_HEADERS = ["日期", "客户数", "跟进数", "浏览数", "被转发数", "被保存数", "被点赞数"]


def _days(filters) -> tuple[date, date]:
    end = filters.get("end_date") or local_today()
    start = filters.get("start_date") or end - timedelta(days=29)
    return start, end


def dashboard_range_error(filters: dict) -> str | None:
    start, end = _days(filters)
    if start > end:
        return "开始日期不能晚于结束日期"
    if (end - start).days >= _DASHBOARD_MAX_DAYS:
        return f"日期范围不能超过{_DASHBOARD_MAX_DAYS}天"
    return None


def _dashboard_rows(company_id, filters):
    start, end = _days(filters)
    columns = {
        index: {as_date(day): int(num or 0) for day, num in _daily_counts(company_id, index, start, end + timedelta(1))}
        for index in METRICS
    }
    day = start
    while day <= end:
        yield [day.isoformat(), *(columns[index].get(day, 0) for index in METRICS)]
        day += timedelta(days=1)


def _dashboard_count(company_id, filters):
    start, end = _days(filters)
    return (end - start).days + 1


# code-release history ----------------------------------------------------------------------------------------

_RELEASE_HEADERS = ["发版ID", "公司", "小程序", "AppID", "模板ID", "版本号", "版本描述", "状态", "原因"]
_RELEASE_HEADERS += ["提交审核时间", "审核结果时间", "发布时间", "创建时间"]


def _release_stmt(company_id, filters):
    stmt = (
        select(CodeRelease.id, Company.name, MiniProgramApp.name, MiniProgramApp.authorizer_appid)
        .add_columns(CodeRelease.template_id, CodeRelease.user_version, CodeRelease.user_desc, CodeRelease.status)
        .add_columns(CodeRelease.reason, CodeRelease.submit_time, CodeRelease.audit_time, CodeRelease.release_time)
        .add_columns(CodeRelease.create_date)
        .join(MiniProgramApp, MiniProgramApp.id == CodeRelease.app_id)
        .join(Company, Company.id == CodeRelease.company_id)
    )
    stmt = _where_company(stmt, CodeRelease.company_id, company_id)
    return _range(stmt, CodeRelease.create_date, filters)


def _release_rows(company_id, filters):
    fmt_datetime = _local_time()  # the zone looked up once per export
    for page in _keyset(_release_stmt(company_id, filters), CodeRelease.id):
        for r in page:
            row = [r[0], r[1], r[2] or "", r[3], r[4], r[5], r[6], RELEASE_STATUS_TEXT.get(r[7], str(r[7]))]
            yield [*row, r[8] or "", *(fmt_datetime(v) or "" for v in r[9:13])]


# the operation log -------------------------------------------------------------------------------------------

_LOG_HEADERS = ["时间", "类别", "操作人ID", "操作人", "切换自", "公司ID", "操作", "接口", "对象类型", "对象ID"]
_LOG_HEADERS += ["摘要", "客户端地址", "请求ID"]


def _log_stmt(company_id, filters):
    stmt = _where_company(log_query(filters), OperationLog.company_id, company_id).order_by(None)
    return stmt.with_only_columns(
        OperationLog.id,
        OperationLog.create_date,
        OperationLog.category,
        OperationLog.admin_id,
        OperationLog.admin_name,
        OperationLog.switched_from_id,
        OperationLog.company_id,
        OperationLog.action,
        OperationLog.endpoint,
        OperationLog.target_type,
        OperationLog.target_id,
        OperationLog.summary,
        OperationLog.client_ip,
        OperationLog.request_id,
    )


def _log_rows(company_id, filters):
    fmt_datetime = _local_time()  # the zone looked up once per export
    import json

    for page in _keyset(_log_stmt(company_id, filters), OperationLog.id):
        for r in page:
            summary = json.dumps(r.summary, ensure_ascii=False) if r.summary else ""
            yield [
                fmt_datetime(r.create_date),
                CATEGORY_TEXT.get(r.category, r.category),
                r.admin_id,
                r.admin_name,
                r.switched_from_id,
                r.company_id,
                r.action,
                r.endpoint or "",
                r.target_type or "",
                r.target_id or "",
                summary,
                r.client_ip or "",
                r.request_id or "",
            ]


def _counter(stmt_of):
    return lambda company_id, filters: _count(stmt_of(company_id, filters))


KINDS = {
    kind.name: kind
    for kind in (
        ExportKind("radar_users", "企业用户", lambda a: _RADAR_HEADERS, _counter(_radar_stmt), _radar_rows),
        ExportKind("customers", "客户", _customer_headers, _counter(_customer_stmt), _customer_rows),
        ExportKind("sign_ups", "活动报名", lambda a: _SIGN_UP_HEADERS, _counter(_sign_up_stmt), _sign_up_rows),
        ExportKind("feedback", "反馈", lambda a: _FEEDBACK_HEADERS, _counter(_feedback_stmt), _feedback_rows),
        ExportKind("dashboard", "数据统计", lambda a: _DASHBOARD_HEADERS, _dashboard_count, _dashboard_rows),
        ExportKind("code_releases", "代码发版记录", lambda a: _RELEASE_HEADERS, _counter(_release_stmt), _release_rows),
        ExportKind("operation_log", "操作日志", lambda a: _LOG_HEADERS, _counter(_log_stmt), _log_rows),
    )
}
