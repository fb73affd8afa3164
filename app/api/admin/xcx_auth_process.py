"""11.1–11.3, 11.5, 11.6 小程序授权: the company's mini-program, step by step (role 1: the `company_id` named)."""

from flask import Blueprint

from app.auth import current_admin, tenant_scope
from app.declare import Empty, answers, takes
from app.responses import ok
from app.schemas.answers import AuthProcessSchema
from app.schemas.open_platform import AppIdSchema, CompanyTargetQuerySchema, XcxInfoSchema
from app.services import open_platform as service
from app.services.radar_users import target_company

bp = Blueprint("xcx_auth_process", __name__, url_prefix="/xcx_auth_process")


@bp.get("")
@answers(AuthProcessSchema)
@takes(query=CompanyTargetQuerySchema)
def index(query):
    """11.1 / 11.6 小程序授权 - 流程控制: `step` 1 no appid, 2 not authorised, 3 details missing, '' done (details)."""
    data, msg = service.auth_process(service.XCX, _company_id(query))
    return ok(data, msg)


@bp.post("/update/app_id")
@answers(Empty)
@takes(AppIdSchema, query=CompanyTargetQuerySchema, target=lambda query: _company_id(query))
def update_app_id(query, target, body):
    """11.2 小程序授权 - 修改流程1页面: the appid of the mini-program the company will authorise."""
    service.set_appid(service.XCX, target, body["authorization_appid"])
    return ok(msg="修改成功")


@bp.get("/update/xcx_get_authorizer_info")
@answers(Empty)
@takes(query=CompanyTargetQuerySchema)
def xcx_get_authorizer_info(query):
    """11.3 小程序授权 - 获取小程序帐号基本信息: refresh the details from WeChat (api_get_authorizer_info)."""
    app = service.authorized_app(service.XCX, _company_id(query))
    service.refresh_details(service.XCX, app)
    return ok(msg="成功获取小程序帐号基本信息authorizer_info")


@bp.post("/update/info")
@answers(Empty)
@takes(XcxInfoSchema, query=CompanyTargetQuerySchema, target=lambda query: _company_id(query))
def update_info(query, target, body):
    """11.5 小程序授权 - 修改流程3页面: name, head_img, introduce, service_category (and auto_release)."""
    service.update_details(target, body)
    return ok(msg="修改成功")


def _company_id(query: dict) -> int:
    """The caller's company, or for role 1 the client company named by `company_id` (302 for another's)."""
    return target_company(current_admin(), tenant_scope(), query["company_id"]).id
