"""The scan-to-join H5 page's reads before its form (check the invite, the department list).

Signed by the QR code's invite (like 5.9.2), not a login; on user.bp next to 5.9.2, in their own module.
"""

from flask import current_app, request

from app.api.admin.user import bp
from app.auth import authenticate_invite, public
from app.declare import Page, answers, page
from app.extensions import limiter
from app.responses import ok
from app.schemas.invite import InviteCheckSchema
from app.schemas.radar_user import DepartmentOutSchema
from app.services import scan_join_invite


def _scan_join_limit() -> str:
    return current_app.config["SCAN_JOIN_RATE_LIMIT"]


@bp.get("/scan_code_check")
@public
@limiter.limit(_scan_join_limit)
@answers(InviteCheckSchema)
def scan_code_check():
    """扫码加入 - 校验邀请: company name, inviter, expiry and seats left of the invite (400 expired/invalid, 306)."""
    inviter = authenticate_invite()
    facts = scan_join_invite.check_invite(inviter, int(request.args["timestamp"]))
    return ok(InviteCheckSchema().dump(facts), "查询成功")


@bp.get("/scan_code_departments")
@public
@limiter.limit(_scan_join_limit)
@answers(Page(DepartmentOutSchema))
def scan_code_departments():
    """扫码加入 - 部门列表: the inviting company's departments, for the form's `department_id`."""
    departments = scan_join_invite.invite_departments(authenticate_invite())
    return ok(page(departments, len(departments), DepartmentOutSchema), "查询成功")
