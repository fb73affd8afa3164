"""3.1 chunked image upload, and the picture paths that content fields may carry."""

import re

from flask import current_app
from marshmallow import ValidationError, fields, validate, validates

from app.schemas.base import BaseSchema

_UPLOAD_ID = re.compile(r"^\d{1,20}$")
_URL = re.compile(r"^https?://[^\s\"'<>\\]+$", re.IGNORECASE)
_STATICS_PATH = re.compile(r"^statics/[\w\-./]+$")
# img_source → folder under statics/ (the paths the document and the original system use).
IMG_SOURCES = {
    "cover_picture": "zhugeleida/imgs/qiyeweixin/product",
    "product_picture": "zhugeleida/imgs/qiyeweixin/product",
    "website": "zhugeleida/imgs/xiaochengxu/website",
    "article": "zhugeleida/imgs/admin/article",
    "feedback": "zhugeleida/imgs/qiyeweixin/feedback",
    "user_avatar": "zhugeleida/imgs/qiyeweixin/user_avatar",
    "user_photo": "zhugeleida/imgs/qiyeweixin/user_photo",
    "wcx_head_image": "zhugeleida/imgs/xiaochengxu/wcx_head_image",
    "admin_qrcode": "zhugeleida/imgs/admin/qr_code",
    "plugin": "zhugeleida/imgs/admin/plugin",
}


def picture_path_error(value) -> str | None:
    """Why `value` is not an acceptable picture reference (None when it is): a path under
    statics/ (as img_merge returns) or an http(s) URL; never `..`, a scheme like javascript:, or HTML."""
    if not isinstance(value, str) or not value:
        return "必须是非空的图片地址"
    if len(value) > 512:
        return "长度不能超过512"
    if _URL.match(value):
        return None
    if _STATICS_PATH.match(value) and ".." not in value.split("/"):
        return None
    return "必须是 statics/ 下的图片路径或 http(s) 地址"


class UploadId(fields.Field):
    """The client's upload id (its `timestamp`): digits only, so it is safe as a folder name."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
        if not isinstance(text, str) or not _UPLOAD_ID.match(text):
            raise ValidationError("必须是由数字组成的时间戳（最多20位）")
        return text


_source = fields.String(
    required=True,
    validate=validate.OneOf(list(IMG_SOURCES), error="只能是 " + "、".join(IMG_SOURCES)),
    metadata={"label": "图片来源"},
)
_img_name = fields.String(
    required=True, validate=validate.Length(1, 255, error="长度须为1到255"), metadata={"label": "文件名"}
)


class UploadChunkSchema(BaseSchema):
    img_name = _img_name
    # Base64 text; a multipart file part of the same name is accepted instead.
    img_data = fields.String(load_default=None, metadata={"label": "文件内容"})
    chunk = fields.Integer(required=True, metadata={"label": "分片序号"})
    timestamp = UploadId(required=True, metadata={"label": "文件唯一标识（时间戳）"})
    img_source = _source

    @validates("chunk")
    def _chunk_in_range(self, value, **_kwargs):
        limit = current_app.config["UPLOAD_MAX_CHUNKS"]
        if not 0 <= value < limit:
            raise ValidationError(f"必须在0到{limit - 1}之间（从0开始）")


class UploadMergeSchema(BaseSchema):
    img_name = _img_name
    timestamp = UploadId(required=True, metadata={"label": "文件唯一标识（时间戳）"})
    chunk_num = fields.Integer(required=True, metadata={"label": "分片总数"})
    img_source = _source

    @validates("chunk_num")
    def _count_in_range(self, value, **_kwargs):
        limit = current_app.config["UPLOAD_MAX_CHUNKS"]
        if not 1 <= value <= limit:
            raise ValidationError(f"必须在1到{limit}之间")
