"""1.0 login, 1.1 modify_password, 5.8 switch_admin_user."""

from marshmallow import fields

from app.schemas.base import PASSWORD_MAX, BaseSchema, max_length
from app.schemas.fields import LocalDateTime

_password = max_length(PASSWORD_MAX)


class LoginSchema(BaseSchema):
    username = fields.String(required=True, validate=max_length(64), metadata={"label": "用户名"})
    password = fields.String(required=True, validate=_password, metadata={"label": "密码"})


class ModifyPasswordSchema(BaseSchema):
    password1 = fields.String(required=True, validate=_password, metadata={"label": "新密码"})
    password2 = fields.String(required=True, validate=_password, metadata={"label": "确认密码"})


class SessionSchema(BaseSchema):
    """What login and switch_admin_user return about the user now acting."""

    token = fields.String()
    user_id = fields.Integer(attribute="id")
    company_name = fields.String(attribute="company.name")
    company_id = fields.Integer()
    role_id = fields.Integer()
    role_name = fields.String(attribute="role.name")
    avatar = fields.String()


class LoginResultSchema(SessionSchema):
    set_avatar = fields.Function(lambda user: user.avatar)
    last_login_date = LocalDateTime(attribute="previous_login_date")
    is_reset_password = fields.Boolean()
