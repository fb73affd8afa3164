"""Files on the S3 backend (a real S3 API: moto's server), and the storage settings."""

import base64
from io import BytesIO

import pytest
from PIL import Image

from app import create_app, storage
from app.commands.uploads import clean_uploads_command
from app.services.qrcode import admin_invite_qr
from config import TestingConfig
from tests.conftest import body

UPLOAD = "/zhugeleida/public/img_upload"
MERGE = "/zhugeleida/public/img_merge"


def _png() -> bytes:
    out = BytesIO()
    Image.new("RGB", (30, 20), (10, 200, 30)).save(out, format="PNG")
    return out.getvalue()


def _chunk(client, upload_id: str, index: int, data: bytes):
    form = {"img_name": "a.png", "chunk": index, "timestamp": upload_id, "img_source": "cover_picture"}
    return body(client.post(UPLOAD, {**form, "img_data": base64.b64encode(data).decode()}))


def _merge(client, upload_id: str, chunk_num: int):
    form = {"img_name": "a.png", "timestamp": upload_id, "chunk_num": chunk_num, "img_source": "cover_picture"}
    return body(client.post(MERGE, form))


def _keys(s3, bucket) -> set[str]:
    return {item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", [])}


def test_an_upload_goes_to_the_bucket_and_is_served_from_it(api, make, s3_storage, app, tmp_path, monkeypatch):
    s3, bucket = s3_storage
    monkeypatch.setitem(app.config, "UPLOAD_CHUNK_DIR", str(tmp_path / "chunks"))
    client = api.as_(make.admin())
    data = _png()
    half = len(data) // 2
    assert _chunk(client, "42", 0, data[:half])["code"] == 200
    assert _chunk(client, "42", 1, data[half:])["code"] == 200
    assert {k for k in _keys(s3, bucket) if k.startswith("upload_chunks/")} == {
        f"upload_chunks/admin{client.user.id}/42/0.part",
        f"upload_chunks/admin{client.user.id}/42/1.part",
    }
    payload = _merge(client, "42", 2)
    assert payload["code"] == 200, payload
    url = payload["data"]["ret_data"]["picture_url"]
    assert url.startswith("statics/zhugeleida/imgs/qiyeweixin/product/") and url.endswith(".png")
    assert _keys(s3, bucket) == {url}  # the image, and no chunk left
    stored = s3.get_object(Bucket=bucket, Key=url)
    assert stored["ContentType"] == "image/png"
    served = app.test_client().get("/" + url)
    assert served.status_code == 200 and served.mimetype == "image/png"
    with Image.open(BytesIO(served.data)) as img:
        assert img.size == (30, 20)
    assert not (tmp_path / "chunks").exists()  # nothing on this host's disk
    assert app.test_client().get("/statics/zhugeleida/nope.png").status_code == 404
    assert app.test_client().get("/statics/../config.py").status_code == 404


def test_a_missing_chunk_in_the_bucket_is_303_and_the_upload_resumes(api, make, s3_storage):
    client = api.as_(make.admin())
    data = _png()
    assert _chunk(client, "7", 1, data[10:])["code"] == 200
    assert _merge(client, "7", 2)["code"] == 303
    assert _chunk(client, "7", 0, data[:10])["code"] == 200
    assert _merge(client, "7", 2)["code"] == 200


def test_a_broken_image_drops_its_chunks_from_the_bucket(api, make, s3_storage):
    s3, bucket = s3_storage
    client = api.as_(make.admin())
    assert _chunk(client, "8", 0, b"not an image")["code"] == 200
    assert _merge(client, "8", 1)["code"] == 303
    assert _keys(s3, bucket) == set()


def test_pending_uploads_are_bounded_in_the_bucket(api, make, s3_storage, app, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_PENDING", 2)
    client = api.as_(make.admin())
    assert _chunk(client, "1", 0, b"x")["code"] == 200
    assert _chunk(client, "2", 0, b"x")["code"] == 200
    assert _chunk(client, "2", 1, b"x")["code"] == 200
    assert _chunk(client, "3", 0, b"x")["code"] == 303


def test_clean_uploads_removes_abandoned_chunks_from_the_bucket(api, make, s3_storage, app):
    s3, bucket = s3_storage
    client = api.as_(make.admin())
    assert _chunk(client, "5", 0, b"x")["code"] == 200
    runner = app.test_cli_runner()
    kept = runner.invoke(clean_uploads_command)
    assert kept.exit_code == 0 and "Removed 0" in kept.output and f"s3://{bucket}/upload_chunks/" in kept.output
    removed = runner.invoke(clean_uploads_command, ["--max-age", "0"])
    assert "Removed 1" in removed.output and _keys(s3, bucket) == set()


def test_qr_codes_go_to_the_bucket_and_a_cdn_base_makes_absolute_urls(app, s3_storage, monkeypatch):
    s3, bucket = s3_storage
    with app.app_context():
        path = admin_invite_qr(9, "https://example.com/join")
        assert path.startswith("statics/zhugeleida/imgs/admin/qrcode/admin_uid_9_")
        monkeypatch.setitem(app.config, "STATICS_BASE_URL", "https://cdn.example.com/statics/")
        url = admin_invite_qr(9, "https://example.com/join")
    assert url.startswith("https://cdn.example.com/statics/zhugeleida/imgs/admin/qrcode/admin_uid_9_")
    assert _keys(s3, bucket) == {path, "statics/" + url.removeprefix("https://cdn.example.com/statics/")}
    with Image.open(BytesIO(s3.get_object(Bucket=bucket, Key=path)["Body"].read())) as img:
        assert img.format == "JPEG"


def test_a_cdn_base_url_makes_merged_uploads_absolute(api, make, s3_storage, app, monkeypatch):
    monkeypatch.setitem(app.config, "STATICS_BASE_URL", "https://cdn.example.com/statics")
    client = api.as_(make.admin())
    assert _chunk(client, "9", 0, _png())["code"] == 200
    url = _merge(client, "9", 1)["data"]["ret_data"]["picture_url"]
    assert url.startswith("https://cdn.example.com/statics/zhugeleida/imgs/qiyeweixin/product/")


def test_the_local_backend_keeps_statics_paths_and_files_on_disk(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "STATICS_DIR", str(tmp_path))
    with app.app_context():
        path = storage.save_public("a/b.txt", b"hi")
        assert path == "statics/a/b.txt" and (tmp_path / "a" / "b.txt").read_bytes() == b"hi"
        for bad in ("../x", "a/../../x", "/etc/passwd", "a//b", ".."):
            with pytest.raises(ValueError):
                storage.statics().put(bad, b"no")


@pytest.mark.parametrize(
    "settings, reason",
    [
        ({"STORAGE_BACKEND": "s3"}, "S3_BUCKET"),
        ({"STORAGE_BACKEND": "ftp"}, "STORAGE_BACKEND"),
        ({"STORAGE_BACKEND": "s3", "S3_BUCKET": "b", "S3_ADDRESSING_STYLE": "sideways"}, "S3_ADDRESSING_STYLE"),
    ],
)
def test_bad_storage_settings_refuse_to_start(settings, reason):
    config = type("Config", (TestingConfig,), settings)
    with pytest.raises(SystemExit) as refused:
        create_app(config)
    assert any(reason in line for line in refused.value.reasons)
