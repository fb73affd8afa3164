"""16.1–16.3 the customer's login, share link and JS-SDK configuration on the official account's H5 pages."""

from flask import Blueprint

from app.auth import current_customer, public
from app.declare import answers, takes
from app.limits import oauth_login
from app.responses import ok
from app.schemas.answers import AuthorizeUrlSchema, CustomerLoginSchema, JsSdkConfigSchema, ShareUrlSchema
from app.schemas.share import CustomerAuthQuerySchema, EntryUrlQuerySchema, JsSdkQuerySchema, ShareUrlQuerySchema
from app.services import customer_auth, entry_pages, jssdk

bp = Blueprint("work_gongzhonghao_auth", __name__, url_prefix="/work_gongzhonghao_auth")


@bp.get("")
@public
@oauth_login
@answers(CustomerLoginSchema)
@takes(query=CustomerAuthQuerySchema)
def login(query):
    """16.1 公众号 - 登录认证 (OAuth code of the official account → situation 1 authorize_url or 2 user_id/token)."""
    return ok(customer_auth.login(query), "返回成功")


@bp.get("/entry_url")
@public
@answers(AuthorizeUrlSchema)
@takes(query=EntryUrlQuerySchema)
def entry_url(query):
    """活动页/名片页的授权入口: WeChat's silent OAuth URL back to an activity page (activity_id[, uid]) or a radar
    user's card page (uid), for a page opened without a code; the page is built from configuration."""
    url = entry_pages.entry_url(query["company_id"], query["activity_id"], query["uid"])
    return ok({"authorize_url": url}, "返回成功")


@bp.get("/create_gongzhonghao_share_auth_url")
@answers(ShareUrlSchema)
@takes(query=ShareUrlQuerySchema)
def create_gongzhonghao_share_auth_url(query):
    """16.2 公众号 - 创建公众号文章分享链接 (the next level's signed link, pid = the customer)."""
    url = customer_auth.share_url(current_customer(), query)
    return ok({"share_url": url}, "返回成功")


@bp.get("/gongzhonghao_share_sign")
@answers(JsSdkConfigSchema)
@takes(query=JsSdkQuerySchema)
def gongzhonghao_share_sign(query):
    """16.3 公众号 - 生成公众号的签名算法JSDK接口 (signs `url`, the page's URL without its fragment)."""
    return ok(jssdk.page_config(current_customer(), query["company_id"], query["url"]), "查询成功")
