"""/zhugeleida/admin/operation_log — the operation log (操作日志, docs/operation_log.md)."""

from flask import Blueprint

from app.auth import tenant_scope
from app.declare import Page, answers, page, takes
from app.responses import ok
from app.schemas.oplog import OperationLogOutSchema, OperationLogQuerySchema
from app.services import oplog as service

bp = Blueprint("operation_log", __name__, url_prefix="/operation_log")


@bp.get("")
@answers(Page(OperationLogOutSchema))
@takes(query=OperationLogQuerySchema)
def index(query):
    """操作日志: successful admin writes and security events, newest first (filters admin_id, action, category,
    target_type, target_id, start_date, end_date; role 1 all or company_id, role 2 its company)."""
    entries, total = service.list_entries(tenant_scope(), query)
    return ok(page(entries, total, OperationLogOutSchema), "查询成功")
