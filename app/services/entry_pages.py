"""The customer H5 pages other than the article page — an activity's and a radar user's card — as OAuth
entries: which page a login comes back to, checked against the official account's company."""

from urllib.parse import urlencode

from flask import current_app

from app.models.plugin import Activity
from app.models.radar import RadarUser
from app.responses import ApiError
from app.services.open_platform import oauth_client
from app.tenancy import get_for_company

MISSING_PAGE_MSG = "缺少 article_id、activity_id 或 uid"


def entry_page(company_id: int, activity_id: int | None, uid: int | None) -> str:
    """The URL of the activity page (with uid when given) or of uid's card page; 302 for another company's
    activity or radar user, 303 when neither is named."""
    if uid is not None:
        get_for_company(RadarUser, uid, company_id, "雷达用户")
    if activity_id is not None:
        get_for_company(Activity, activity_id, company_id, "活动")
        page = current_app.config["H5_ACTIVITY_URL"].format(activity_id=activity_id)
        return page if uid is None else f"{page}{'&' if '?' in page else '?'}{urlencode({'uid': uid})}"
    if uid is not None:
        return current_app.config["H5_CARD_URL"].format(uid=uid)
    raise ApiError.invalid(MISSING_PAGE_MSG)


def entry_url(company_id: int, activity_id: int | None, uid: int | None) -> str:
    """WeChat's silent OAuth URL that brings the customer back to that page with a code for 16.1."""
    page = entry_page(company_id, activity_id, uid)
    return oauth_client(company_id).authorize_url(page, scope="snsapi_base", state="snsapi_base")
