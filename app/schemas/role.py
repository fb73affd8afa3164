"""4.1–4.4 roles."""

from marshmallow import fields, validate

from app.schemas.base import BaseSchema
from app.schemas.fields import int_id_list


class RoleSchema(BaseSchema):
    name = fields.String(
        required=True, validate=validate.Length(1, 64, error="长度须为1到64"), metadata={"label": "角色名称"}
    )
    rule_ids = int_id_list("权限条目", required=True, data_key="rules_list")


class RoleOptionSchema(BaseSchema):
    """A role the caller may give in 5.2/5.3 (the admin-user form's select)."""

    role_id = fields.Integer(attribute="id")
    role_name = fields.String(attribute="name")
