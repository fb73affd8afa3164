"""3.1 chunked image upload: a real image in chunks, verification, limits, and path traversal."""

import base64
import os
import time
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin

from app.commands.uploads import clean_uploads_command
from tests.conftest import body

UPLOAD = "/zhugeleida/public/img_upload"
MERGE = "/zhugeleida/public/img_merge"


def _png(size=(64, 48), **save) -> bytes:
    img = Image.new("RGB", size)
    img.putdata([(x * 4 % 256, y * 5 % 256, (x + y) % 256) for y in range(size[1]) for x in range(size[0])])
    out = BytesIO()
    img.save(out, format="PNG", **save)
    return out.getvalue()


def _jpeg_with_exif() -> bytes:
    img = Image.new("RGB", (40, 20), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90° to display
    out = BytesIO()
    img.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def _split(data: bytes, parts: int) -> list[bytes]:
    size = -(-len(data) // parts)
    return [data[i * size : (i + 1) * size] for i in range(parts)]


def _upload(client, data: bytes, parts=3, upload_id="1700000000000", source="cover_picture", as_file=False):
    for index, chunk in enumerate(_split(data, parts)):
        form = {"img_name": "photo.png", "chunk": index, "timestamp": upload_id, "img_source": source}
        if as_file:
            form["img_data"] = (BytesIO(chunk), "blob")
            response = client.post(UPLOAD, form, content_type="multipart/form-data")
        else:
            form["img_data"] = base64.b64encode(chunk).decode()
            response = client.post(UPLOAD, form)
        assert body(response)["code"] == 200, body(response)


def _merge(client, chunk_num=3, upload_id="1700000000000", source="cover_picture", img_name="photo.png"):
    form = {"img_name": img_name, "timestamp": upload_id, "chunk_num": chunk_num, "img_source": source}
    return body(client.post(MERGE, form))


def _files(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


def test_png_in_three_chunks_round_trips_through_statics(api, make, upload_dirs):
    statics, chunks = upload_dirs
    client = api.as_(make.admin())
    original = _png()
    _upload(client, original)
    payload = _merge(client)
    assert (payload["code"], payload["msg"]) == (200, "添加图片成功")
    url = payload["data"]["ret_data"]["picture_url"]
    assert url.startswith("statics/zhugeleida/imgs/qiyeweixin/product/") and url.endswith(".png")
    downloaded = api.client.get("/" + url)
    assert downloaded.status_code == 200
    with Image.open(BytesIO(downloaded.data)) as got, Image.open(BytesIO(original)) as want:
        assert got.format == "PNG" and got.size == want.size
        assert got.convert("RGB").tobytes() == want.tobytes()
    assert (statics / url.removeprefix("statics/")).stat().st_mode & 0o777 == 0o644
    assert _files(chunks) == set()  # the chunks are gone
    assert not [p for p in _files(statics) if p.name.endswith(".tmp")]


def test_each_source_has_its_folder_and_names_are_unique(api, make, upload_dirs):
    client = api.as_(make.admin())
    urls = []
    for upload_id, source in (("1", "website"), ("2", "website"), ("3", "article")):
        _upload(client, _png(), parts=1, upload_id=upload_id, source=source)
        urls.append(_merge(client, 1, upload_id, source)["data"]["ret_data"]["picture_url"])
    assert urls[0].startswith("statics/zhugeleida/imgs/xiaochengxu/website/")
    assert urls[2].startswith("statics/zhugeleida/imgs/admin/article/")
    assert len(set(urls)) == 3


def test_multipart_jpeg_loses_its_metadata_and_keeps_its_orientation(api, make, upload_dirs):
    statics, _ = upload_dirs
    client = api.as_(make.admin())
    _upload(client, _jpeg_with_exif(), parts=2, as_file=True)
    url = _merge(client, 2)["data"]["ret_data"]["picture_url"]
    assert url.endswith(".jpg")
    with Image.open(statics / url.removeprefix("statics/")) as img:
        assert dict(img.getexif()) == {}
        assert img.size == (20, 40)  # the EXIF rotation was applied before it was dropped


def test_png_text_chunks_are_dropped(api, make, upload_dirs):
    statics, _ = upload_dirs
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "home address")
    client = api.as_(make.admin())
    _upload(client, _png(pnginfo=info), parts=2)
    url = _merge(client, 2)["data"]["ret_data"]["picture_url"]
    with Image.open(statics / url.removeprefix("statics/")) as img:
        assert "Comment" not in img.info


def test_animated_gif_keeps_its_frames(api, make, upload_dirs):
    statics, _ = upload_dirs
    frames = [Image.new("RGB", (10, 10), color) for color in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    out = BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    client = api.as_(make.admin())
    _upload(client, out.getvalue(), parts=2)
    url = _merge(client, 2)["data"]["ret_data"]["picture_url"]
    with Image.open(statics / url.removeprefix("statics/")) as img:
        assert url.endswith(".gif") and img.n_frames == 3


def test_data_url_prefix_is_accepted(api, make, upload_dirs):
    client = api.as_(make.admin())
    text = "data:image/png;base64," + base64.b64encode(_png()).decode()
    form = {"img_name": "a.png", "chunk": 0, "timestamp": "5", "img_source": "plugin", "img_data": text}
    assert body(client.post(UPLOAD, form))["code"] == 200
    assert _merge(client, 1, "5", "plugin")["data"]["ret_data"]["picture_url"].startswith(
        "statics/zhugeleida/imgs/admin/plugin/"
    )


def test_missing_chunk_is_303_naming_it_and_the_upload_can_resume(api, make, upload_dirs):
    client = api.as_(make.admin())
    parts = _split(_png(), 3)
    for index in (0, 2):
        form = {"img_name": "a.png", "chunk": index, "timestamp": "9", "img_source": "cover_picture"}
        client.post(UPLOAD, {**form, "img_data": base64.b64encode(parts[index]).decode()})
    payload = _merge(client, 3, "9")
    assert payload["code"] == 303 and "第1个分片" in payload["msg"]
    form = {"img_name": "a.png", "chunk": 1, "timestamp": "9", "img_source": "cover_picture"}
    client.post(UPLOAD, {**form, "img_data": base64.b64encode(parts[1]).decode()})
    assert _merge(client, 3, "9")["code"] == 200


def test_more_chunks_than_chunk_num_is_303(api, make, upload_dirs):
    client = api.as_(make.admin())
    _upload(client, _png(), parts=3)
    payload = _merge(client, 2)
    assert payload["code"] == 303 and "分片总数" in payload["msg"]


def test_not_an_image_is_303_and_its_chunks_are_dropped(api, make, upload_dirs):
    statics, chunks = upload_dirs
    before = _files(statics)
    client = api.as_(make.admin())
    _upload(client, b"<?php system($_GET['c']); ?>" * 20, parts=2)
    payload = _merge(client, 2)
    assert payload["code"] == 303 and "不是有效的图片" in payload["msg"]
    assert _files(chunks) == set() and _files(statics) == before


def test_truncated_image_is_303(api, make, upload_dirs):
    client = api.as_(make.admin())
    _upload(client, _png()[:-40], parts=2)
    assert _merge(client, 2)["code"] == 303


def test_unsupported_format_is_303(api, make, upload_dirs):
    out = BytesIO()
    Image.new("RGB", (8, 8)).save(out, format="BMP")
    client = api.as_(make.admin())
    _upload(client, out.getvalue(), parts=1)
    payload = _merge(client, 1)
    assert payload["code"] == 303 and "格式" in payload["msg"]


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"chunk": "first"}, 301),
        ({"chunk": -1}, 303),
        ({"chunk": 100}, 303),
        ({"img_source": "avatar"}, 303),
        ({"timestamp": "abc"}, 303),
        ({"img_data": "@@not base64@@"}, 301),
        ({"img_data": ""}, 303),
        ({"img_name": ""}, 303),
    ],
)
def test_upload_errors(api, make, upload_dirs, overrides, code):
    _, chunks = upload_dirs
    form = {"img_name": "a.png", "chunk": 0, "timestamp": "7", "img_source": "cover_picture", "img_data": "aGVsbG8="}
    form.update(overrides)
    assert body(api.as_(make.admin()).post(UPLOAD, form))["code"] == code
    assert _files(chunks) == set()


@pytest.mark.parametrize(
    ("overrides", "code"),
    [({"chunk_num": 0}, 303), ({"chunk_num": 101}, 303), ({"chunk_num": "x"}, 301), ({"img_source": "x"}, 303)],
)
def test_merge_errors(api, make, upload_dirs, overrides, code):
    form = {"img_name": "a.png", "timestamp": "7", "chunk_num": 1, "img_source": "cover_picture", **overrides}
    assert body(api.as_(make.admin()).post(MERGE, form))["code"] == code


def test_size_limits(api, make, upload_dirs, app, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 1000)
    monkeypatch.setitem(app.config, "UPLOAD_MAX_CHUNK_BYTES", 600)
    client = api.as_(make.admin())
    form = {"img_name": "a.png", "timestamp": "8", "img_source": "cover_picture"}
    too_big = body(client.post(UPLOAD, {**form, "chunk": 0, "img_data": base64.b64encode(b"x" * 601).decode()}))
    assert too_big["code"] == 303
    assert (
        body(client.post(UPLOAD, {**form, "chunk": 0, "img_data": base64.b64encode(b"x" * 600).decode()}))["code"]
        == 200
    )
    over_total = body(client.post(UPLOAD, {**form, "chunk": 1, "img_data": base64.b64encode(b"x" * 500).decode()}))
    assert over_total["code"] == 303
    # re-sending chunk 0 replaces it rather than adding to the total
    assert (
        body(client.post(UPLOAD, {**form, "chunk": 0, "img_data": base64.b64encode(b"y" * 500).decode()}))["code"]
        == 200
    )


def test_a_base64_chunk_of_the_maximum_size_is_accepted(api, make, upload_dirs, app):
    """Does the form limit leave room for a base64 chunk of UPLOAD_MAX_CHUNK_BYTES (beyond Werkzeug's 500 kB)?"""
    chunk = os.urandom(app.config["UPLOAD_MAX_CHUNK_BYTES"])
    form = {"img_name": "a.png", "chunk": 0, "timestamp": "4", "img_source": "cover_picture"}
    payload = body(api.as_(make.admin()).post(UPLOAD, {**form, "img_data": base64.b64encode(chunk).decode()}))
    assert payload["code"] == 200


def test_pending_upload_limit(api, make, upload_dirs, app, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_PENDING", 2)
    client = api.as_(make.admin())
    form = {"img_name": "a.png", "chunk": 0, "img_source": "cover_picture", "img_data": "aGVsbG8="}
    assert body(client.post(UPLOAD, {**form, "timestamp": "1"}))["code"] == 200
    assert body(client.post(UPLOAD, {**form, "timestamp": "2"}))["code"] == 200
    assert body(client.post(UPLOAD, {**form, "timestamp": "2", "chunk": 1}))["code"] == 200  # same upload: fine
    assert body(client.post(UPLOAD, {**form, "timestamp": "3"}))["code"] == 303


def test_chunks_belong_to_their_uploader(api, make, upload_dirs):
    company = make.company()
    alice, bob = make.admin(company), make.admin(company)
    _upload(api.as_(alice), _png(), parts=2)
    assert _merge(api.as_(bob), 2)["code"] == 303
    assert _merge(api.as_(alice), 2)["code"] == 200


def test_upload_requires_authentication(api, make, upload_dirs):
    _, chunks = upload_dirs
    form = {"img_name": "a.png", "chunk": 0, "timestamp": "7", "img_source": "cover_picture", "img_data": "aGVsbG8="}
    assert body(api.post(UPLOAD, form))["code"] == 400
    assert body(api.post(MERGE, {**form, "chunk_num": 1}))["code"] == 400
    assert _files(chunks) == set()


def test_traversal_never_writes_outside_statics(api, make, upload_dirs):
    """Do `..` and absolute paths in img_name, timestamp and img_source stay out of the file system?"""
    statics, chunks = upload_dirs
    around = statics.parent  # the folder holding statics (and this test's temporary folders)
    before = _files(around)
    client = api.as_(make.admin())
    data = base64.b64encode(_png()).decode()
    evil = ["../../../evil", "/var/evil", "..\\..\\evil", "1/../../2", "../" * 10 + "etc/passwd", "%2e%2e%2fevil"]
    for bad in evil:
        for field in ("timestamp", "img_source"):
            form = {"img_name": "a.png", "chunk": 0, "timestamp": "11", "img_source": "cover_picture", "img_data": data}
            form[field] = bad
            assert body(client.post(UPLOAD, form))["code"] == 303, (field, bad)
            merge = {"img_name": "a.png", "timestamp": "11", "chunk_num": 1, "img_source": "cover_picture"}
            merge[field] = bad
            assert body(client.post(MERGE, merge))["code"] == 303, (field, bad)
    stored = []
    for i, bad in enumerate(evil):
        form = {"img_name": bad + ".png", "chunk": 0, "timestamp": str(100 + i), "img_source": "cover_picture"}
        assert body(client.post(UPLOAD, {**form, "img_data": data}))["code"] == 200
        payload = _merge(client, 1, str(100 + i), img_name=bad + ".png")
        stored.append(payload["data"]["ret_data"]["picture_url"])
    new = _files(around) - before
    assert new and all(p.is_relative_to(statics) for p in new), sorted(map(str, new))
    assert {f"statics/{p.relative_to(statics).as_posix()}" for p in new} == set(stored)
    assert not any("evil" in str(p) or "passwd" in str(p) for p in new)
    assert _files(chunks) == set()


def test_stale_chunks_are_cleaned_on_merge(api, make, upload_dirs):
    _, chunks = upload_dirs
    client = api.as_(make.admin())
    form = {"img_name": "a.png", "chunk": 0, "timestamp": "1", "img_source": "cover_picture", "img_data": "aGVsbG8="}
    assert body(client.post(UPLOAD, form))["code"] == 200
    old = time.time() - 2 * 86400
    for path in [*chunks.rglob("*")]:
        os.utime(path, (old, old))
    _upload(client, _png(), parts=1, upload_id="2")
    assert _merge(client, 1, "2")["code"] == 200
    assert _files(chunks) == set()


def test_clean_uploads_command(app, api, make, upload_dirs):
    _, chunks = upload_dirs
    client = api.as_(make.admin())
    form = {"img_name": "a.png", "chunk": 0, "img_source": "cover_picture", "img_data": "aGVsbG8="}
    client.post(UPLOAD, {**form, "timestamp": "1"})
    runner = app.test_cli_runner()
    kept = runner.invoke(clean_uploads_command)
    assert kept.exit_code == 0 and "Removed 0" in kept.output and len(_files(chunks)) == 1
    removed = runner.invoke(clean_uploads_command, ["--max-age", "0"])
    assert removed.exit_code == 0 and "Removed 1" in removed.output
    assert _files(chunks) == set()
