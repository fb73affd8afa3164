"""2.7–2.8 feedback from radar users."""

from marshmallow import fields, validate

from app.models.product import FEEDBACK_PROBLEM_TEXT, FEEDBACK_STATUS_TEXT
from app.schemas.base import BaseSchema, PageSchema
from app.schemas.fields import LocalDateTime, order_field

_status = validate.OneOf(list(FEEDBACK_STATUS_TEXT), error="只能是1（未处理）或2（已处理）")


class FeedbackQuerySchema(PageSchema):
    order = order_field("create_date", "id")
    company_id = fields.Integer(load_default=None, metadata={"label": "公司ID"})
    status = fields.Integer(load_default=None, validate=_status, metadata={"label": "状态"})


class FeedbackStatusSchema(BaseSchema):
    status = fields.Integer(required=True, validate=_status, metadata={"label": "状态"})


class FeedbackReplySchema(BaseSchema):
    reply = fields.String(
        required=True,
        validate=validate.Length(1, 2000, error="长度须为1到2000"),
        metadata={"label": "回复内容"},
    )


class FeedbackOutSchema(BaseSchema):
    id = fields.Integer()
    user_id = fields.Integer(attribute="radar_user_id")
    user_name = fields.Function(lambda f: f.radar_user.username if f.radar_user else "")
    problem_type = fields.Integer()
    problem_type_text = fields.Function(lambda f: FEEDBACK_PROBLEM_TEXT.get(f.problem_type, ""))
    content = fields.Raw()
    company_name = fields.String(attribute="company.name")
    company_id = fields.Integer()
    status = fields.Integer()
    status_text = fields.Function(lambda f: FEEDBACK_STATUS_TEXT.get(f.status, ""))
    create_date = LocalDateTime()
    reply = fields.String(allow_none=True)
    reply_date = LocalDateTime()
    reply_user = fields.Function(lambda f: f.replied_by.username if f.replied_by else None)
