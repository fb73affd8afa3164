"""9.x articles and 10.x article tags."""

from marshmallow import fields, validate

from app.models.article import SOURCE_ORIGINAL, SOURCE_TEXT, STATUS_TEXT, STATUS_UNPUBLISHED
from app.schemas.base import BaseSchema, PageSchema, Utf8Bytes, max_length
from app.schemas.fields import IsoMillis, RichText, SafeUrl, int_id_list, text

ORDERS = ["-create_date", "-read_count", "-forward_count"]
MAX_CONTENT = 2_000_000  # characters; MEDIUMTEXT holds 16 MB, utf8mb4 takes up to 4 bytes each


def _one_of(label: str, texts: dict, **kwargs) -> fields.Integer:
    choices = ", ".join(f"{k}（{v}）" for k, v in texts.items())
    return fields.Integer(
        validate=validate.OneOf(list(texts), error=f"只能是 {choices}"), metadata={"label": label}, **kwargs
    )


class ArticleQuerySchema(PageSchema):
    status = _one_of("状态", STATUS_TEXT, load_default=None)
    title = fields.String(load_default=None, validate=max_length(255), metadata={"label": "标题"})
    tag_ids = int_id_list("标签", load_default=list, data_key="tags_list")
    order = fields.String(
        load_default="-create_date",
        validate=validate.OneOf(ORDERS, error="只能是 " + "、".join(ORDERS)),
        metadata={"label": "排序"},
    )
    company_id = fields.Integer(load_default=None, metadata={"label": "公司ID"})


class ArticleSchema(BaseSchema):
    title = text("标题", 255, required=True)
    summary = text("摘要", 512)
    cover_picture = SafeUrl("封面图片", 255)
    # Rich text, cleaned by the allow-list of app/sanitize.py before it is stored.
    content = RichText(
        required=True,
        validate=validate.Length(1, MAX_CONTENT, error=f"不能为空且长度不能超过{MAX_CONTENT}"),
        metadata={"label": "文章内容"},
    )
    tag_ids = int_id_list("标签", load_default=list, data_key="tags_id_list")
    # The console lets the author paste markup here: cleaned like `content`.
    insert_ads = RichText(
        load_default="",
        validate=[validate.Length(max=60000, error="长度不能超过60000"), Utf8Bytes(65535)],  # a TEXT column
        metadata={"label": "广告"},
    )
    status = _one_of("状态", STATUS_TEXT, load_default=STATUS_UNPUBLISHED)
    source = _one_of("来源", SOURCE_TEXT, load_default=SOURCE_ORIGINAL)


class TagOutSchema(BaseSchema):
    id = fields.Integer()
    name = fields.String()


class ArticleOutSchema(BaseSchema):
    id = fields.Integer()
    title = fields.String()
    summary = fields.String()
    status_code = fields.Integer(attribute="status")
    status = fields.Function(lambda a: STATUS_TEXT.get(a.status, ""))
    source_code = fields.Integer(attribute="source")
    source = fields.Function(lambda a: SOURCE_TEXT.get(a.source, ""))
    author = fields.Function(lambda a: a.author.username if a.author else None)
    avatar = fields.Function(lambda a: a.author.avatar if a.author else None)
    read_count = fields.Integer()
    forward_count = fields.Integer()
    create_date = IsoMillis()
    cover_url = fields.String(attribute="cover_picture")
    tag_list = fields.Nested(TagOutSchema, attribute="tags", many=True)
    insert_ads = fields.String()


class ArticleDetailOutSchema(ArticleOutSchema):
    content = fields.String()


class TagSchema(BaseSchema):
    tag_name = text("标签名称", 64, required=True)


class TagSavedOutSchema(BaseSchema):
    tag_id = fields.Integer(attribute="id")
    tag_name = fields.String(attribute="name")
