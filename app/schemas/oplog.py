"""The operation log's filters and entries (GET /zhugeleida/admin/operation_log)."""

from marshmallow import ValidationError, fields, validate, validates_schema

from app.models.oplog import CATEGORY_SECURITY, CATEGORY_WRITE
from app.schemas.base import BaseSchema, PageSchema, max_length
from app.schemas.fields import LocalDateTime

CATEGORIES = (CATEGORY_WRITE, CATEGORY_SECURITY)
CATEGORY_TEXT = {CATEGORY_WRITE: "写操作", CATEGORY_SECURITY: "安全事件"}


class OperationLogFilterSchema(BaseSchema):
    """The filters, shared by the list and its export."""

    admin_id = fields.Integer(load_default=None, metadata={"label": "操作人ID"})
    action = fields.String(load_default=None, validate=max_length(128), metadata={"label": "操作（权限条目）"})
    category = fields.String(
        load_default=None,
        validate=validate.OneOf(CATEGORIES, error="只能是 write（写操作）、security（安全事件）"),
        metadata={"label": "类别"},
    )
    target_type = fields.String(load_default=None, validate=max_length(64), metadata={"label": "对象类型"})
    target_id = fields.String(load_default=None, validate=max_length(64), metadata={"label": "对象ID"})
    start_date = fields.Date(load_default=None, metadata={"label": "开始日期"})
    end_date = fields.Date(load_default=None, metadata={"label": "结束日期"})
    company_id = fields.Integer(load_default=None, metadata={"label": "公司ID"})  # role 1 only; others: own

    @validates_schema
    def _range(self, data, **kwargs):
        if data.get("start_date") and data.get("end_date") and data["start_date"] > data["end_date"]:
            raise ValidationError("不能晚于结束日期", "start_date")


class OperationLogQuerySchema(PageSchema, OperationLogFilterSchema):
    pass


class OperationLogOutSchema(BaseSchema):
    id = fields.Integer()
    create_date = LocalDateTime()
    category = fields.String()
    category_text = fields.Function(lambda e: CATEGORY_TEXT.get(e.category, e.category))
    admin_id = fields.Integer(allow_none=True)
    admin_name = fields.String(allow_none=True)
    switched_from_id = fields.Integer(allow_none=True)
    company_id = fields.Integer(allow_none=True)
    action = fields.String()
    endpoint = fields.String(allow_none=True)
    target_type = fields.String(allow_none=True)
    target_id = fields.String(allow_none=True)
    summary = fields.Dict(allow_none=True)
    client_ip = fields.String(allow_none=True)
    request_id = fields.String(allow_none=True)
