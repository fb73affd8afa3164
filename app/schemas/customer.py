"""The admin's customers: list filters, detail and the forwarding tree of an article (outputs are plain dicts
built by app/services/customers.py and dumped through these schemas)."""

from marshmallow import ValidationError, fields, validate, validates_schema

from app.models.radar import ACTIONS, GENDER_FEMALE, GENDER_MALE
from app.schemas.base import BaseSchema, PageSchema
from app.schemas.fields import LocalDateTime, order_field
from app.timefmt import fmt_datetime

SOURCE_TEXT = {1: "扫码", 2: "转发", 3: "搜索", 4: "公众号文章"}
SEX_TEXT = {GENDER_MALE: "男", GENDER_FEMALE: "女"}


class CustomerQuerySchema(PageSchema):
    company_id = fields.Integer(load_default=None, metadata={"label": "公司ID"})
    uid = fields.Integer(load_default=None, metadata={"label": "雷达用户ID"})
    source = fields.Integer(
        load_default=None,
        validate=validate.OneOf(sorted(SOURCE_TEXT), error="只能是 1（扫码）2（转发）3（搜索）4（公众号文章）"),
        metadata={"label": "来源"},
    )
    start_date = fields.Date(load_default=None, metadata={"label": "开始日期"})
    end_date = fields.Date(load_default=None, metadata={"label": "结束日期"})
    has_sign_up = fields.Boolean(load_default=None, metadata={"label": "是否报名"})
    nickname = fields.String(
        load_default=None, validate=validate.Length(max=128, error="长度不能超过128"), metadata={"label": "昵称"}
    )
    order = order_field("create_date", "id")

    @validates_schema
    def _range(self, data, **kwargs):
        if data.get("start_date") and data.get("end_date") and data["start_date"] > data["end_date"]:
            raise ValidationError("不能晚于结束日期", "start_date")


class ForwardTreeQuerySchema(BaseSchema):
    uid = fields.Integer(load_default=None, metadata={"label": "雷达用户ID"})


# --- outputs -------------------------------------------------------------------------------------------


class RelationSchema(BaseSchema):
    """A radar user the customer is related to (how it came, when it was last followed up / active)."""

    uid = fields.Integer()
    username = fields.String()
    source = fields.Integer()
    source_text = fields.Function(lambda r: SOURCE_TEXT.get(r["source"], ""))
    referrer_customer_id = fields.Integer(allow_none=True)
    last_follow_time = LocalDateTime()
    last_activity_time = LocalDateTime()
    create_date = LocalDateTime()


class CustomerItemSchema(BaseSchema):
    """One customer of the list: {"customer", "relations", "sign_up_count"} from app/services/customers.py."""

    id = fields.Function(lambda i: i["customer"].id)
    company_id = fields.Function(lambda i: i["customer"].company_id)
    nickname = fields.Function(lambda i: i["customer"].nickname)
    headimgurl = fields.Function(lambda i: i["customer"].headimgurl)
    sex = fields.Function(lambda i: i["customer"].sex)
    sex_text = fields.Function(lambda i: SEX_TEXT.get(i["customer"].sex, "未知"))
    area = fields.Function(lambda i: f"{i['customer'].province or ''}{i['customer'].city or ''}")
    phone = fields.Function(lambda i: i["customer"].phone)
    create_date = fields.Function(lambda i: fmt_datetime(i["customer"].create_date))
    radar_users = fields.Function(lambda i: RelationSchema(many=True).dump(i["relations"]))
    sign_up_count = fields.Integer()


class ActionCountSchema(BaseSchema):
    action = fields.Integer()
    action_text = fields.Function(lambda a: ACTIONS.get(a["action"], ""))
    count = fields.Integer()


class EventSchema(BaseSchema):
    action = fields.Integer()
    action_text = fields.Function(lambda e: ACTIONS.get(e.action, ""))
    uid = fields.Integer(attribute="radar_user_id", allow_none=True)
    article_id = fields.Integer(allow_none=True)
    create_date = LocalDateTime()


class ArticleReachSchema(BaseSchema):
    """The customer's place in one chain of an article (its row of the forwarding tree)."""

    article_id = fields.Integer()
    title = fields.String()
    uid = fields.Integer()
    level = fields.Integer()
    parent_customer_id = fields.Integer(allow_none=True)
    read_count = fields.Integer()
    stay_time = fields.Integer()
    forward_friend_count = fields.Integer()
    forward_moments_count = fields.Integer()


class FollowUpSchema(BaseSchema):
    id = fields.Integer()
    content = fields.String()
    uid = fields.Integer()
    username = fields.String()
    create_date = LocalDateTime()


class SignUpSchema(BaseSchema):
    activity_id = fields.Integer()
    title = fields.Function(lambda s: s.activity.title)
    name = fields.String(allow_none=True)
    phone = fields.String()
    leave_message = fields.String()
    sign_up_time = LocalDateTime()


class CustomerDetailSchema(BaseSchema):
    profile = fields.Function(lambda d: CustomerItemSchema().dump(d))
    visits = fields.Function(
        lambda d: {
            "total": sum(row["count"] for row in d["visits"]),
            "by_action": ActionCountSchema(many=True).dump(d["visits"]),
        }
    )
    recent_events = fields.List(fields.Nested(EventSchema))
    stay_time = fields.Integer()
    forward_count = fields.Integer()
    articles = fields.List(fields.Nested(ArticleReachSchema))
    follow_ups = fields.List(fields.Nested(FollowUpSchema))
    sign_ups = fields.List(fields.Nested(SignUpSchema))


class TreeNodeSchema(BaseSchema):
    """One row of an article's forwarding tree: {"row": ArticleShare, "reach": int}."""

    id = fields.Function(lambda n: n["row"].id)
    customer_id = fields.Function(lambda n: n["row"].customer_id)
    customer_name = fields.Function(lambda n: n["row"].customer.nickname)
    headimgurl = fields.Function(lambda n: n["row"].customer.headimgurl)
    parent_customer_id = fields.Function(lambda n: n["row"].parent_customer_id)
    uid = fields.Function(lambda n: n["row"].radar_user_id)
    user_name = fields.Function(lambda n: n["row"].radar_user.username)
    level = fields.Function(lambda n: n["row"].level)
    read_count = fields.Function(lambda n: n["row"].read_count)
    stay_time = fields.Function(lambda n: n["row"].stay_time)
    forward_count = fields.Function(lambda n: n["row"].forward_friend_count + n["row"].forward_moments_count)
    reach = fields.Integer()  # customers reached through this one's forwards (its descendants in the chain)
