"""What a customer does on the H5 pages, logged as AccessLog events (action codes: docs/domain.md); the customer's
own activity sign-up (8.9 on the H5 side)."""

from sqlalchemy import update

from app.extensions import db
from app.models.plugin import Activity, ActivitySignUp
from app.models.radar import AccessLog, Customer, RadarUser, UserCustomer
from app.responses import ApiError
from app.services import phone_codes, plugins
from app.tenancy import get_for_company
from app.timefmt import utcnow

ACTION_READ_ARTICLE = 14
ACTION_FORWARD_FRIEND = 15
ACTION_FORWARD_MOMENTS = 16
ACTION_SIGN_UP = 17


def log_action(customer: Customer, action: int, radar_user_id: int | None, article_id: int | None = None) -> None:
    db.session.add(
        AccessLog(
            company_id=customer.company_id,
            action=action,
            radar_user_id=radar_user_id,
            customer_id=customer.id,
            article_id=article_id,
        )
    )
    if radar_user_id is not None:
        touch_relation(radar_user_id, customer.id)


def touch_relation(radar_user_id: int, customer_id: int) -> None:
    """The radar user's customer was active just now (no-op when they are not related)."""
    db.session.execute(
        update(UserCustomer)
        .where(UserCustomer.radar_user_id == radar_user_id, UserCustomer.customer_id == customer_id)
        .values(last_activity_time=utcnow())
        .execution_options(synchronize_session=False)
    )


def send_sign_up_code(customer: Customer, activity_id: int, phone: str) -> int:
    """An SMS code for signing up to one of the customer's company's activities that asks for one; its TTL (s)."""
    activity = get_for_company(Activity, activity_id, customer.company_id, "活动")
    if not activity.is_get_phone_code:
        raise ApiError.invalid("该活动报名无需手机验证码")
    return phone_codes.send_code(customer, phone, phone_codes.sign_up_purpose(activity.id))


def customer_sign_up(customer: Customer, activity_id: int, data: dict, uid: int | None) -> ActivitySignUp:
    """The customer signs up for one of its company's activities, from a radar user's (uid's) page if given;
    an activity that asks for a phone code wants the one sent to this phone (send_phone_code), used once."""
    activity = get_for_company(Activity, activity_id, customer.company_id, "活动")
    radar_user = get_for_company(RadarUser, uid, customer.company_id, "雷达用户") if uid is not None else None
    if activity.is_get_phone_code:
        purpose = phone_codes.sign_up_purpose(activity.id)
        phone_codes.check_code(customer, data["phone"], purpose, data["phone_verify_code"])
    entry = plugins.sign_up(activity, data, customer=customer)
    log_action(customer, ACTION_SIGN_UP, radar_user.id if radar_user else None)
    db.session.flush()
    return entry
