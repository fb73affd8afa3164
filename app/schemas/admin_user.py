"""5.1–5.5 admin users."""

from marshmallow import fields, validate

from app.models.admin import STATUS_TEXT
from app.schemas.base import PASSWORD_MAX, BaseSchema, PageSchema, max_length
from app.schemas.fields import LocalDateTime, Stripped, order_field

_name = validate.Length(max=64, error="长度不能超过64")


class AdminUserQuerySchema(PageSchema):
    order = order_field("create_date", "id", "login_user")
    company_id = fields.Integer(load_default=None, metadata={"label": "公司ID"})


class AdminUserSchema(BaseSchema):
    login_user = Stripped(  # unique whatever its case: `Admin` is `admin` (docs/security.md)
        required=True, validate=validate.Length(1, 64, error="长度须为1到64"), metadata={"label": "登录用户名"}
    )
    password = fields.String(required=True, validate=max_length(PASSWORD_MAX), metadata={"label": "密码"})
    role_id = fields.Integer(required=True, metadata={"label": "角色ID"})
    company_id = fields.Integer(required=True, metadata={"label": "公司ID"})
    username = fields.String(load_default=None, validate=_name, metadata={"label": "用户成员姓名"})
    position = fields.String(load_default=None, validate=_name, metadata={"label": "职位"})


class AdminUserUpdateSchema(AdminUserSchema):
    # Empty or absent: the password stays as it is.
    password = fields.String(load_default=None, validate=max_length(PASSWORD_MAX), metadata={"label": "密码"})


class StatusSchema(BaseSchema):
    status = fields.Integer(
        required=True, validate=validate.OneOf([1, 2], error="只能是1（启用）或2（未启用）"), metadata={"label": "状态"}
    )


class AdminUserOutSchema(BaseSchema):
    id = fields.Integer()
    login_user = fields.String()
    avatar = fields.String()
    username = fields.String()
    position = fields.String()
    company_name = fields.String(attribute="company.name")
    company_id = fields.Integer()
    role_id = fields.Integer()
    role_name = fields.String(attribute="role.name")
    status = fields.Integer()
    status_text = fields.Function(lambda user: STATUS_TEXT.get(user.status, ""))
    is_reset_password = fields.Boolean()
    create_date = LocalDateTime()
    last_login_date = LocalDateTime()
