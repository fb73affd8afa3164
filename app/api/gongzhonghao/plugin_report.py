"""8.9 on the H5 side: the customer reads an activity and signs up for it itself (customer credentials)."""

from flask import Blueprint, request

from app.auth import current_customer
from app.responses import ok
from app.schemas.activity_page import ActivityPageSchema
from app.schemas.base import load
from app.schemas.plugin import SignUpSchema
from app.schemas.share import CustomerSignUpQuerySchema
from app.services.activity_page import view_activity
from app.services.customer_events import customer_sign_up

bp = Blueprint("plugin_report", __name__, url_prefix="/plugin_report")


@bp.post("/sign_up_activity/<int:o_id>")
def sign_up_activity(o_id):
    """8.9 插件 - 客户报名活动接口 (the customer's own sign-up; `uid`: the radar user whose page it came from)."""
    uid = load(CustomerSignUpQuerySchema, request.args)["uid"]
    entry = customer_sign_up(current_customer(), o_id, load(SignUpSchema), uid)
    return ok({"id": entry.id}, "报名成功")


@bp.get("/activity/<int:o_id>")
def activity(o_id):
    """活动页: the activity, its sign-up form's fields and count, the radar user's card (`uid`); counts a view."""
    uid = load(CustomerSignUpQuerySchema, request.args)["uid"]
    return ok({"ret_data": ActivityPageSchema().dump(view_activity(current_customer(), o_id, uid))}, "查询成功")
