"""12.1 every authorised mini-program with its release status (role 1)."""

from flask import Blueprint

from app.auth import superadmin_only
from app.declare import Page, answers, takes
from app.responses import ok
from app.schemas.answers import XcxAppSchema
from app.schemas.open_platform import XcxAppQuerySchema, xcx_app_item
from app.services import code_release

bp = Blueprint("xcx_app", __name__, url_prefix="/xcx_app")


@bp.get("")
@superadmin_only
@answers(Page(XcxAppSchema))
@takes(query=XcxAppQuerySchema)
def index(query):
    """12.1 小程序 - 所有小程序app展示: status, status_text, status_time, reason of each app's newest release."""
    rows, total = code_release.list_apps(query)
    return ok({"ret_data": [xcx_app_item(app, release) for app, release in rows], "data_count": total}, "查询成功")
