"""8.5–8.9 插件 - 报名活动."""

from flask import Blueprint

from app.auth import current_admin, tenant_scope
from app.declare import Empty, Page, answers, page, takes
from app.responses import ok
from app.schemas.answers import IdSchema
from app.schemas.plugin import ActivityOutSchema, ActivitySchema, ListQuerySchema, SignUpSchema
from app.services import plugins as service

bp = Blueprint("plugin_report", __name__, url_prefix="/plugin_report")


@bp.get("")
@answers(Page(ActivityOutSchema))
@takes(query=ListQuerySchema)
def index(query):
    """8.5 插件 - 活动展示."""
    activities, total = service.list_activities(tenant_scope(), query)
    return ok(page(activities, total, ActivityOutSchema), "查询成功")


@bp.post("/add/<int:o_id>")
@answers(IdSchema)
@takes(ActivitySchema)
def add(o_id, body):
    """8.6 插件 - 添加报名活动."""
    activity = service.create_activity(current_admin(), body)
    return ok({"id": activity.id}, "添加成功")


@bp.post("/update/<int:o_id>")
@answers(Empty)
@takes(ActivitySchema, partial=True)
def update(o_id, body):
    """8.7 插件 - 修改报名\\活动详情."""
    service.update_activity(tenant_scope(), o_id, body)
    return ok(msg="修改成功")


@bp.post("/delete/<int:o_id>")
@answers(Empty)
def delete(o_id):
    """8.8 插件 - 删除活动详情."""
    service.delete_activity(tenant_scope(), o_id)
    return ok(msg="删除成功")


@bp.post("/sign_up_activity/<int:o_id>")
@answers(IdSchema)
@takes(SignUpSchema)
def sign_up_activity(o_id, body):
    """8.9 插件 - 客户报名活动接口 (an admin recording a sign-up on a customer's behalf)."""
    entry = service.record_sign_up(current_admin(), tenant_scope(), o_id, body)
    return ok({"id": entry.id}, "报名成功")
