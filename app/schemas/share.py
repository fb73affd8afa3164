"""14–16: the customer's H5 article pages (official account), the radar user's login and forwarding-tree ranking."""

from marshmallow import fields, pre_load, validate

from app.models.company import APP_AI_RADAR, APP_NAMES
from app.models.radar import GENDER_FEMALE, GENDER_MALE
from app.schemas.article import ArticleDetailOutSchema
from app.schemas.base import BaseSchema, PageSchema, max_length

FORWARD_FRIEND, FORWARD_MOMENTS = 1, 2
SEX_TEXT = {GENDER_MALE: "男", GENDER_FEMALE: "女"}
# What an H5 page sends for "no value" (the document: "为空就传空").
BLANKS = ("", "null", "undefined", None)


class _BlankIsAbsent(BaseSchema):
    """`pid=&uid=6`: an empty parameter is a missing one."""

    @pre_load
    def _drop_blanks(self, data, **kwargs):
        return {key: value for key, value in data.items() if value not in BLANKS}


def _id(label: str, required: bool = False) -> fields.Integer:
    check = validate.Range(min=1, error="必须是正整数")
    if required:
        return fields.Integer(required=True, validate=check, metadata={"label": label})
    return fields.Integer(load_default=None, validate=check, metadata={"label": label})


class ChainSchema(_BlankIsAbsent):
    """Which link the customer's page was opened from: uid (the chain's radar user) and pid (the sharer)."""

    uid = _id("文章所属的雷达用户ID", required=True)
    pid = _id("文章所属父级ID")


class ForwardSchema(ChainSchema):
    forward_type = fields.Integer(
        required=True,
        validate=validate.OneOf([FORWARD_FRIEND, FORWARD_MOMENTS], error="只能是1（朋友）或2（朋友圈）"),
        metadata={"label": "转发类型"},
    )


class StayTimeSchema(_BlankIsAbsent):
    article_access_log_id = _id("查看文章日志ID", required=True)
    # Sent by the page as documented; the view's own tree row is what counts.
    uid = _id("文章所属的雷达用户ID")
    pid = _id("文章所属父级ID")


class CustomerSignUpQuerySchema(_BlankIsAbsent):
    uid = _id("雷达用户ID")


class RankingQuerySchema(PageSchema, _BlankIsAbsent):
    level = fields.Integer(
        load_default=0, validate=validate.Range(min=0, max=10_000, error="必须大于等于0"), metadata={"label": "层级"}
    )
    uid = _id("雷达用户ID")


class CustomerAuthQuerySchema(_BlankIsAbsent):
    """16.1: what the H5 page found in its URL after WeChat's redirect (the share parameters of a shared link)."""

    code = fields.String(required=True, validate=validate.Length(1, 512, error="不能为空"), metadata={"label": "code"})
    appid = fields.String(required=True, validate=validate.Length(1, 64, error="不能为空"), metadata={"label": "appid"})
    state = fields.String(load_default="", validate=max_length(128), metadata={"label": "state"})
    # The page the customer opened: an article (with a share link's parameters), else an activity or a card
    # (uid); see docs/contract_extensions.md.
    article_id = _id("文章ID")
    activity_id = _id("活动ID")
    uid = _id("文章所属的雷达用户ID")
    pid = _id("文章所属父级ID")
    level = fields.Integer(
        load_default=None, validate=validate.Range(min=1, error="必须是正整数"), metadata={"label": "层级"}
    )
    company_id = _id("公司ID")
    sign = fields.String(load_default="", validate=validate.Length(max=64), metadata={"label": "分享签名"})


class EntryUrlQuerySchema(_BlankIsAbsent):
    """The OAuth URL of an activity page (activity_id, optional uid) or of a radar user's card page (uid)."""

    company_id = _id("公司ID", required=True)
    activity_id = _id("活动ID")
    uid = _id("雷达用户ID")


class ShareUrlQuerySchema(_BlankIsAbsent):
    """16.2; `level` and `pid` may be sent: the level comes from the customer's own row, never from them."""

    uid = _id("文章所属的雷达用户ID", required=True)
    article_id = _id("文章ID", required=True)
    company_id = _id("公司ID", required=True)


class JsSdkQuerySchema(_BlankIsAbsent):
    company_id = _id("公司ID", required=True)
    url = fields.Url(
        required=True,
        require_tld=False,
        schemes={"http", "https"},
        validate=validate.Length(max=2048, error="长度不能超过2048"),
        metadata={"label": "页面URL"},
    )


class WorkAuthQuerySchema(BaseSchema):
    """The redirect of a radar app's WeChat Work OAuth page (7.4 sets it as the app's home page)."""

    code = fields.String(required=True, validate=validate.Length(1, 512, error="不能为空"), metadata={"label": "code"})
    app_type = fields.Integer(
        load_default=APP_AI_RADAR,
        validate=validate.OneOf(list(APP_NAMES), error="只能是1（AI雷达）或2（Boss雷达）"),
        metadata={"label": "应用类型"},
    )


class H5ArticleOutSchema(ArticleDetailOutSchema):
    """15.1: the fields the document shows for one article."""

    class Meta:
        fields = (
            "id",
            "title",
            "author",
            "avatar",
            "summary",
            "create_date",
            "cover_url",
            "content",
            "tag_list",
            "insert_ads",
        )


def _area(share) -> str:
    customer = share.customer
    return f"{customer.province or ''}{customer.city or ''}"


class RankingItemSchema(BaseSchema):
    article_id = fields.Integer()
    uid = fields.Integer(attribute="radar_user_id")
    user_name = fields.Function(lambda s: s.radar_user.username)
    customer_id = fields.Integer()
    customer_name = fields.Function(lambda s: s.customer.nickname)
    customer_headimgurl = fields.Function(lambda s: s.customer.headimgurl)
    sex = fields.Function(lambda s: SEX_TEXT.get(s.customer.sex))
    area = fields.Function(_area)
    read_count = fields.Integer()
    stay_time = fields.Integer()
    level = fields.Integer()


class RadarUserCardSchema(BaseSchema):
    """The sharing radar user's card on the H5 pages. The phone is the one the employee chose to show
    (`mingpian_phone`); the WeChat-bound phone stays private."""

    uid = fields.Integer(attribute="id")
    username = fields.String()
    avatar = fields.String(allow_none=True)
    position = fields.String(allow_none=True)
    mingpian_phone = fields.String(allow_none=True)
    wechat = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    qr_code = fields.String(allow_none=True)  # the mini-program code (5.6), a statics/ path; null until made
    company_name = fields.String(attribute="company.name")


class CardActivitySchema(BaseSchema):
    id = fields.Integer()
    title = fields.String()


class CardPageSchema(BaseSchema):
    """The card page (H5): the radar user's card and the company's activities to sign up for from it."""

    user_card = fields.Nested(RadarUserCardSchema, attribute="card")
    activities = fields.List(fields.Nested(CardActivitySchema))
