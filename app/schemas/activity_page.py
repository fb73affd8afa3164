"""The customer's activity page (H5): what it shows before the sign-up form."""

from marshmallow import fields

from app.schemas.base import BaseSchema
from app.schemas.share import RadarUserCardSchema


def _form_fields(page: dict) -> list[dict]:
    """The sign-up form's fields, in order; the code field only when the activity asks for an SMS code."""
    activity = page["activity"]
    form = [
        {"name": "customer_name", "label": "姓名", "required": True, "max_length": 64},
        {"name": "phone", "label": "手机号", "required": True, "max_length": 11},
    ]
    if activity.is_get_phone_code:
        form.append({"name": "phone_verify_code", "label": "验证码", "required": True, "max_length": 8})
    message = activity.leave_message or "留言"
    form.append({"name": "leave_message", "label": message, "required": False, "max_length": 500})
    return form


class ActivityPageSchema(BaseSchema):
    """{"activity", "join_num", "signed_up", "card"} from app/services/activity_page.py."""

    id = fields.Function(lambda p: p["activity"].id)
    title = fields.Function(lambda p: p["activity"].title)
    ad_slogan = fields.Function(lambda p: p["activity"].ad_slogan)
    introduce = fields.Function(lambda p: p["activity"].introduce)
    activity_time = fields.Function(lambda p: p["activity"].activity_time)
    place = fields.Function(lambda p: p["activity"].place)
    sign_up_button = fields.Function(lambda p: p["activity"].sign_up_button)
    is_get_phone_code = fields.Function(lambda p: p["activity"].is_get_phone_code)
    leave_message = fields.Function(lambda p: p["activity"].leave_message)
    skip_link = fields.Function(lambda p: p["activity"].skip_link)
    read_count = fields.Function(lambda p: p["activity"].read_count)
    join_num = fields.Integer()
    signed_up = fields.Boolean()  # this customer has signed up already (the page shows 已报名)
    form_fields = fields.Function(_form_fields)
    user_card = fields.Function(lambda p: RadarUserCardSchema().dump(p["card"]) if p["card"] else None)
