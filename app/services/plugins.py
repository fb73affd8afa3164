"""8.x plugins of a company: business cards, activities and their sign-ups, goods."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.models.admin import AdminUser
from app.models.plugin import Activity, ActivitySignUp, Goods, MingpianCard
from app.models.radar import Customer
from app.pagination import paginate
from app.responses import ApiError
from app.services.db import name_taken, unique_or_300
from app.tenancy import Tenant

ACTIVITY_TITLE_TAKEN = "活动标题已存在"
PHONE_SIGNED_UP = "该手机号已报名此活动"


def _list(stmt, model, tenant: Tenant, query: dict) -> tuple[list, int]:
    """Newest first, confined to the caller's company (role 1: all, or the `company_id` asked for)."""
    stmt = tenant.confine(stmt, model, query.get("company_id"))
    return paginate(stmt.order_by(model.id.desc()), query["current_page"], query["length"])


def _assign(obj, data: dict) -> None:
    for key, value in data.items():
        setattr(obj, key, value)


def _delete(obj) -> None:
    db.session.delete(obj)
    db.session.flush()


# --- 8.1-8.4 business cards --------------------------------------------------------------------


def list_cards(tenant: Tenant, query: dict) -> tuple[list[MingpianCard], int]:
    return _list(select(MingpianCard), MingpianCard, tenant, query)


def create_card(admin: AdminUser, data: dict) -> MingpianCard:
    card = MingpianCard(company_id=admin.company_id, owner_id=admin.id, **data)
    db.session.add(card)
    db.session.flush()
    return card


def update_card(tenant: Tenant, card_id: int, data: dict) -> MingpianCard:
    card = tenant.get(MingpianCard, card_id, "名片")
    _assign(card, data)
    db.session.flush()
    return card


def delete_card(tenant: Tenant, card_id: int) -> None:
    _delete(tenant.get(MingpianCard, card_id, "名片"))


# --- 8.5-8.9 activities ------------------------------------------------------------------------


def list_activities(tenant: Tenant, query: dict) -> tuple[list[Activity], int]:
    stmt = select(Activity).options(
        joinedload(Activity.owner),
        selectinload(Activity.sign_ups).joinedload(ActivitySignUp.customer),
    )
    return _list(stmt, Activity, tenant, query)


def _check_title(company_id: int, title: str, exclude_id: int | None = None) -> None:
    if name_taken(Activity.title, title, exclude_id, company_id=company_id):
        raise ApiError.duplicate(ACTIVITY_TITLE_TAKEN)


def create_activity(admin: AdminUser, data: dict) -> Activity:
    _check_title(admin.company_id, data["title"])
    activity = Activity(company_id=admin.company_id, owner_id=admin.id, **data)
    with unique_or_300(ACTIVITY_TITLE_TAKEN):
        db.session.add(activity)
    return activity


def update_activity(tenant: Tenant, activity_id: int, data: dict) -> Activity:
    activity = tenant.get(Activity, activity_id, "活动")
    if "title" in data:
        _check_title(activity.company_id, data["title"], activity.id)
    with unique_or_300(ACTIVITY_TITLE_TAKEN):
        _assign(activity, data)
    return activity


def delete_activity(tenant: Tenant, activity_id: int) -> None:
    _delete(tenant.get(Activity, activity_id, "活动"))


def sign_up(
    activity: Activity, data: dict, customer: Customer | None = None, recorder: AdminUser | None = None
) -> ActivitySignUp:
    """One sign-up per activity and phone; by the customer itself or recorded by an admin."""
    if name_taken(ActivitySignUp.phone, data["phone"], activity_id=activity.id):
        raise ApiError.duplicate(PHONE_SIGNED_UP)
    entry = ActivitySignUp(
        company_id=activity.company_id,
        activity_id=activity.id,
        customer_id=customer.id if customer else None,
        recorder_id=recorder.id if recorder else None,
        name=data["customer_name"],
        phone=data["phone"],
        leave_message=data["leave_message"],
    )
    with unique_or_300(PHONE_SIGNED_UP):
        db.session.add(entry)
    return entry


def record_sign_up(admin: AdminUser, tenant: Tenant, activity_id: int, data: dict) -> ActivitySignUp:
    """8.9: an admin records a sign-up on a customer's behalf."""
    return sign_up(tenant.get(Activity, activity_id, "活动"), data, recorder=admin)


# --- 8.10-8.13 goods ---------------------------------------------------------------------------


def list_goods(tenant: Tenant, query: dict) -> tuple[list[Goods], int]:
    return _list(select(Goods), Goods, tenant, query)


def create_goods(admin: AdminUser, data: dict) -> Goods:
    goods = Goods(company_id=admin.company_id, owner_id=admin.id, **data)
    db.session.add(goods)
    db.session.flush()
    return goods


def update_goods(tenant: Tenant, goods_id: int, data: dict) -> Goods:
    goods = tenant.get(Goods, goods_id, "商品")
    _assign(goods, data)
    db.session.flush()
    return goods


def delete_goods(tenant: Tenant, goods_id: int) -> None:
    _delete(tenant.get(Goods, goods_id, "商品"))
