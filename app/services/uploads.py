"""3.1 chunked image upload (SPEC §9).

Chunks are kept per uploader and upload id (the client's `timestamp`, digits only) under
UPLOAD_CHUNK_DIR, outside the served statics. A merge joins chunks 0..n-1, lets Pillow verify
and re-encode the image (dropping its metadata), and writes it atomically under the folder of
its `img_source` with a server-chosen name. Nothing the client names reaches the file system.
"""

import base64
import binascii
import contextlib
import os
import re
import secrets
import shutil
import tempfile
import time
from io import BytesIO
from pathlib import Path

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError

from app.responses import ApiError, Code
from app.timefmt import to_local, utcnow

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
# Pillow format → extension of the saved file; anything else is refused.
FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
SAVE_OPTIONS = {"JPEG": {"quality": 90}, "PNG": {"optimize": True}, "GIF": {}, "WEBP": {"quality": 90}}
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


def chunk_root() -> Path:
    configured = _config("UPLOAD_CHUNK_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "upload_chunks"


def _upload_dir(uploader: str, upload_id: str) -> Path:
    root = chunk_root().resolve()
    folder = (root / uploader / upload_id).resolve()
    if not (uploader.isalnum() and upload_id.isdigit() and folder.is_relative_to(root)):
        raise ApiError.invalid("上传标识不合法")  # the schema allows digits only: defence in depth
    return folder


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


def _parts(folder: Path) -> dict[int, Path]:
    if not folder.is_dir():
        return {}
    return {int(m.group(1)): p for p in folder.iterdir() if (m := _PART.match(p.name))}


def _write_atomically(folder: Path, name: str, data: bytes, mode: int = 0o600) -> Path:
    """Write to a temporary file in `folder`, then rename it over `name`: readers never see half a file."""
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, folder / name)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return folder / name


def _check_pending(uploader: str, folder: Path) -> None:
    """Bound the unfinished uploads one uploader may keep on disk."""
    if folder.exists():
        return
    mine = chunk_root() / uploader
    pending = [p for p in mine.iterdir() if p.is_dir()] if mine.is_dir() else []
    if len(pending) >= _config("UPLOAD_MAX_PENDING"):
        clean_stale_chunks()
        pending = [p for p in pending if p.is_dir()]
        if len(pending) >= _config("UPLOAD_MAX_PENDING"):
            raise ApiError.invalid("未完成的上传过多，请先合并或稍后再试")


def save_chunk(uploader: str, upload_id: str, index: int, data: bytes) -> None:
    """Keep chunk `index` of an upload; re-sending a chunk replaces it."""
    folder = _upload_dir(uploader, upload_id)
    _check_pending(uploader, folder)
    others = sum(p.stat().st_size for i, p in _parts(folder).items() if i != index)
    if others + len(data) > _config("UPLOAD_MAX_BYTES"):
        raise _invalid("img_data", f"图片不能超过{_config('UPLOAD_MAX_BYTES')}字节")
    folder.mkdir(parents=True, exist_ok=True)
    _write_atomically(folder, f"{index}.part", data)


def _joined(folder: Path, chunk_num: int) -> bytes:
    parts = _parts(folder)
    missing = next((i for i in range(chunk_num) if i not in parts), None)
    if missing is not None:
        raise _invalid("chunk_num", f"缺少第{missing}个分片（序号从0开始），请上传后再合并")
    if any(i >= chunk_num for i in parts):
        raise _invalid("chunk_num", "分片总数 与已上传的分片不一致")
    if sum(parts[i].stat().st_size for i in range(chunk_num)) > _config("UPLOAD_MAX_BYTES"):
        raise _invalid("chunk_num", f"图片不能超过{_config('UPLOAD_MAX_BYTES')}字节")
    return b"".join(parts[i].read_bytes() for i in range(chunk_num))


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
    """Join, verify and store the upload; returns its `statics/...` path (3.1 picture_url)."""
    clean_stale_chunks()
    folder = _upload_dir(uploader, upload_id)
    raw = _joined(folder, chunk_num)
    try:
        data, ext = reencode_image(raw)
    except ApiError:
        shutil.rmtree(folder, ignore_errors=True)  # a broken upload is not resumable
        raise
    relative = f"{IMG_SOURCES[img_source]}/{to_local(utcnow()):%Y%m%d%H%M%S%f}{secrets.token_hex(4)}.{ext}"
    target = Path(current_app.static_folder) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    _write_atomically(target.parent, target.name, data, mode=0o644)
    shutil.rmtree(folder, ignore_errors=True)
    return f"statics/{relative}"


def clean_stale_chunks(max_age: float | None = None) -> int:
    """Remove uploads untouched for `max_age` seconds (UPLOAD_CHUNK_TTL_SECONDS); returns how many."""
    max_age = _config("UPLOAD_CHUNK_TTL_SECONDS") if max_age is None else max_age
    root, cutoff, removed = chunk_root(), time.time() - max_age, 0
    if not root.is_dir():
        return 0
    for uploader in (p for p in root.iterdir() if p.is_dir()):
        for folder in (p for p in uploader.iterdir() if p.is_dir()):
            if _last_touched(folder) < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
    return removed


def _last_touched(folder: Path) -> float:
    try:
        return max([folder.stat().st_mtime] + [p.stat().st_mtime for p in folder.iterdir()])
    except OSError:
        return time.time()  # vanished or being written: not stale
