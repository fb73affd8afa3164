"""6.1–6.5 company website content and website templates."""

from marshmallow import ValidationError, fields, validate

from app.schemas.base import BaseSchema, PageSchema
from app.schemas.fields import IsoLocalDateTime, JSONList
from app.schemas.upload import picture_path_error

MAX_SECTIONS, MAX_PICTURES = 50, 100


def _section_errors(section) -> dict | list | None:
    """Errors of one `{type, data: [{picture_url}]}` section (None when valid)."""
    if not isinstance(section, dict):
        return ["必须是包含 type 和 data 的对象"]
    errors = {key: ["不支持的字段"] for key in section if key not in ("type", "data")}
    kind = section.get("type")
    if not isinstance(kind, str) or not 1 <= len(kind) <= 32:
        errors["type"] = ["必须是1到32个字符的文字"]
    data = section.get("data")
    if not isinstance(data, list) or len(data) > MAX_PICTURES:
        errors["data"] = [f"必须是不超过{MAX_PICTURES}项的列表"]
    else:
        item_errors = {i: err for i, item in enumerate(data) if (err := _picture_errors(item))}
        if item_errors:
            errors["data"] = item_errors
    return errors or None


def _picture_errors(item) -> dict | list | None:
    if not isinstance(item, dict):
        return ["必须是包含 picture_url 的对象"]
    errors = {key: ["不支持的字段"] for key in item if key != "picture_url"}
    if msg := picture_path_error(item.get("picture_url")):
        errors["picture_url"] = [msg]
    return errors or None


class WebsiteContent(JSONList):
    """`[{"type": "guntu", "data": [{"picture_url": "statics/..."}]}, ...]`; else 303 naming the path."""

    def validate_inner(self, value):
        if len(value) > MAX_SECTIONS:
            raise ValidationError(f"不能超过{MAX_SECTIONS}项")
        errors = {i: err for i, section in enumerate(value) if (err := _section_errors(section))}
        if errors:
            raise ValidationError(errors)
        return value


class WebsiteQuerySchema(BaseSchema):
    company_id = fields.Integer(load_default=None, metadata={"label": "公司ID"})


class WebsiteEditSchema(BaseSchema):
    website_content = WebsiteContent(required=True, metadata={"label": "官网内容"})


class WebsiteOutSchema(BaseSchema):
    id = fields.Integer()
    name = fields.String()
    website_content = fields.Function(lambda company: company.website_content or [])
    create_date = IsoLocalDateTime()


class TemplateQuerySchema(PageSchema):
    pass


class TemplateSchema(BaseSchema):
    # Optional; left as it is on update when absent.
    name = fields.String(
        load_default=None, validate=validate.Length(max=64, error="长度不能超过64"), metadata={"label": "模板名称"}
    )
    template_content = WebsiteContent(required=True, metadata={"label": "模板内容"})


class TemplateOutSchema(BaseSchema):
    id = fields.Integer()
    name = fields.String()
    template_content = fields.Raw()
    create_date = IsoLocalDateTime()
