"""11.7, 13.1, 13.2, 13.4 公众号授权: the company's official account, step by step (role 1: `company_id`)."""

from flask import Blueprint, request

from app.auth import current_admin, tenant_scope
from app.responses import ok
from app.schemas.base import load
from app.schemas.open_platform import AppIdSchema, CompanyTargetQuerySchema
from app.services import open_platform as service
from app.services.radar_users import target_company

bp = Blueprint("gzh_auth_process", __name__, url_prefix="/gzh_auth_process")


@bp.get("")
def index():
    """13.1 / 13.4 / 11.7 公众号授权 - 流程控制: `step` 1 no appid, 2 not authorised, '' done (details)."""
    data, msg = service.auth_process(service.GZH, _company_id())
    return ok(data, msg)


@bp.post("/update/app_id")
def update_app_id():
    """13.2 代公众号授权 - 修改流程1页面: the appid of the official account the company will authorise."""
    service.set_appid(service.GZH, _company_id(), load(AppIdSchema)["authorization_appid"])
    return ok(msg="修改成功")


def _company_id() -> int:
    """The caller's company, or for role 1 the client company named by `company_id` (302 for another's)."""
    query = load(CompanyTargetQuerySchema, request.args)
    return target_company(current_admin(), tenant_scope(), query["company_id"]).id
