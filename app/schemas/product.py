"""2.1–2.5, 2.9 products."""

from flask import request
from marshmallow import ValidationError, fields, validate

from app.models.product import PRODUCT_STATUS_TEXT
from app.schemas.base import BaseSchema, PageSchema, request_data
from app.schemas.fields import JSONDict, LocalDate, LocalDateTime
from app.schemas.upload import picture_path_error
from app.timefmt import fmt_iso

BLOCK_TYPES = ("picture_url", "title", "content")
CONTENT_KEYS = ("cover_data", "article_data")
MAX_BLOCKS, MAX_ITEMS, MAX_TEXT = 200, 50, 10000


def _block_errors(block) -> dict | list | None:
    """The errors of one `{type, data: [...]}` block, keyed like marshmallow's (None when valid)."""
    if not isinstance(block, dict):
        return ["必须是包含 type 和 data 的对象"]
    errors = {key: ["不支持的字段"] for key in block if key not in ("type", "data")}
    if block.get("type") not in BLOCK_TYPES:
        errors["type"] = ["只能是 " + "、".join(BLOCK_TYPES)]
    data = block.get("data")
    if not isinstance(data, list) or not 1 <= len(data) <= MAX_ITEMS:
        errors["data"] = [f"必须是包含1到{MAX_ITEMS}项的列表"]
    elif block.get("type") in BLOCK_TYPES:
        item_errors = {i: [msg] for i, item in enumerate(data) if (msg := _item_error(block["type"], item))}
        if item_errors:
            errors["data"] = item_errors
    return errors or None


def _item_error(block_type: str, item) -> str | None:
    if block_type == "picture_url":
        return picture_path_error(item)
    if not isinstance(item, str):
        return "必须是文字"
    return f"长度不能超过{MAX_TEXT}" if len(item) > MAX_TEXT else None


class ProductContent(JSONDict):
    """`{"cover_data": [block...], "article_data": [block...]}`; anything else is 303 naming its path."""

    def validate_inner(self, value):
        errors = {key: ["不支持的字段，只能是 cover_data、article_data"] for key in value if key not in CONTENT_KEYS}
        for key in CONTENT_KEYS:
            blocks = value.get(key, [])
            if not isinstance(blocks, list) or len(blocks) > MAX_BLOCKS:
                errors[key] = [f"必须是不超过{MAX_BLOCKS}项的列表"]
                continue
            block_errors = {i: err for i, block in enumerate(blocks) if (err := _block_errors(block))}
            if block_errors:
                errors[key] = block_errors
        if errors:
            raise ValidationError(errors)
        return {key: value.get(key, []) for key in CONTENT_KEYS}


class Price(fields.String):
    """Prices are text ("280-1280"); a number in a JSON body is taken as its text."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        return super()._deserialize(value, attr, data, **kwargs)


def with_query(*names: str) -> dict:
    """The request body, plus the named query parameters it does not already carry."""
    data = dict(request_data())
    for name in names:
        if name not in data and name in request.args:
            data[name] = request.args[name]
    return data


_product_type = fields.Integer(
    required=True,
    validate=validate.OneOf([1, 2], error="只能是1（公司产品）或2（个人产品）"),
    metadata={"label": "产品类型"},
)


class ProductQuerySchema(PageSchema):
    product_type = _product_type
    company_id = fields.Integer(load_default=None, metadata={"label": "公司ID"})
    product_name = fields.String(load_default=None, validate=validate.Length(max=128), metadata={"label": "产品名称"})
    status = fields.Integer(
        load_default=None,
        validate=validate.OneOf([1, 2], error="只能是1（已上架）或2（已下架）"),
        metadata={"label": "状态"},
    )


class ProductSingleQuerySchema(BaseSchema):
    product_id = fields.Integer(required=True, metadata={"label": "产品ID"})
    product_type = _product_type


class ProductUpdateSchema(BaseSchema):
    name = fields.String(
        required=True, validate=validate.Length(1, 128, error="长度须为1到128"), metadata={"label": "产品名称"}
    )
    price = Price(required=True, validate=validate.Length(1, 64, error="长度须为1到64"), metadata={"label": "产品价格"})
    reason = fields.String(
        required=True, validate=validate.Length(1, 2000, error="长度须为1到2000"), metadata={"label": "推荐理由"}
    )
    content = ProductContent(required=True, metadata={"label": "产品内容"})


class ProductAddSchema(ProductUpdateSchema):
    product_type = _product_type
    content = ProductContent(load_default=lambda: {key: [] for key in CONTENT_KEYS}, metadata={"label": "产品内容"})
    # The radar user a personal product (product_type 2) belongs to.
    owner_id = fields.Integer(load_default=None, metadata={"label": "所属雷达用户ID"})
    # Role 1 may add a product for another company; others always add to their own.
    company_id = fields.Integer(load_default=None, metadata={"label": "公司ID"})


class ProductStatusSchema(BaseSchema):
    status = fields.Integer(
        required=True,
        validate=validate.OneOf(list(PRODUCT_STATUS_TEXT), error="只能是1（已发布）、2（已下架）或3（推荐）"),
        metadata={"label": "产品状态"},
    )


class RecommendIndexSchema(BaseSchema):
    # `index` as documented; `recommend_index` as the original console also sends it.
    index = fields.Integer(
        required=True,
        validate=validate.Range(min=0, max=10, error="必须在0到10之间"),
        metadata={"label": "推荐指数"},
    )


def recommend_index_input() -> dict:
    """The body with `recommend_index` accepted as a synonym of `index`."""
    data = dict(request_data())
    if "index" not in data and "recommend_index" in data:
        data["index"] = data["recommend_index"]
    return data


def _owner_name(product) -> str:
    return product.owner.username if product.owner else ""


def _publisher(product) -> str:
    return _owner_name(product) if product.owner_id else product.company.name


class ProductListItemSchema(BaseSchema):
    product_id = fields.Integer(attribute="id")
    content = fields.Function(lambda p: {"cover_data": (p.content or {}).get("cover_data", [])})
    name = fields.String()
    price = fields.String()
    publisher_date = LocalDateTime(attribute="create_date")
    publisher = fields.Function(_publisher)
    recommend_index = fields.Integer()
    status = fields.Function(lambda p: PRODUCT_STATUS_TEXT.get(p.status, ""))
    status_code = fields.Integer(attribute="status")


class ProductDetailSchema(BaseSchema):
    """2.2; `publisher` is relative to the viewing admin (`viewer_id`)."""

    def __init__(self, *, viewer_id: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.viewer_id = viewer_id

    id = fields.Integer()
    publisher = fields.Method("_relative_publisher")
    publisher_date = fields.Function(lambda p: fmt_iso(p.create_date))
    name = fields.String()
    price = fields.String()
    user_avatar = fields.Function(lambda p: (p.owner.avatar or "") if p.owner else "")
    reason = fields.String()
    content = fields.Raw()
    recommend_index = fields.Integer()
    owner_id = fields.Integer()
    create_date = LocalDate()
    status = fields.Function(lambda p: PRODUCT_STATUS_TEXT.get(p.status, ""))
    status_code = fields.Integer(attribute="status")

    def _relative_publisher(self, product) -> str:
        if product.creator_id is not None and product.creator_id == self.viewer_id:
            return "我添加的"
        return f"{_owner_name(product)}添加的" if product.owner_id else "企业发布"


def status_data(product) -> dict:
    """2.5's answer."""
    return {"product_id": product.id, "status": PRODUCT_STATUS_TEXT[product.status], "status_code": product.status}


class ProductTypeQuerySchema(BaseSchema):
    """2.3's `product_type` in the query string (read through with_query; described, not loaded alone)."""

    product_type = fields.Integer(validate=validate.OneOf([1, 2]))
