"""7.1–7.4 companies."""

from marshmallow import fields, validate

from app.models.company import TERM_MONTHS
from app.schemas.base import BaseSchema, PageSchema, max_length
from app.schemas.fields import LocalDate, SafeUrl, order_field


class CompanyQuerySchema(PageSchema):
    order = order_field("create_date", "id", "name", "charging_start_time", "account_expired_time")
    name = fields.String(load_default=None, validate=max_length(128), metadata={"label": "公司名称"})


class CompanySchema(BaseSchema):
    name = fields.String(
        required=True, validate=validate.Length(1, 128, error="长度须为1到128"), metadata={"label": "公司名称"}
    )
    charging_start_time = fields.Date(required=True, metadata={"label": "开始计费时间"})
    open_length_time = fields.Integer(
        required=True,
        validate=validate.OneOf(list(TERM_MONTHS), error="只能是1到5（一个月、二个月、三个月、一年、二年）"),
        metadata={"label": "开通时长"},
    )
    mingpian_available_num = fields.Integer(
        required=True,
        validate=validate.Range(min=0, max=100000, error="必须在0到100000之间"),
        metadata={"label": "开通数量"},
    )
    remarks = fields.String(load_default=None, allow_none=True, validate=max_length(5000), metadata={"label": "备注"})


class TongxunluSchema(BaseSchema):
    corp_id = fields.String(
        required=True, validate=validate.Length(1, 64, error="长度须为1到64"), metadata={"label": "企业ID"}
    )
    tongxunlu_secret = fields.String(
        required=True, validate=validate.Length(1, 256, error="长度须为1到256"), metadata={"label": "通讯录秘钥"}
    )
    wechat_qr_code = SafeUrl("企业微信二维码", 255, load_default=None, data_key="weChatQrCode")


class AgentSchema(BaseSchema):
    app_type = fields.Integer(
        required=True,
        validate=validate.OneOf([1, 2], error="只能是1（AI雷达）或2（Boss雷达）"),
        metadata={"label": "应用类型"},
    )
    agent_id = fields.Integer(
        required=True, validate=validate.Range(min=1, error="必须是正整数"), metadata={"label": "应用ID"}
    )
    app_secret = fields.String(
        required=True, validate=validate.Length(1, 256, error="长度须为1到256"), metadata={"label": "应用秘钥"}
    )
    name = fields.String(load_default=None, validate=max_length(64), metadata={"label": "应用名称"})


class AuthorStatusQuerySchema(BaseSchema):
    company_id = fields.Integer(load_default=None, metadata={"label": "公司ID"})


class CompanyOutSchema(BaseSchema):
    """A company row of 7.1.1; the counted figures are added by services.companies.company_rows()."""

    name = fields.String()
    company_id = fields.Integer(attribute="id")
    mingpian_available_num = fields.Integer()
    charging_start_time = LocalDate()
    account_expired_time = LocalDate()
    open_length_time = fields.Integer()
    remarks = fields.String(allow_none=True)
    corp_id = fields.String(allow_none=True)
    is_validate = fields.Boolean()
    weChatQrCode = fields.String(attribute="wechat_qr_code", allow_none=True)
    create_date = LocalDate()
