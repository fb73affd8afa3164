"""1.5–1.7 dashboard statistics."""

from marshmallow import fields, validate

from app.schemas.base import BaseSchema
from app.schemas.radar_user import CompanyQuerySchema

# index_type (1.7) → the metric's key in 1.6.
METRICS = {
    1: "customer_num",
    2: "follow_num",
    3: "browse_num",
    4: "forward_num",
    5: "saved_total_num",
    6: "praise_sum",
}


class StatisticsQuerySchema(CompanyQuerySchema):
    """1.5/1.6 take only the public parameters (role 1 may add company_id)."""


class LineInfoSchema(BaseSchema):
    days = fields.Integer(
        required=True, validate=validate.Range(1, 90, error="必须在1到90之间"), metadata={"label": "天数"}
    )
    index_type = fields.Integer(
        required=True,
        validate=validate.OneOf(list(METRICS), error="只能是1到6（客户、跟进、浏览、被转发、被保存、被点赞总数）"),
        metadata={"label": "指标类型"},
    )
