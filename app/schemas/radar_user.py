"""1.3, 1.4, 1.8, 1.9 and 5.9.x: radar users and scan-to-join requests (temp users)."""

from marshmallow import fields, pre_load, validate

from app.models.radar import GENDER_FEMALE, GENDER_MALE, GENDER_UNKNOWN, MAX_ID
from app.schemas.base import BaseSchema, PageSchema, max_length
from app.schemas.fields import MOBILE, IsoLocalDateTime, int_id_list, order_field, plain_text

TEMP_USER = "temp_user"
USERID = r"^[A-Za-z0-9_.@-]{1,64}\Z"
_ID_RANGE = validate.Range(min=1, max=MAX_ID, error="不是有效的ID")
STATUS_TEXT = {1: "启用", 2: "未启用"}


class _BlankIsAbsent(BaseSchema):
    """Query strings such as `status=&department=1` mean 'no filter' for the empty ones."""

    @pre_load
    def _drop_blanks(self, data, **kwargs):
        return {key: value for key, value in data.items() if value not in ("", None)}


class UserTypeSchema(_BlankIsAbsent):
    type = fields.String(
        load_default=None,
        validate=validate.OneOf([TEMP_USER], error="只能是 temp_user"),
        metadata={"label": "用户类型"},
    )


class CompanyQuerySchema(_BlankIsAbsent):
    """Role 1 may look at another company; everyone else always sees their own."""

    company_id = fields.Integer(load_default=None, validate=_ID_RANGE, metadata={"label": "公司ID"})


class UserListQuerySchema(PageSchema, CompanyQuerySchema, UserTypeSchema):
    """1.4 and 5.9.3 (type=temp_user, where `status` does not apply)."""

    status = fields.Integer(
        load_default=None, validate=validate.OneOf([1, 2], error="只能是1或2"), metadata={"label": "状态"}
    )
    department_id = fields.Integer(
        load_default=None, validate=_ID_RANGE, data_key="department", metadata={"label": "部门ID"}
    )
    position = fields.String(load_default=None, validate=max_length(128), metadata={"label": "职位"})
    username = fields.String(load_default=None, validate=max_length(64), metadata={"label": "姓名"})
    order = order_field("create_date", "id", "username")


def _mobile(label: str, required: bool = False) -> fields.String:
    kwargs = {"required": True} if required else {"load_default": None, "allow_none": True}
    return fields.String(
        validate=validate.Regexp(MOBILE, error="不是有效的手机号"), metadata={"label": label}, **kwargs
    )


class ScanJoinSchema(BaseSchema):
    """5.9.2 (and 5.9.4): what a scanning employee fills in."""

    username = plain_text("用户姓名", 64, required=True)
    position = plain_text("职位", 128, required=True)
    wechat = plain_text("微信号", 64, required=True)
    wechat_phone = _mobile("微信绑定的手机号", required=True)
    mingpian_phone = _mobile("名片显示的手机", required=True)
    department_ids = int_id_list("部门ID列表", load_default=list, data_key="department_id")


class RadarUserSchema(BaseSchema):
    """Admin-side add/update of a radar user."""

    username = plain_text("用户姓名", 64, required=True)
    position = plain_text("职位", 128)
    wechat = plain_text("微信号", 64)
    wechat_phone = _mobile("微信绑定的手机号")
    mingpian_phone = _mobile("名片显示的手机")
    email = fields.Email(
        load_default=None,
        validate=max_length(128),
        error_messages={"invalid": "不是有效的邮箱"},
        metadata={"label": "邮箱"},
    )
    gender = fields.Integer(
        load_default=GENDER_UNKNOWN,
        validate=validate.OneOf(
            [GENDER_UNKNOWN, GENDER_MALE, GENDER_FEMALE], error="只能是0（未知）、1（男）或2（女）"
        ),
        metadata={"label": "性别"},
    )
    department_ids = int_id_list("部门ID列表", load_default=list, data_key="department_id")


class RadarUserAddSchema(RadarUserSchema):
    userid = fields.String(
        load_default=None,
        validate=validate.Regexp(USERID, error="只能是1到64位字母、数字或 _ . @ -"),
        metadata={"label": "企业微信账号"},
    )
    status = fields.Integer(
        load_default=1,
        validate=validate.OneOf([1, 2], error="只能是1（启用）或2（未启用）"),
        metadata={"label": "状态"},
    )


class ApprovalSchema(BaseSchema):
    temp_user_ids = int_id_list(
        "临时用户ID列表",
        required=True,
        validate=validate.Length(1, 100, error="须选择1到100个用户"),
        data_key="user_id_list",
    )


# --- output ------------------------------------------------------------------------------------


class _DepartmentsMixin(BaseSchema):
    # Method fields, not Function ones: marshmallow inspects a Function's signature on every call.
    company = fields.Method("_company")
    company_id = fields.Integer()
    department = fields.Method("_department_names")
    department_id = fields.Method("_department_ids")
    create_date = IsoLocalDateTime()

    def _company(self, user) -> str:
        return user.company.name

    def _department_names(self, user) -> str:
        return ",".join(d.name for d in user.departments)

    def _department_ids(self, user) -> list[int]:
        return [d.id for d in user.departments]


class RadarUserOutSchema(_DepartmentsMixin):
    id = fields.Integer()
    userid = fields.String()
    username = fields.String()
    last_login_date = IsoLocalDateTime()
    position = fields.String()
    mingpian_phone = fields.String()
    phone = fields.Method("_phone")
    wechat_phone = fields.String()
    wechat = fields.String()
    email = fields.String()
    status = fields.Method("_status_text")
    status_code = fields.Method("_status_code")
    avatar = fields.String()
    qr_code = fields.String()
    gender = fields.Integer()

    def _phone(self, user) -> str | None:
        return user.wechat_phone

    def _status_text(self, user) -> str:
        return STATUS_TEXT.get(user.status, "")

    def _status_code(self, user) -> int:
        return user.status


class TempUserOutSchema(_DepartmentsMixin):
    temp_user_id = fields.Integer(attribute="id")
    username = fields.String()
    position = fields.String()
    wechat = fields.String()
    mingpian_phone = fields.String()
    wechat_phone = fields.String()


class DepartmentOutSchema(BaseSchema):
    id = fields.Integer()
    name = fields.String()
