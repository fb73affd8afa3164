"""3.1 chunked image upload (docs/content.md, docs/security.md).

Chunks are kept per uploader and upload id (the client's `timestamp`, digits only) in the chunk
store (app/storage.py: UPLOAD_CHUNK_DIR or the bucket), outside the served statics. A merge joins
chunks 0..n-1, lets Pillow verify and re-encode the image (dropping its metadata), and stores it
under the folder of its `img_source` with a server-chosen name. Nothing the client names reaches the file system.
"""

import base64
import binascii
import re
import secrets
import time
from io import BytesIO

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError

from app import storage
from app.responses import ApiError, Code
from app.schemas.upload import IMG_SOURCES
from app.timefmt import to_local, utcnow

# Pillow format → extension of the saved file; anything else is refused.
FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
SAVE_OPTIONS: dict[str, dict[str, object]] = {
    "JPEG": {"quality": 90},
    "PNG": {"optimize": True},
    "GIF": {},
    "WEBP": {"quality": 90},
}
# Image.info keys needed to re-encode an image faithfully; everything else (ICC profile, EXIF with GPS
# and camera, XMP, comments, text chunks) is dropped: colours are taken as sRGB.
KEEP_INFO = ("transparency", "duration", "loop", "background")
# What the writers would otherwise copy from the source: ICC profile, EXIF, XMP, JPEG/GIF comment.
NO_METADATA = {"icc_profile": None, "exif": b"", "xmp": b"", "comment": b""}
NOT_AN_IMAGE = "上传的文件不是有效的图片（只支持 JPEG、PNG、GIF、WEBP 格式）"
_PART = re.compile(r"^(\d{1,6})\.part$")
_DATA_URL = re.compile(r"^data:[\w/+.-]*;base64,", re.IGNORECASE)


def _config(name: str):
    return current_app.config[name]


def chunk_root() -> str:
    """Where chunks wait (a folder or an s3:// prefix), for messages."""
    return storage.chunks().describe()


def _upload_prefix(uploader: str, upload_id: str) -> str:
    if not (uploader.isalnum() and upload_id.isdigit()):
        raise ApiError.invalid("上传标识不合法")  # the schema allows digits only: defence in depth
    return f"{uploader}/{upload_id}/"


def _invalid(field: str, msg: str) -> ApiError:
    return ApiError.invalid(msg, {field: [msg]})


def decode_chunk(text: str | None, stream=None) -> bytes:
    """The chunk's bytes: from a multipart file part when given, else from base64 text."""
    limit = _config("UPLOAD_MAX_CHUNK_BYTES")
    if stream is not None:
        data = stream.read(limit + 1)
    elif text:
        data = _b64decode(_DATA_URL.sub("", text.strip(), count=1))
    else:
        raise _invalid("img_data", "文件内容 不能为空")
    if not data:
        raise _invalid("img_data", "文件内容 不能为空")
    if len(data) > limit:
        raise _invalid("img_data", f"文件内容 单个分片不能超过{limit}字节")
    return data


def _b64decode(text: str) -> bytes:
    compact = "".join(text.split())
    compact += "=" * (-len(compact) % 4)
    try:
        if "-" in compact or "_" in compact:
            return base64.urlsafe_b64decode(compact.encode("ascii"))
        return base64.b64decode(compact.encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise ApiError(Code.TYPE_ERROR, "文件内容 不是合法的 base64", {"img_data": ["不是合法的 base64"]}) from None


def _parts(store, prefix: str) -> dict[int, tuple[str, int]]:
    """index → (key, size) of the chunks stored for one upload."""
    found = {}
    for key, entry in store.list(prefix).items():
        if m := _PART.match(key[len(prefix) :]):
            found[int(m.group(1))] = (key, entry.size)
    return found


def _uploads(store, prefix: str = "") -> dict[str, float]:
    """'<uploader>/<upload id>/' → when it was last touched, for the uploads under `prefix`."""
    found: dict[str, float] = {}
    for key, entry in store.list(prefix).items():
        uploader, _, rest = key.partition("/")
        upload_id, _, name = rest.partition("/")
        if name:
            folder = f"{uploader}/{upload_id}/"
            found[folder] = max(found.get(folder, 0.0), entry.modified)
    return found


def _check_pending(store, uploader: str, prefix: str) -> None:
    """Bound the unfinished uploads one uploader may keep."""
    pending = _uploads(store, f"{uploader}/")
    if prefix in pending or len(pending) < _config("UPLOAD_MAX_PENDING"):
        return
    clean_stale_chunks()
    if len(_uploads(store, f"{uploader}/")) >= _config("UPLOAD_MAX_PENDING"):
        raise ApiError.invalid("未完成的上传过多，请先合并或稍后再试")


def save_chunk(uploader: str, upload_id: str, index: int, data: bytes) -> None:
    """Keep chunk `index` of an upload; re-sending a chunk replaces it. Chunks of one upload may reach
    different hosts: with the s3 backend they all land in the same bucket."""
    store, prefix = storage.chunks(), _upload_prefix(uploader, upload_id)
    _check_pending(store, uploader, prefix)
    others = sum(size for i, (_, size) in _parts(store, prefix).items() if i != index)
    if others + len(data) > _config("UPLOAD_MAX_BYTES"):
        raise _invalid("img_data", f"图片不能超过{_config('UPLOAD_MAX_BYTES')}字节")
    store.put(f"{prefix}{index}.part", data)


def _joined(store, prefix: str, chunk_num: int) -> bytes:
    parts = _parts(store, prefix)
    missing = next((i for i in range(chunk_num) if i not in parts), None)
    if missing is not None:
        raise _invalid("chunk_num", f"缺少第{missing}个分片（序号从0开始），请上传后再合并")
    if any(i >= chunk_num for i in parts):
        raise _invalid("chunk_num", "分片总数 与已上传的分片不一致")
    if sum(parts[i][1] for i in range(chunk_num)) > _config("UPLOAD_MAX_BYTES"):
        raise _invalid("chunk_num", f"图片不能超过{_config('UPLOAD_MAX_BYTES')}字节")
    data = [store.get(parts[i][0]) for i in range(chunk_num)]
    if any(part is None for part in data):  # removed meanwhile (a concurrent merge or clean-up)
        raise _invalid("chunk_num", "分片已被清理，请重新上传")
    return b"".join(data)


def reencode_image(raw: bytes) -> tuple[bytes, str]:
    """(the image re-encoded without metadata, its extension); 303 when it is not a usable image.

    Pillow reads only the header on open: the size and frame count are checked before any pixel is
    decoded, so a small file announcing huge or many frames costs nothing (see docs/content.md)."""
    Image.MAX_IMAGE_PIXELS = _config("UPLOAD_MAX_PIXELS")  # Pillow's own bomb check, on every open
    try:
        with Image.open(BytesIO(raw), formats=list(FORMATS)) as probe:
            fmt = probe.format
            if fmt not in FORMATS:
                raise _invalid("img_data", NOT_AN_IMAGE)
            _check_dimensions(probe)
        with Image.open(BytesIO(raw), formats=[fmt]) as probe:
            probe.verify()
        with Image.open(BytesIO(raw), formats=[fmt]) as img:
            return _encode(img, fmt), FORMATS[fmt]
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _invalid("img_data", f"图片尺寸过大：宽×高不能超过{_config('UPLOAD_MAX_PIXELS')}像素") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise _invalid("img_data", NOT_AN_IMAGE) from None


def _check_dimensions(img: Image.Image) -> None:
    """Refuse an image whose re-encoding would cost too much: from its header, before decoding it."""
    pixels, frames = img.width * img.height, getattr(img, "n_frames", 1)
    if pixels > _config("UPLOAD_MAX_PIXELS"):
        raise _invalid("img_data", f"图片尺寸过大：宽×高不能超过{_config('UPLOAD_MAX_PIXELS')}像素")
    if frames > _config("UPLOAD_MAX_FRAMES"):
        raise _invalid("img_data", f"动图帧数过多：不能超过{_config('UPLOAD_MAX_FRAMES')}帧")
    if pixels * frames > _config("UPLOAD_MAX_TOTAL_PIXELS"):
        raise _invalid("img_data", f"动图过大：宽×高×帧数不能超过{_config('UPLOAD_MAX_TOTAL_PIXELS')}像素")


def _encode(img: Image.Image, fmt: str) -> bytes:
    animated = getattr(img, "is_animated", False)
    frame = img if animated else ImageOps.exif_transpose(img)
    frame.info = {key: img.info[key] for key in KEEP_INFO if key in img.info}
    # Explicit empty values: a writer falls back to the (re-read) source info for a key not given.
    options = {**SAVE_OPTIONS[fmt], **NO_METADATA}
    out = BytesIO()
    frame.save(out, format=fmt, save_all=animated, **options)
    return out.getvalue()


def merge_upload(uploader: str, upload_id: str, chunk_num: int, img_source: str) -> str:
    """Join, verify and store the upload; returns its `statics/...` path or URL (3.1 picture_url)."""
    clean_stale_chunks()
    store, prefix = storage.chunks(), _upload_prefix(uploader, upload_id)
    raw = _joined(store, prefix, chunk_num)
    try:
        data, ext = reencode_image(raw)
    except ApiError:
        store.delete_prefix(prefix)  # a broken upload is not resumable
        raise
    key = f"{IMG_SOURCES[img_source]}/{to_local(utcnow()):%Y%m%d%H%M%S%f}{secrets.token_hex(4)}.{ext}"
    url = storage.save_public(key, data)
    store.delete_prefix(prefix)
    return url


def clean_stale_chunks(max_age: float | None = None) -> int:
    """Remove uploads untouched for `max_age` seconds (UPLOAD_CHUNK_TTL_SECONDS); returns how many."""
    max_age = _config("UPLOAD_CHUNK_TTL_SECONDS") if max_age is None else max_age
    store, cutoff, removed = storage.chunks(), time.time() - max_age, 0
    for prefix, touched in _uploads(store).items():
        if touched < cutoff:
            store.delete_prefix(prefix)
            removed += 1
    return removed
