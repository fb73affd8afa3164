"""The exports' inputs (POST /zhugeleida/admin/export/<kind>): the format and the filters of the list exported."""

from marshmallow import ValidationError, fields, validate, validates_schema

from app.schemas.base import BaseSchema, max_length
from app.schemas.customer import SOURCE_TEXT
from app.schemas.oplog import OperationLogFilterSchema


class ExportSchema(BaseSchema):
    format = fields.String(
        load_default="xlsx",
        validate=validate.OneOf(["xlsx", "csv"], error="只能是 xlsx 或 csv"),
        metadata={"label": "文件格式"},
    )
    company_id = fields.Integer(load_default=None, metadata={"label": "公司ID"})  # role 1 only; others: own


class DateRangeExportSchema(ExportSchema):
    start_date = fields.Date(load_default=None, metadata={"label": "开始日期"})
    end_date = fields.Date(load_default=None, metadata={"label": "结束日期"})

    @validates_schema
    def _range(self, data, **kwargs):
        if data.get("start_date") and data.get("end_date") and data["start_date"] > data["end_date"]:
            raise ValidationError("不能晚于结束日期", "start_date")


class RadarUserExportSchema(ExportSchema):
    status = fields.Integer(
        load_default=None, validate=validate.OneOf([1, 2], error="只能是1或2"), metadata={"label": "状态"}
    )
    position = fields.String(load_default=None, validate=max_length(128), metadata={"label": "职位"})
    username = fields.String(load_default=None, validate=max_length(64), metadata={"label": "姓名"})


class CustomerExportSchema(DateRangeExportSchema):
    uid = fields.Integer(load_default=None, metadata={"label": "雷达用户ID"})
    source = fields.Integer(
        load_default=None,
        validate=validate.OneOf(sorted(SOURCE_TEXT), error="只能是 1（扫码）2（转发）3（搜索）4（公众号文章）"),
        metadata={"label": "来源"},
    )
    has_sign_up = fields.Boolean(load_default=None, metadata={"label": "是否报名"})
    nickname = fields.String(load_default=None, validate=max_length(128), metadata={"label": "昵称"})


class FeedbackExportSchema(DateRangeExportSchema):
    status = fields.Integer(
        load_default=None,
        validate=validate.OneOf([1, 2], error="只能是1（未处理）或2（已处理）"),
        metadata={"label": "状态"},
    )


class OperationLogExportSchema(OperationLogFilterSchema, ExportSchema):
    pass
