"""What a customer does on the H5 pages, logged as AccessLog events (action codes: docs/domain.md); the customer's
own activity sign-up (8.9 on the H5 side)."""

from sqlalchemy import bindparam, insert, update

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


# Built once: every H5 read and forward runs both (Core statements on the session's connection, no unit of work;
# the rows are those the ORM would write, create_date from the column default).
_NEW_EVENT = insert(AccessLog.__table__)
_RELATION = UserCustomer.__table__
_TOUCH = (
    update(_RELATION)
    .where(_RELATION.c.radar_user_id == bindparam("rid"), _RELATION.c.customer_id == bindparam("cid"))
    .values(last_activity_time=bindparam("at"))
)


def log_action(customer: Customer, action: int, radar_user_id: int | None, article_id: int | None = None) -> None:
    """Record the event at once, and touch the relation with the radar user."""
    event = {
        "company_id": customer.company_id,
        "action": action,
        "radar_user_id": radar_user_id,
        "customer_id": customer.id,
        "article_id": article_id,
    }
    db.session.connection().execute(_NEW_EVENT, event)
    if radar_user_id is not None:
        touch_relation(radar_user_id, customer.id)


def touch_relation(radar_user_id: int, customer_id: int) -> None:
    """The radar user's customer was active just now (no-op when they are not related). It flushes nothing
    first: a relation just added is flushed by its creator (as `share._link` does)."""
    db.session.connection().execute(_TOUCH, {"rid": radar_user_id, "cid": customer_id, "at": utcnow()})


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
