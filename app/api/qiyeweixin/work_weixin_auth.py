"""The radar user's login through WeChat Work OAuth (the AI雷达 app's home page sends the member here)."""

from flask import Blueprint

from app.auth import public
from app.declare import answers, takes
from app.limits import oauth_login
from app.responses import ok
from app.schemas.answers import RadarLoginSchema
from app.schemas.share import WorkAuthQuerySchema
from app.services.radar_auth import login_radar_user

bp = Blueprint("work_weixin_auth", __name__, url_prefix="/work_weixin_auth")


@bp.get("/<int:company_id>")
@public
@oauth_login
@answers(RadarLoginSchema)
@takes(query=WorkAuthQuerySchema)
def login(company_id, query):
    """企业微信 - 雷达用户登录: the code of the app's OAuth redirect → the radar user's user_id and token."""
    user = login_radar_user(company_id, query["app_type"], query["code"])
    data = {"user_id": user.id, "token": user.token, "username": user.username, "company_id": user.company_id}
    return ok(data, "登录成功")
