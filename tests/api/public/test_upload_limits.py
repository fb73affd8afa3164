"""3.1 upload hardening: images that cost too much to re-encode, metadata stripping, the per-admin rate limit."""

import base64
import struct
import time
from io import BytesIO

import pytest
from PIL import Image, PngImagePlugin

from tests.api.public.test_upload import MERGE, UPLOAD, _files, _merge, _upload
from tests.conftest import body

SCRIPT = b"<script>alert(document.cookie)</script>"


def crafted_gif(width: int, height: int, frames: int) -> bytes:
    """A GIF whose logical screen is width x height with `frames` one-pixel frames: a few bytes per frame,
    but re-encoding composes every frame on the whole screen."""
    out = bytearray(b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff")
    for _ in range(frames):
        out += b"\x21\xf9\x04\x00\x01\x00\x00\x00"  # graphic control extension: 10 ms
        out += b"\x2c" + struct.pack("<HHHHB", 0, 0, 1, 1, 0) + b"\x02\x02\x44\x01\x00"  # one pixel, LZW
    return bytes(out + b"\x3b")


def _stored(statics, payload) -> bytes:
    assert payload["code"] == 200, payload
    return (statics / payload["data"]["ret_data"]["picture_url"].removeprefix("statics/")).read_bytes()


def test_many_huge_frames_are_refused_from_the_header_in_a_moment(api, make, upload_dirs, app):
    """6000x6000 x 300 frames in 7 kB: re-encoding would take minutes; the header alone refuses it."""
    statics, chunks = upload_dirs
    before = _files(statics)
    client = api.as_(make.admin())
    _upload(client, crafted_gif(6000, 6000, 300), parts=1)
    started = time.monotonic()
    payload = _merge(client, 1)
    assert time.monotonic() - started < 5
    assert payload["code"] == 303 and "帧" in payload["msg"], payload
    assert _files(statics) == before and _files(chunks) == set()


def test_total_pixels_across_frames_are_bounded(api, make, upload_dirs, app, monkeypatch):
    """Frames within the count and each within UPLOAD_MAX_PIXELS, but too many pixels together."""
    client = api.as_(make.admin())
    monkeypatch.setitem(app.config, "UPLOAD_MAX_TOTAL_PIXELS", 2000 * 2000 * 10)
    _upload(client, crafted_gif(2000, 2000, 11), parts=1, upload_id="1")
    payload = _merge(client, 1, "1")
    assert payload["code"] == 303 and "宽×高×帧数" in payload["msg"], payload
    _upload(client, crafted_gif(200, 200, 10), parts=1, upload_id="2")
    assert _merge(client, 1, "2")["code"] == 200


def test_default_total_is_one_still_image(app):
    assert app.config["UPLOAD_MAX_TOTAL_PIXELS"] <= app.config["UPLOAD_MAX_PIXELS"]
    assert app.config["UPLOAD_MAX_FRAMES"] == 100


def test_frame_count_is_bounded(api, make, upload_dirs, app):
    client = api.as_(make.admin())
    limit = app.config["UPLOAD_MAX_FRAMES"]
    _upload(client, crafted_gif(10, 10, limit + 1), parts=1, upload_id="1")
    payload = _merge(client, 1, "1")
    assert payload["code"] == 303 and f"不能超过{limit}帧" in payload["msg"], payload
    _upload(client, crafted_gif(10, 10, limit), parts=1, upload_id="2")
    assert _merge(client, 1, "2")["code"] == 200


@pytest.fixture
def pillow_limit(monkeypatch):
    """Restore Pillow's process-wide limit after a test that lowers UPLOAD_MAX_PIXELS."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", Image.MAX_IMAGE_PIXELS)


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # Pillow warns; the app refuses
def test_a_still_image_beyond_the_pixel_limit_is_303(api, make, upload_dirs, app, monkeypatch, pillow_limit):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_PIXELS", 50 * 50)
    client = api.as_(make.admin())
    out = BytesIO()
    Image.new("L", (51, 50)).save(out, format="PNG")
    _upload(client, out.getvalue(), parts=1)
    payload = _merge(client, 1)
    assert payload["code"] == 303 and "尺寸过大" in payload["msg"], payload


def test_pillow_decompression_bomb_limit_follows_the_config(api, make, upload_dirs, app, monkeypatch, pillow_limit):
    """Pillow's own check (Image.MAX_IMAGE_PIXELS) is tied to UPLOAD_MAX_PIXELS and answers the same 303."""
    monkeypatch.setitem(app.config, "UPLOAD_MAX_PIXELS", 100)
    client = api.as_(make.admin())
    out = BytesIO()
    Image.new("L", (30, 30)).save(out, format="PNG")  # 900 pixels > 2 x 100: Pillow refuses it on open
    _upload(client, out.getvalue(), parts=1)
    payload = _merge(client, 1)
    assert payload["code"] == 303 and "尺寸过大" in payload["msg"], payload
    assert Image.MAX_IMAGE_PIXELS == 100


def _png_with_everything() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SCRIPT.decode())
    info.add_text("XML:com.adobe.xmp", SCRIPT.decode(), zip=True)
    info.add_itxt("Description", SCRIPT.decode(), zip=False)
    exif = Image.Exif()
    exif[0x010E] = SCRIPT.decode()  # ImageDescription
    out = BytesIO()
    Image.new("RGB", (16, 16), (10, 200, 30)).save(
        out, format="PNG", pnginfo=info, icc_profile=SCRIPT * 3000, exif=exif.tobytes()
    )
    return out.getvalue()


def _jpeg_with_everything() -> bytes:
    exif = Image.Exif()
    exif[0x010E] = SCRIPT.decode()
    out = BytesIO()
    Image.new("RGB", (16, 16), (10, 200, 30)).save(
        out, format="JPEG", icc_profile=SCRIPT * 3000, exif=exif.tobytes(), comment=SCRIPT, xmp=SCRIPT
    )
    return out.getvalue()


def _webp_with_everything() -> bytes:
    exif = Image.Exif()
    exif[0x010E] = SCRIPT.decode()
    out = BytesIO()
    Image.new("RGB", (16, 16), (10, 200, 30)).save(
        out, format="WEBP", icc_profile=SCRIPT * 3000, exif=exif.tobytes(), xmp=SCRIPT
    )
    return out.getvalue()


def _animated(fmt: str) -> bytes:
    frames = [Image.new("RGB", (10, 10), color) for color in ((255, 0, 0), (0, 255, 0))]
    out = BytesIO()
    extra = {"comment": SCRIPT} if fmt == "GIF" else {"icc_profile": SCRIPT * 3000, "exif": b"Exif\x00\x00" + SCRIPT}
    frames[0].save(out, format=fmt, save_all=True, append_images=frames[1:], duration=100, loop=0, **extra)
    return out.getvalue()


@pytest.mark.parametrize(
    ("make_image", "ext"),
    [
        (_png_with_everything, "png"),
        (_jpeg_with_everything, "jpg"),
        (_webp_with_everything, "webp"),
        (lambda: _animated("GIF"), "gif"),
        (lambda: _animated("PNG"), "png"),
        (lambda: _animated("WEBP"), "webp"),
    ],
    ids=["png", "jpeg", "webp", "animated-gif", "apng", "animated-webp"],
)
def test_icc_profile_exif_xmp_comments_and_text_are_dropped(api, make, upload_dirs, make_image, ext):
    """A `<script>` "ICC profile" (or EXIF, XMP, comment, text chunk) does not survive the re-encoding."""
    statics, _ = upload_dirs
    original = make_image()
    with Image.open(BytesIO(original)) as img:  # the test image does carry its metadata
        assert {"icc_profile", "exif", "comment", "xmp", "Comment"} & set(img.info)
    client = api.as_(make.admin())
    _upload(client, original, parts=2)
    payload = _merge(client, 2)
    stored = _stored(statics, payload)
    assert payload["data"]["ret_data"]["picture_url"].endswith("." + ext)
    assert b"<script>" not in stored and b"iCCP" not in stored and b"ICC_PROFILE" not in stored
    with Image.open(BytesIO(stored)) as img:
        kept = set(img.info) & {"icc_profile", "exif", "xmp", "comment", "Comment", "Description", "XML:com.adobe.xmp"}
        assert kept == set() or all(not img.info[k] for k in kept), {k: img.info[k] for k in kept}
        assert dict(img.getexif()) == {}


def test_uploads_are_rate_limited_per_admin(api, make, upload_dirs, app, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_RATE_LIMIT", "3 per minute")
    company = make.company()
    alice, bob = make.admin(company), make.admin(company)
    form = {"img_name": "a.png", "img_source": "cover_picture", "img_data": base64.b64encode(b"x").decode()}
    codes = [body(api.as_(alice).post(UPLOAD, {**form, "chunk": i, "timestamp": "1"}))["code"] for i in range(3)]
    assert codes == [200, 200, 200]
    response = api.as_(alice).post(MERGE, {**form, "chunk_num": 3, "timestamp": "1"})  # the budget is shared
    assert response.status_code == 429
    assert body(response)["code"] == 429 and body(response)["msg"].startswith("尝试次数过多")
    assert int(response.headers["Retry-After"]) >= 1
    assert api.as_(alice).post(UPLOAD, {**form, "chunk": 3, "timestamp": "1"}).status_code == 429
    assert body(api.as_(bob).post(UPLOAD, {**form, "chunk": 0, "timestamp": "1"}))["code"] == 200  # per admin


def test_merges_have_their_own_smaller_limit(api, make, upload_dirs, app, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MERGE_RATE_LIMIT", "1 per minute")
    client = api.as_(make.admin())
    form = {"img_name": "a.png", "img_source": "cover_picture", "chunk_num": 1}
    assert body(client.post(MERGE, {**form, "timestamp": "1"}))["code"] == 303  # no chunk: refused, but counted
    response = client.post(MERGE, {**form, "timestamp": "2"})
    assert (response.status_code, body(response)["code"]) == (429, 429)
    assert body(client.post(UPLOAD, {**form, "chunk": 0, "timestamp": "3", "img_data": "eA=="}))["code"] == 200
