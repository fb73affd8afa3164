"""3.1 chunked image upload: /zhugeleida/public/img_upload and /img_merge."""

from flask import Blueprint, request

from app.auth import current_admin, signature_reusable
from app.responses import ok
from app.schemas.base import load
from app.schemas.upload import UploadChunkSchema, UploadMergeSchema
from app.services import uploads

bp = Blueprint("upload", __name__)


def _uploader() -> str:
    return f"admin{current_admin().id}"


@bp.post("/img_upload")
@signature_reusable
def img_upload():
    """3.1 通用的-上传图片（分片上传）."""
    data = load(UploadChunkSchema)
    part = request.files.get("img_data")
    chunk = uploads.decode_chunk(data["img_data"], part.stream if part else None)
    uploads.save_chunk(_uploader(), data["timestamp"], data["chunk"], chunk)
    return ok(msg="上传成功")


@bp.post("/img_merge")
@signature_reusable
def img_merge():
    """3.1 通用的-上传图片（合并分片）."""
    data = load(UploadMergeSchema)
    url = uploads.merge_upload(_uploader(), data["timestamp"], data["chunk_num"], data["img_source"])
    return ok({"ret_data": {"picture_url": url}}, "添加图片成功")
