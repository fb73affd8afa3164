"""8.9 on the H5 side: the customer reads an activity and signs up for it itself (customer credentials), after
asking for an SMS code when the activity wants one."""

from flask import Blueprint, current_app

from app.auth import current_customer
from app.declare import answers, takes
from app.extensions import limiter
from app.responses import ok
from app.schemas.activity_page import ActivityPageSchema
from app.schemas.answers import ActivityPageAnswerSchema, CodeSentSchema, IdSchema
from app.schemas.base import request_data
from app.schemas.plugin import PhoneCodeSchema, SignUpSchema
from app.schemas.share import CustomerSignUpQuerySchema
from app.services.activity_page import view_activity
from app.services.customer_events import customer_sign_up, send_sign_up_code

bp = Blueprint("plugin_report", __name__, url_prefix="/plugin_report")


def _customer_key() -> str:
    return f"customer:{current_customer().id}"


def _phone_key() -> str:
    phone = request_data().get("phone")
    return f"phone:{phone.strip() if isinstance(phone, str) else phone}"


def _sign_up_limit() -> str:
    return current_app.config["SIGN_UP_RATE_LIMIT"]


def _code_phone_limit() -> str:
    return current_app.config["SMS_CODE_PHONE_RATE_LIMIT"]


def _code_customer_limit() -> str:
    return current_app.config["SMS_CODE_CUSTOMER_RATE_LIMIT"]


@bp.post("/send_phone_code/<int:o_id>")
@limiter.limit(_code_customer_limit, key_func=_customer_key)
@limiter.limit(_code_phone_limit, key_func=_phone_key)
@answers(CodeSentSchema)
@takes(PhoneCodeSchema)
def send_phone_code(o_id, body):
    """8.9 插件 - 发送报名手机验证码 (`phone`; for an activity with is_get_phone_code; valid SMS_CODE_TTL_SECONDS)."""
    ttl = send_sign_up_code(current_customer(), o_id, body["phone"])
    return ok({"expires_in": ttl}, "验证码已发送")


@bp.post("/sign_up_activity/<int:o_id>")
@limiter.limit(_sign_up_limit, key_func=_customer_key)
@answers(IdSchema)
@takes(SignUpSchema, query=CustomerSignUpQuerySchema)
def sign_up_activity(o_id, query, body):
    """8.9 插件 - 客户报名活动接口 (the customer's own sign-up; `uid`: the radar user whose page it came from;
    `phone_verify_code` when the activity asks for one)."""
    entry = customer_sign_up(current_customer(), o_id, body, query["uid"])
    return ok({"id": entry.id}, "报名成功")


@bp.get("/activity/<int:o_id>")
@answers(ActivityPageAnswerSchema)
@takes(query=CustomerSignUpQuerySchema)
def activity(o_id, query):
    """活动页: the activity, its sign-up form's fields and count, the radar user's card (`uid`); counts a view."""
    return ok(
        {"ret_data": ActivityPageSchema().dump(view_activity(current_customer(), o_id, query["uid"]))}, "查询成功"
    )
