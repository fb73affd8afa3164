"""3.1 chunked image upload: /zhugeleida/public/img_upload and /img_merge."""

from flask import Blueprint, current_app, request

from app.auth import current_admin, signature_reusable
from app.declare import Empty, answers, takes
from app.extensions import limiter
from app.inputs import body_limit
from app.responses import ok
from app.schemas.answers import MergedSchema
from app.schemas.upload import UploadChunkSchema, UploadMergeSchema
from app.services import uploads

bp = Blueprint("upload", __name__)


def _uploader() -> str:
    return f"admin{current_admin().id}"


def _upload_limit() -> str:
    return current_app.config["UPLOAD_RATE_LIMIT"]


def _merge_limit() -> str:
    return current_app.config["UPLOAD_MERGE_RATE_LIMIT"]


# Per signed admin (the blueprint authenticates before a view's limits are checked): chunks and merges
# share one budget, and merges (decoding and re-encoding an image) have a smaller one of their own.
_per_uploader = limiter.shared_limit(_upload_limit, scope="upload", key_func=_uploader)


@bp.post("/img_upload")
@signature_reusable
@body_limit("UPLOAD_BODY_MAX_BYTES")
@_per_uploader
@answers(Empty)
@takes(UploadChunkSchema, files=("img_data",))
def img_upload(body):
    """3.1 通用的-上传图片（分片上传）."""
    part = request.files.get("img_data")
    chunk = uploads.decode_chunk(body["img_data"], part.stream if part else None)
    uploads.save_chunk(_uploader(), body["timestamp"], body["chunk"], chunk)
    return ok(msg="上传成功")


@bp.post("/img_merge")
@signature_reusable
@_per_uploader
@limiter.limit(_merge_limit, key_func=_uploader)
@answers(MergedSchema)
@takes(UploadMergeSchema)
def img_merge(body):
    """3.1 通用的-上传图片（合并分片）."""
    url = uploads.merge_upload(_uploader(), body["timestamp"], body["chunk_num"], body["img_source"])
    return ok({"ret_data": {"picture_url": url}}, "添加图片成功")
