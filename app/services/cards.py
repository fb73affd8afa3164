"""The radar user's business card as the customer H5 pages show it (the article page, the activity page)."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models.plugin import Activity
from app.models.radar import RADAR_ENABLED, Customer, RadarUser
from app.responses import ApiError


def radar_user_card(company_id: int, uid: int | None) -> RadarUser | None:
    """The card of radar user `uid` of the company, or None: no uid, another company's, or disabled (a disabled
    radar user's card is offline)."""
    if uid is None:
        return None
    user = db.session.get(RadarUser, uid, options=[joinedload(RadarUser.company)])
    if user is None or user.company_id != company_id or user.status != RADAR_ENABLED:
        return None
    return user


def card_page(customer: Customer, uid: int) -> dict:
    """Radar user uid's card with the customer's company's activities (newest first); 302 when the radar user is
    unknown, disabled or another company's. Two queries whatever the number of activities."""
    user = radar_user_card(customer.company_id, uid)
    if user is None:
        raise ApiError.not_found("雷达用户")
    activities = db.session.execute(
        select(Activity.id, Activity.title)
        .where(Activity.company_id == customer.company_id)
        .order_by(Activity.id.desc())
    ).all()
    return {"card": user, "activities": [{"id": a.id, "title": a.title} for a in activities]}
