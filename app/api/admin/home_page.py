"""1.5–1.7 the dashboard: /zhugeleida/admin/home_page."""

from flask import Blueprint

from app.auth import current_admin, reads_only, tenant_scope
from app.declare import answers, takes
from app.responses import ok
from app.schemas.answers import AccountDataSchema, HomePageSchema, LineInfoAnswerSchema
from app.schemas.statistics import LineInfoSchema, StatisticsQuerySchema
from app.services import statistics
from app.services.radar_users import target_company

bp = Blueprint("home_page", __name__, url_prefix="/home_page")


def _company(query: dict):
    return target_company(current_admin(), tenant_scope(), query["company_id"])


@bp.get("")
@answers(HomePageSchema)
@takes(query=StatisticsQuerySchema)
def index(query):
    """1.5 统计-名片状态+账号状态."""
    return ok({"ret_data": statistics.home_page(_company(query), current_admin())}, "查询成功")


@bp.get("/acount_data")
@answers(AccountDataSchema)
@takes(query=StatisticsQuerySchema)
def acount_data(query):
    """1.6 统计-数据概览."""
    return ok({"ret_data": statistics.account_data(_company(query).id)}, "查询成功")


@bp.post("/line_info")
@reads_only
@answers(LineInfoAnswerSchema)
@takes(LineInfoSchema, query=StatisticsQuerySchema, target=_company)
def line_info(query, target, body):
    """1.7 统计-数据概览（折线图）."""
    return ok({"ret_data": statistics.line_info(target.id, body["days"], body["index_type"])}, "查询成功")
