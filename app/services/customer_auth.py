"""16.1 the customer's login on the H5 article page: web OAuth of the company's official account, through the
third-party platform (docs/wechat.md), and 16.2 the share link a customer forwards.

snsapi_base (silent) identifies a known customer at once; an unknown one is sent through snsapi_userinfo (a
consent page) and created from its user info. A page opened from a share link carries signed share parameters:
they are checked before anything else, and the customer is recorded in the forwarding tree.
"""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models.open_platform import OfficialAccountApp
from app.models.radar import CUSTOMER_GONGZHONGHAO, GENDER_FEMALE, GENDER_MALE, GENDER_UNKNOWN, Customer
from app.responses import ApiError, Code
from app.security import new_token
from app.services import entry_pages, share
from app.services.open_platform import is_authorized, oauth_client
from app.services.share_links import ShareParams, article_page_url, verified

USERINFO = "snsapi_userinfo"


def _official_account(appid: str) -> OfficialAccountApp:
    app = db.session.scalars(select(OfficialAccountApp).where(OfficialAccountApp.authorizer_appid == appid)).first()
    if not is_authorized(app):
        raise ApiError.not_found("公众号")
    return app


def _share_params(query: dict, company_id: int) -> ShareParams | None:
    """The link's verified parameters (403 when forged or made for another company); None on a plain link."""
    if query["uid"] is None and not query["sign"]:
        return None
    if query["uid"] is None or query["level"] is None:
        raise ApiError.forbidden("分享链接参数不完整")
    if query["company_id"] is not None and query["company_id"] != company_id:
        raise ApiError.forbidden("分享链接不属于该公众号")
    params = ShareParams(query["article_id"], company_id, query["uid"], query["pid"], query["level"])
    return verified(params, query["sign"])


def login(query: dict) -> dict:
    """Situation 2 {user_id, token, is_verify: true}, or situation 1 {authorize_url, is_verify: false}."""
    app = _official_account(query["appid"])
    if query["article_id"] is not None:
        params = _share_params(query, app.company_id)
        share.readable_article(app.company_id, query["article_id"])  # before the code is spent
        page = params.page_url() if params is not None else article_page_url(query["article_id"])
    else:  # an activity or a card page: no share link, nothing recorded in a forwarding tree
        if query["sign"] or query["level"] is not None or query["pid"] is not None:  # a share link's: as before
            raise ApiError(Code.INVALID, "文章ID 不能为空", {"article_id": ["不能为空"]})
        params, page = None, entry_pages.entry_page(app.company_id, query["activity_id"], query["uid"])
    oauth = oauth_client(app.company_id)
    answer = oauth.fetch_access_token(query["code"])
    if answer.get("is_snapshotuser") == 1:  # a "snapshot page" visitor has no real openid: ask for consent
        return _consent(oauth, page)
    if USERINFO in str(oauth.scope):
        customer = _save_customer(app.company_id, oauth.get_user_info())
    else:
        customer = _customer(app.company_id, oauth.open_id)
        if customer is None:
            return _consent(oauth, page)
    if customer.status != 1:
        raise ApiError(Code.DISABLED, "账户未启用")
    if params is not None:
        share.record_visit(customer, params)
    return {"user_id": customer.id, "token": customer.token, "is_verify": True}


def _consent(oauth, page: str) -> dict:
    """The snsapi_userinfo URL back to the same page (share parameters included)."""
    return {"authorize_url": oauth.authorize_url(page, scope=USERINFO, state=USERINFO), "is_verify": False}


def _customer(company_id: int, openid: str) -> Customer | None:
    stmt = select(Customer).where(
        Customer.company_id == company_id, Customer.openid == openid, Customer.user_type == CUSTOMER_GONGZHONGHAO
    )
    return db.session.scalars(stmt).first()


def _profile(info: dict) -> dict:
    sex = info.get("sex")
    return {
        "nickname": str(info.get("nickname") or "")[:128] or None,
        "sex": sex if sex in (GENDER_UNKNOWN, GENDER_MALE, GENDER_FEMALE) else GENDER_UNKNOWN,
        "headimgurl": str(info.get("headimgurl") or "")[:512] or None,
        "province": str(info.get("province") or "")[:64] or None,
        "city": str(info.get("city") or "")[:64] or None,
        "country": str(info.get("country") or "")[:64] or None,
    }


def _save_customer(company_id: int, info: dict) -> Customer:
    """Create the customer from its user info, or refresh the profile of the one we know."""
    openid = info.get("openid")
    if not isinstance(openid, str) or not openid:
        raise ApiError(Code.SERVER_ERROR, "微信返回的用户信息缺少 openid")
    customer = _customer(company_id, openid)
    if customer is None:
        customer = Customer(company_id=company_id, openid=openid, user_type=CUSTOMER_GONGZHONGHAO, token=new_token())
        try:
            with db.session.begin_nested():
                db.session.add(customer)
                for key, value in _profile(info).items():
                    setattr(customer, key, value)
        except IntegrityError:  # the same person's other tab created it a moment ago
            customer = _customer(company_id, openid)
    for key, value in _profile(info).items():
        setattr(customer, key, value)
    db.session.flush()
    return customer


def share_url(customer: Customer, query: dict) -> str:
    """16.2: the official account's OAuth URL of the next level's link (pid = the customer)."""
    if query["company_id"] != customer.company_id:
        raise ApiError.not_found("公司")
    params = share.next_link(customer, query["article_id"], query["uid"])
    return oauth_client(customer.company_id).authorize_url(params.page_url(), state="snsapi_base")


def radar_share_url(radar_user, article_id: int) -> str:
    """The radar user's own link of an article: the root of its chain."""
    params = share.root_link(radar_user, article_id)
    return oauth_client(radar_user.company_id).authorize_url(params.page_url(), state="snsapi_base")
