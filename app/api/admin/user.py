"""1.3, 1.4, 1.8, 1.9 and 5.9.x: /zhugeleida/admin/user — radar users and scan-to-join requests.

`type=temp_user` (query string or body) switches the list, update and delete to the pending
scan-to-join requests (docs/domain.md "Reading the API document").
"""

from flask import Blueprint, current_app, request

from app.auth import authenticate_invite, current_admin, public, tenant_scope
from app.declare import Empty, answers, page, takes
from app.extensions import limiter
from app.responses import ok
from app.schemas.admin_user import StatusSchema
from app.schemas.answers import (
    ApprovalResultSchema,
    RadarUserAddedSchema,
    RadarUserListSchema,
    ScanCodeSchema,
    TempUserListSchema,
)
from app.schemas.base import load, request_data
from app.schemas.radar_user import (
    TEMP_USER,
    ApprovalSchema,
    CompanyQuerySchema,
    DepartmentOutSchema,
    RadarUserAddSchema,
    RadarUserOutSchema,
    RadarUserSchema,
    ScanJoinSchema,
    TempUserOutSchema,
    UserListQuerySchema,
    UserTypeSchema,
)
from app.services import radar_users, scan_join

bp = Blueprint("user", __name__, url_prefix="/user")

# Built once: a marshmallow schema costs more to build than to dump a page with.
RADAR_USERS_OUT = RadarUserOutSchema(many=True)
TEMP_USERS_OUT = TempUserOutSchema(many=True)
DEPARTMENTS_OUT = DepartmentOutSchema(many=True)


def _is_temp_user() -> bool:
    given = request.args.get("type") or (request_data().get("type") if request.method == "POST" else None)
    return load(UserTypeSchema, {"type": given})["type"] == TEMP_USER


def _target_company(query: dict):
    return radar_users.target_company(current_admin(), tenant_scope(), query["company_id"])


def _scan_join_limit() -> str:
    return current_app.config["SCAN_JOIN_RATE_LIMIT"]


@bp.get("")
@answers(RadarUserListSchema, TempUserListSchema)
@takes(query=UserListQuerySchema)
def index(query):
    """1.4 展示企业（雷达）用户; 5.9.3 展示待审核用户 (type=temp_user)."""
    company = radar_users.target_company(current_admin(), tenant_scope(), query["company_id"])
    company_departments = radar_users.list_departments(company.id)
    departments = DEPARTMENTS_OUT.dump(company_departments)
    if query["type"] == TEMP_USER:
        users, total = scan_join.list_temp_users(company.id, query)
        return ok({**page(users, total, TEMP_USERS_OUT), "department_list": departments}, "查询成功")
    users, total = radar_users.list_radar_users(company.id, query, company_departments)
    data = {
        **page(users, total, RADAR_USERS_OUT),
        "mingpian_available_num": company.mingpian_available_num,
        "department_list": departments,
    }
    return ok(data, "查询成功")


@bp.post("/update_status/<int:o_id>")
@answers(Empty)
@takes(StatusSchema)
def update_status(o_id, body):
    """1.3 用户状态启用和未启用."""
    radar_users.set_radar_user_status(tenant_scope(), o_id, body["status"])
    return ok(msg="修改成功")


@bp.post("/add/<int:o_id>")
@answers(RadarUserAddedSchema)
@takes(RadarUserAddSchema, query=CompanyQuerySchema, target=_target_company)
def add(o_id, query, target, body):
    """增加雷达用户 (console; not in the document): takes a seat when enabled."""
    user = radar_users.create_radar_user(target.id, body)
    return ok({"id": user.id, "userid": user.userid}, "添加成功")


@bp.post("/update/<int:o_id>")
@answers(Empty)
@takes(RadarUserSchema, ScanJoinSchema, also_query=UserTypeSchema)
def update(o_id):
    """5.9.4 修改审核的用户 (type=temp_user); without it, 修改雷达用户."""
    if _is_temp_user():
        scan_join.update_temp_user(tenant_scope(), o_id, load(ScanJoinSchema))
    else:
        radar_users.update_radar_user(tenant_scope(), o_id, load(RadarUserSchema))
    return ok(msg="修改成功")


@bp.post("/delete/<int:o_id>")
@answers(Empty)
@takes(also_query=UserTypeSchema)
def delete(o_id):
    """5.9.5 删除临时用户 (type=temp_user); without it, 删除雷达用户."""
    if _is_temp_user():
        scan_join.delete_temp_user(tenant_scope(), o_id)
    else:
        radar_users.delete_radar_user(tenant_scope(), o_id)
    return ok(msg="删除成功")


@bp.get("/create_scan_code/<int:o_id>")
@answers(ScanCodeSchema)
def create_scan_code(o_id):
    """1.8/5.9.1 生成添加用户的二维码 (signed with the admin's invite secret)."""
    return ok(scan_join.create_scan_code(current_admin()), "查询成功")


@bp.post("/scan_code_to_add_user/<int:o_id>")
@public
@limiter.limit(_scan_join_limit)
@answers(Empty)
@takes(ScanJoinSchema, target=authenticate_invite)
def scan_code_to_add_user(o_id, target, body):
    """1.9/5.9.2 扫码添加个人信息: authenticated by the QR code's invite signature, not a login."""
    scan_join.submit_temp_user(target, body)
    return ok(msg="添加成功")


@bp.post("/approval_storage_user_info/<int:o_id>")
@answers(ApprovalResultSchema)
@takes(ApprovalSchema)
def approval_storage_user_info(o_id, body):
    """5.9.6 批量或者单个审核入库用户信息: reports which requests were approved and which refused, and why."""
    result = scan_join.approve_temp_users(tenant_scope(), body["temp_user_ids"])
    refused = len(result["refused"])
    msg = "添加成功" if not refused else f"添加成功{len(result['approved'])}人，未通过{refused}人"
    return ok(result, msg)
