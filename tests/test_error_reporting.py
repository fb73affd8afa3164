"""SENTRY_DSN: an unexpected error reaches the error-reporting service over HTTP, with no secret in it."""

import gzip
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sentry_sdk

from app import create_app
from config import TestingConfig


class Collector(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self):
        data = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Content-Encoding") == "gzip":
            data = gzip.decompress(data)
        Collector.received.append(data)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *_args):
        pass


@pytest.fixture
def sentry_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Collector.received = []
    yield f"http://publickey@127.0.0.1:{server.server_address[1]}/1"
    sentry_sdk.get_client().close(timeout=2)
    sentry_sdk.init()  # no DSN: the rest of the session reports nothing
    server.shutdown()


def test_an_unexpected_error_is_reported_without_secrets(sentry_server, tmp_path):
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'db.sqlite3'}"
        STATICS_DIR = str(tmp_path)
        SENTRY_DSN = sentry_server

    app = create_app(Config)

    @app.post("/boom")
    def boom():
        from flask import request

        token = request.headers["X-Token"]  # a local variable the report must not show
        raise RuntimeError(f"kaboom {len(token)}")

    # Made at run time: the report's source context (lines around each frame) must not hold them either.
    signature, password, bearer, token = (uuid.uuid4().hex for _ in range(4))
    response = app.test_client().post(
        f"/boom?rand_str={signature}&timestamp=1&user_id=1",
        data={"password": password},
        headers={"Authorization": f"Bearer {bearer}", "X-Token": token, "X-Request-ID": "rid-sentry-1"},
    )
    assert response.status_code == 500
    sentry_sdk.get_client().flush(timeout=5)
    sent = b"\n".join(Collector.received).decode(errors="replace")
    assert "kaboom" in sent and "rid-sentry-1" in sent
    for secret in (signature, password, bearer, token):
        assert secret not in sent, secret
    events = [json.loads(line) for line in sent.splitlines() if line.startswith("{") and '"exception"' in line]
    assert events and events[0]["request"]["url"].endswith("/boom")
