"""1.5–1.7 the dashboard: /zhugeleida/admin/home_page."""

from flask import Blueprint, request

from app.auth import current_admin, reads_only, tenant_scope
from app.responses import ok
from app.schemas.base import load
from app.schemas.statistics import LineInfoSchema, StatisticsQuerySchema
from app.services import statistics
from app.services.radar_users import target_company

bp = Blueprint("home_page", __name__, url_prefix="/home_page")


def _company():
    query = load(StatisticsQuerySchema, request.args)
    return target_company(current_admin(), tenant_scope(), query["company_id"])


@bp.get("")
def index():
    """1.5 统计-名片状态+账号状态."""
    return ok({"ret_data": statistics.home_page(_company(), current_admin())}, "查询成功")


@bp.get("/acount_data")
def acount_data():
    """1.6 统计-数据概览."""
    return ok({"ret_data": statistics.account_data(_company().id)}, "查询成功")


@bp.post("/line_info")
@reads_only
def line_info():
    """1.7 统计-数据概览（折线图）."""
    company = _company()
    data = load(LineInfoSchema)
    return ok({"ret_data": statistics.line_info(company.id, data["days"], data["index_type"])}, "查询成功")
