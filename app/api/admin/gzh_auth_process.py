"""11.7, 13.1, 13.2, 13.4 公众号授权: the company's official account, step by step (the caller's company)."""

from flask import Blueprint

from app.auth import current_admin
from app.responses import ok
from app.schemas.base import load
from app.schemas.open_platform import AppIdSchema
from app.services import open_platform as service

bp = Blueprint("gzh_auth_process", __name__, url_prefix="/gzh_auth_process")


@bp.get("")
def index():
    """13.1 / 13.4 / 11.7 公众号授权 - 流程控制: `step` 1 no appid, 2 not authorised, '' done (details)."""
    data, msg = service.auth_process(service.GZH, current_admin().company_id)
    return ok(data, msg)


@bp.post("/update/app_id")
def update_app_id():
    """13.2 代公众号授权 - 修改流程1页面: the appid of the official account the company will authorise."""
    service.set_appid(service.GZH, current_admin().company_id, load(AppIdSchema)["authorization_appid"])
    return ok(msg="修改成功")
