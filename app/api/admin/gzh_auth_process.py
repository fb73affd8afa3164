"""11.7, 13.1, 13.2, 13.4 公众号授权: the company's official account, step by step (role 1: `company_id`)."""

from flask import Blueprint

from app.auth import current_admin, tenant_scope
from app.declare import Empty, answers, takes
from app.responses import ok
from app.schemas.answers import AuthProcessSchema
from app.schemas.open_platform import AppIdSchema, CompanyTargetQuerySchema
from app.services import open_platform as service
from app.services.radar_users import target_company

bp = Blueprint("gzh_auth_process", __name__, url_prefix="/gzh_auth_process")


@bp.get("")
@answers(AuthProcessSchema)
@takes(query=CompanyTargetQuerySchema)
def index(query):
    """13.1 / 13.4 / 11.7 公众号授权 - 流程控制: `step` 1 no appid, 2 not authorised, '' done (details)."""
    data, msg = service.auth_process(service.GZH, _company_id(query))
    return ok(data, msg)


@bp.post("/update/app_id")
@answers(Empty)
@takes(AppIdSchema, query=CompanyTargetQuerySchema, target=lambda query: _company_id(query))
def update_app_id(query, target, body):
    """13.2 代公众号授权 - 修改流程1页面: the appid of the official account the company will authorise."""
    service.set_appid(service.GZH, target, body["authorization_appid"])
    return ok(msg="修改成功")


def _company_id(query: dict) -> int:
    """The caller's company, or for role 1 the client company named by `company_id` (302 for another's)."""
    return target_company(current_admin(), tenant_scope(), query["company_id"]).id
