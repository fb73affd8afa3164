"""Every file the app writes or serves goes through one of two stores (docs/operations.md):

- `statics()`: served files (merged uploads, QR codes, experience codes) under keys like
  `zhugeleida/imgs/admin/qrcode/x.jpg`; `public_url(key)` is what responses and rows carry —
  `statics/<key>`, or `<STATICS_BASE_URL>/<key>` when a CDN serves them.
- `chunks()`: upload chunks waiting for their merge (never served).

STORAGE_BACKEND=local keeps them on this host's disk (STATICS_DIR and UPLOAD_CHUNK_DIR);
STORAGE_BACKEND=s3 keeps them in an S3-compatible bucket (Tencent COS, Aliyun OSS, MinIO…) under
`<S3_PREFIX>statics/` and `<S3_PREFIX>upload_chunks/`, so every app host and worker sees the same files.
Keys are built by the server; a key that would leave its store is refused (ValueError).
"""

import contextlib
import mimetypes
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app


@dataclass(frozen=True)
class Entry:
    size: int
    modified: float  # epoch seconds


def _check_key(key: str) -> str:
    parts = key.split("/")
    if not key or key.startswith("/") or "\\" in key or any(p in ("", ".", "..") for p in parts[:-1]):
        raise ValueError(f"bad storage key: {key!r}")
    if parts[-1] in (".", ".."):
        raise ValueError(f"bad storage key: {key!r}")
    return key


class LocalStore:
    """Files under `root`, written atomically (a reader never sees half a file) with `mode`."""

    def __init__(self, root: str | Path, mode: int):
        self.root, self.mode = Path(root), mode

    def describe(self) -> str:
        return str(self.root)

    def _path(self, key: str) -> Path:
        root = self.root.resolve()
        path = (root / _check_key(key)).resolve()
        if not path.is_relative_to(root) or path == root:
            raise ValueError(f"bad storage key: {key!r}")
        return path

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(tmp, self.mode)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def get(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None

    def list(self, prefix: str = "") -> dict[str, Entry]:
        """Every file whose key starts with `prefix` (a folder prefix ends with '/')."""
        folder = self.root / prefix.rpartition("/")[0] if prefix else self.root
        if not folder.is_dir():
            return {}
        found = {}
        for path in folder.rglob("*"):
            key = path.relative_to(self.root).as_posix()
            if key.startswith(prefix) and not path.name.startswith(".") and path.is_file():
                with contextlib.suppress(FileNotFoundError):
                    stat = path.stat()
                    found[key] = Entry(stat.st_size, stat.st_mtime)
        return found

    def delete_prefix(self, prefix: str) -> None:
        """Remove a folder (`prefix` ends with '/') and what it holds."""
        folder = self._path(prefix.rstrip("/"))
        shutil.rmtree(folder, ignore_errors=True)


_clients: dict[tuple, object] = {}
_clients_lock = threading.Lock()


def s3_client(config) -> object:
    """One boto3 client per endpoint/credentials (boto3 clients are thread-safe; creating them is not)."""
    import boto3
    from botocore.config import Config as BotoConfig

    key = (
        config["S3_ENDPOINT_URL"],
        config["S3_REGION"],
        config["S3_ACCESS_KEY_ID"],
        config["S3_SECRET_ACCESS_KEY"],
        config["S3_ADDRESSING_STYLE"],
    )
    with _clients_lock:
        if key not in _clients:
            _clients[key] = boto3.session.Session().client(
                "s3",
                endpoint_url=config["S3_ENDPOINT_URL"] or None,
                region_name=config["S3_REGION"],
                aws_access_key_id=config["S3_ACCESS_KEY_ID"] or None,
                aws_secret_access_key=config["S3_SECRET_ACCESS_KEY"] or None,
                config=BotoConfig(
                    s3={"addressing_style": config["S3_ADDRESSING_STYLE"]},
                    connect_timeout=config["S3_TIMEOUT"],
                    read_timeout=config["S3_TIMEOUT"],
                    retries={"max_attempts": 3, "mode": "standard"},
                ),
            )
        return _clients[key]


class S3Store:
    """Objects of `bucket` under `prefix` (which ends with '/')."""

    def __init__(self, client, bucket: str, prefix: str, public: bool):
        self.client, self.bucket, self.prefix, self.public = client, bucket, prefix, public

    def describe(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def put(self, key: str, data: bytes) -> None:
        extra = {}
        if self.public:
            extra["ContentType"] = mimetypes.guess_type(key)[0] or "application/octet-stream"
            extra["CacheControl"] = "public, max-age=31536000, immutable"  # names are never reused
        self.client.put_object(Bucket=self.bucket, Key=self.prefix + _check_key(key), Body=data, **extra)

    def get(self, key: str) -> bytes | None:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.prefix + _check_key(key))
        except self.client.exceptions.NoSuchKey:
            return None
        return answer["Body"].read()

    def list(self, prefix: str = "") -> dict[str, Entry]:
        found = {}
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix + prefix)
        for page in pages:
            for item in page.get("Contents", []):
                modified: datetime = item["LastModified"]
                found[item["Key"][len(self.prefix) :]] = Entry(item["Size"], modified.timestamp())
        return found

    def delete_prefix(self, prefix: str) -> None:
        keys = [self.prefix + key for key in self.list(prefix)]
        for start in range(0, len(keys), 1000):
            batch = [{"Key": key} for key in keys[start : start + 1000]]
            self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})


def _s3(area: str, public: bool) -> S3Store:
    config = current_app.config
    return S3Store(s3_client(config), config["S3_BUCKET"], f"{config['S3_PREFIX']}{area}/", public)


def statics() -> LocalStore | S3Store:
    """The served files (what `statics/...` paths name)."""
    if current_app.config["STORAGE_BACKEND"] == "s3":
        return _s3("statics", public=True)
    return LocalStore(current_app.config["STATICS_DIR"], 0o644)


def chunks() -> LocalStore | S3Store:
    """Upload chunks before their merge (never served)."""
    if current_app.config["STORAGE_BACKEND"] == "s3":
        return _s3("upload_chunks", public=False)
    configured = current_app.config["UPLOAD_CHUNK_DIR"]
    return LocalStore(configured or Path(current_app.instance_path) / "upload_chunks", 0o600)


def exports() -> LocalStore | S3Store:
    """Finished export files (never served as statics: downloads go through a signed link)."""
    if current_app.config["STORAGE_BACKEND"] == "s3":
        return _s3("exports", public=False)
    configured = current_app.config["EXPORT_DIR"]
    return LocalStore(configured or Path(current_app.instance_path) / "exports", 0o600)


def public_url(key: str) -> str:
    """What a response shows for a stored file: `statics/<key>` or the CDN's absolute URL."""
    base = current_app.config["STATICS_BASE_URL"]
    return f"{base.rstrip('/')}/{key}" if base else f"statics/{key}"


def save_public(key: str, data: bytes) -> str:
    """Store a served file; returns its public URL."""
    statics().put(key, data)
    return public_url(key)


def serve_static(filename: str):
    """GET /statics/<filename>: from disk (Flask's own static view) or streamed from the bucket."""
    if current_app.config["STORAGE_BACKEND"] != "s3":
        return current_app.send_static_file(filename)
    from flask import Response, abort

    try:
        data = statics().get(filename)
    except ValueError:
        abort(404)
    if data is None:
        abort(404)
    mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    response = Response(data, mimetype=mimetype)
    response.cache_control.public, response.cache_control.max_age = True, 43200
    return response


def register_storage(app) -> None:
    """The `/statics/...` route serves what the configured store holds."""
    if "static" in app.view_functions:
        app.view_functions["static"] = serve_static
