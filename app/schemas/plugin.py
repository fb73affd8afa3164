"""8.x plugins: business cards, activities and sign-ups, goods."""

import math
from decimal import Decimal, InvalidOperation

from marshmallow import ValidationError, fields, validate

from app.schemas.base import BaseSchema, PageSchema, max_length
from app.schemas.fields import MOBILE, IsoMillis, JSONNested, LocalMinute, SafeUrl, Stripped, text

PHONE_LIKE = r"^[0-9+\-() ]{3,20}\Z"
MAX_PRICE = 100_000_000


class Price(fields.Field):
    """A price ≥ 0 with at most two decimals, kept as the number given (128 stays 128)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValidationError("Not a valid number.")
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValidationError("Not a valid number.") from None
        if not number.is_finite() or (isinstance(value, float) and not math.isfinite(value)):
            raise ValidationError("Not a valid number.")
        if number < 0:
            raise ValidationError("不能小于0")
        if number > MAX_PRICE:
            raise ValidationError(f"不能大于{MAX_PRICE}")
        if number.as_tuple().exponent < -2:
            raise ValidationError("最多两位小数")
        return int(number) if number == number.to_integral_value() else float(number)


# --- 8.1-8.4 business cards --------------------------------------------------------------------


class ListQuerySchema(PageSchema):
    """Paging; role 1 may narrow any list to one company."""

    company_id = fields.Integer(load_default=None, metadata={"label": "公司ID"})


class CardSchema(BaseSchema):
    name = text("名片分类", 64, required=True)
    avatar = SafeUrl("头像", 255)
    username = text("姓名", 64, required=True)
    phone = Stripped(
        load_default="",
        validate=validate.Regexp(r"^\Z|" + PHONE_LIKE, error="格式不正确"),
        metadata={"label": "电话"},
    )
    webchat_code = SafeUrl("微信二维码", 255)
    position = text("职位", 64)


class CardOutSchema(BaseSchema):
    mingpian_id = fields.Integer(attribute="id")
    name = fields.String()
    username = fields.String()
    phone = fields.String()
    create_date = IsoMillis()
    avatar = fields.String()
    webchat_code = fields.String()
    position = fields.String()


# --- 8.5-8.9 activities ------------------------------------------------------------------------


class ActivitySchema(BaseSchema):
    title = text("活动标题", 128, required=True)
    ad_slogan = text("广告语", 255)
    sign_up_button = text("报名按钮", 64)
    introduce = text("活动说明", 5000)
    is_get_phone_code = fields.Boolean(load_default=False, metadata={"label": "是否获取手机验证码"})
    leave_message = text("留言提示", 255)
    skip_link = SafeUrl("跳转链接", 512)
    activity_time = text("活动时间", 64)
    place = text("活动地点", 255)


class SignUpSchema(BaseSchema):
    customer_name = text("客户姓名", 64, required=True)
    phone = Stripped(
        required=True,
        validate=validate.Regexp(MOBILE, error="不是有效的手机号"),
        metadata={"label": "手机号"},
    )
    leave_message = text("活动留言", 500)
    # Only the customer's own H5 sign-up verifies a code; an admin recording it has none to check.
    phone_verify_code = fields.String(load_default=None, validate=max_length(16), metadata={"label": "验证码"})


class PhoneCodeSchema(BaseSchema):
    """The phone an SMS verification code is sent to (before an 8.9 sign-up that asks for one)."""

    phone = Stripped(
        required=True,
        validate=validate.Regexp(MOBILE, error="不是有效的手机号"),
        metadata={"label": "手机号"},
    )


class SignUpOutSchema(BaseSchema):
    customer_name = fields.Function(lambda s: s.name or (s.customer.nickname if s.customer else None))
    customer_phone = fields.String(attribute="phone")
    sign_up_time = IsoMillis()
    leave_message = fields.String()


def _convert_pr(activity) -> str:
    """Sign-ups per read as a two-decimal string ('0.21'); '0.00' before the first read."""
    if not activity.read_count:
        return "0.00"
    return f"{len(activity.sign_ups) / activity.read_count:.2f}"


class ActivityOutSchema(BaseSchema):
    id = fields.Integer()
    belong_user_id = fields.Integer(attribute="owner_id")
    belong_user = fields.Function(lambda a: a.owner.username if a.owner else None)
    ad_slogan = fields.String()
    sign_up_button = fields.String()
    title = fields.String()
    read_count = fields.Integer()
    join_num = fields.Function(lambda a: len(a.sign_ups))
    convert_pr = fields.Function(_convert_pr)
    name_list = fields.Nested(SignUpOutSchema, attribute="sign_ups", many=True)
    introduce = fields.String()
    is_get_phone_code = fields.Boolean()
    leave_message = fields.String()
    skip_link = fields.String()
    activity_time = fields.String()
    place = fields.String()
    create_date = LocalMinute()


# --- 8.10-8.13 goods ---------------------------------------------------------------------------


class GoodsItemSchema(BaseSchema):
    price = Price(required=True)
    introduce = fields.String(load_default="", validate=validate.Length(max=2000, error="长度不能超过2000"))
    inventory_num = fields.Integer(required=True, validate=validate.Range(min=0, error="不能小于0"))
    person_limit_num = fields.Integer(required=True, validate=validate.Range(min=1, error="不能小于1"))


class PictureBlockSchema(BaseSchema):
    type = fields.String(required=True, validate=validate.OneOf(["picture_url"], error="只能是 picture_url"))
    data = fields.List(SafeUrl("图片", 255, required=True), required=True)


class GoodsContentSchema(BaseSchema):
    goods_data = fields.List(
        fields.Nested(GoodsItemSchema),
        required=True,
        validate=validate.Length(min=1, error="至少需要一个规格"),
    )
    cover_data = fields.List(fields.Nested(PictureBlockSchema), load_default=list)


class GoodsSchema(BaseSchema):
    title = text("商品标题", 128, required=True)
    content = JSONNested(GoodsContentSchema, required=True, metadata={"label": "商品内容"})


class GoodsOutSchema(BaseSchema):
    goods_id = fields.Integer(attribute="id")
    title = fields.String()
    content = fields.Raw()
    create_date = IsoMillis()
