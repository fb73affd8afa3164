"""The radar user's business card as the customer H5 pages show it (the article page, the activity page)."""

from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models.radar import RADAR_ENABLED, RadarUser


def radar_user_card(company_id: int, uid: int | None) -> RadarUser | None:
    """The card of radar user `uid` of the company, or None: no uid, another company's, or disabled (a disabled
    radar user's card is offline)."""
    if uid is None:
        return None
    user = db.session.get(RadarUser, uid, options=[joinedload(RadarUser.company)])
    if user is None or user.company_id != company_id or user.status != RADAR_ENABLED:
        return None
    return user
