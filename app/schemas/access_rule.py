"""3.1–3.4 access rules."""

from marshmallow import fields, pre_load, validate

from app.schemas.base import BaseSchema
from app.schemas.fields import LocalDateTime


class AccessRuleQuerySchema(BaseSchema):
    parents_only = fields.Boolean(load_default=None, data_key="super_id_id__isnull", metadata={"label": "是否只查父级"})


class AccessRuleSchema(BaseSchema):
    name = fields.String(
        required=True, validate=validate.Length(1, 64, error="长度须为1到64"), metadata={"label": "名称"}
    )
    url_path = fields.String(
        required=True, validate=validate.Length(1, 128, error="长度须为1到128"), metadata={"label": "url_path"}
    )
    parent_id = fields.Integer(load_default=None, allow_none=True, data_key="super_id_id", metadata={"label": "父级ID"})

    @pre_load
    def accept_synonyms(self, data, **_kwargs):
        # The console built against the original system sends `title` for url_path, and "" for no parent.
        data = dict(data)
        if not data.get("url_path") and data.get("title"):
            data["url_path"] = data["title"]
        if data.get("super_id_id") in ("", "0", 0, "null", "None"):
            data["super_id_id"] = None
        return data


class AccessRuleOutSchema(BaseSchema):
    id = fields.Integer()
    name = fields.String()
    url_path = fields.String()
    title = fields.Function(lambda rule: rule.url_path)
    super_id = fields.Integer(allow_none=True)
    super_name = fields.Function(lambda rule: rule.parent.name if rule.parent else "")
    create_date = LocalDateTime()
