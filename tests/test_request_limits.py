"""Request size and shape: the global body limit (413 before reading), and JSON nested too deeply or
malformed, wherever the app parses JSON from input (docs/security.md)."""

import base64
import io
import json
import os

import pytest
from werkzeug.test import EnvironBuilder, run_wsgi_app

from app.extensions import limiter
from app.inputs import JSON_MAX_DEPTH, JSONInputError, parse_json
from tests.conftest import body

LOGIN = "/zhugeleida/admin/login"
UPLOAD = "/zhugeleida/public/img_upload"


class CountingStream(io.RawIOBase):
    """A request body of `size` bytes that records how many of them the app read."""

    def __init__(self, size: int, fill: bytes = b"a"):
        self.size, self.fill, self.position, self.read_bytes = size, fill, 0, 0

    def readable(self):
        return True

    def seekable(self):  # the test client measures the body's length by seeking to its end
        return True

    def seek(self, offset, whence=io.SEEK_SET):
        self.position = offset if whence == io.SEEK_SET else self.size + offset
        return self.position

    def tell(self):
        return self.position

    def readinto(self, buffer):
        n = max(0, min(len(buffer), self.size - self.position))
        buffer[:n] = self.fill * n
        self.position += n
        self.read_bytes += n
        return n


def _public_post_routes(app) -> list[str]:
    """Every POST route that needs no credentials: WeChat's callbacks, login, scan-to-join."""
    adapter = app.url_map.bind("localhost")
    paths = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if "POST" in rule.methods and getattr(view, "is_public", False):
            paths.append(adapter.build(rule.endpoint, dict.fromkeys(rule.arguments, 1), method="POST"))
    return sorted(paths)


def test_the_default_body_limit_is_one_mebibyte(app):
    assert app.config["BODY_MAX_BYTES"] == 1024 * 1024
    assert app.config["MAX_CONTENT_LENGTH"] == app.config["BODY_MAX_BYTES"]


READS_THE_BODY = {LOGIN, "/zhugeleida/open_weixin/event", "/zhugeleida/open_weixin/message/1"}


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "application/json", "text/xml"])
def test_a_100_mb_body_is_refused_with_413_before_it_is_read(app, api, content_type):
    """WeChat's callback URLs and login answer 413 from the Content-Length alone: not one byte is read.
    Every other public POST route either does the same or refuses the request before its body."""
    routes = _public_post_routes(app)
    assert set(routes) >= READS_THE_BODY
    for path in routes:
        stream = CountingStream(100 * 1024 * 1024)
        response = api.client.post(
            path,
            input_stream=stream,
            content_type=content_type,
            query_string={"signature": "x", "timestamp": "1", "nonce": "1", "msg_signature": "x"},
        )
        assert stream.read_bytes == 0 and response.status_code < 500, (path, response.status_code)
        if path in READS_THE_BODY:
            assert response.status_code == 413, (path, response.status_code, response.data[:200])
            assert body(response)["code"] == 413 and body(response)["msg"].startswith("请求体过大"), path
            assert body(response)["data"] == {}


def test_a_body_just_over_the_limit_is_413_and_at_the_limit_is_read(app, api, make):
    limit = app.config["BODY_MAX_BYTES"]
    over = api.client.post(LOGIN, data=b"a" * (limit + 1), content_type="application/x-www-form-urlencoded")
    assert over.status_code == 413
    assert body(over) == {"code": 413, "msg": f"请求体过大，不能超过{limit}字节", "data": {}}
    filler = "x" * (limit - 100)
    at_limit = api.client.post(LOGIN, data=f"username=a&password=b&pad={filler}"[:limit])
    assert at_limit.status_code == 200 and body(at_limit)["code"] in (303, 401)


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "application/json"])
def test_a_login_body_over_the_limit_keeps_the_rate_limits_storage(app, api, content_type):
    """The login's rate-limit key reads the body: refused there (413), Flask-Limiter would take its storage for
    unreachable and count in this process's memory instead (docs/security.md, "Sign-in limits")."""
    over = api.client.post(LOGIN, data=b"a" * (app.config["BODY_MAX_BYTES"] + 1), content_type=content_type)
    assert (over.status_code, body(over)["code"]) == (413, 413)
    assert limiter._storage_dead is False


def test_a_signed_route_is_limited_too(app, api, make):
    admin = make.admin()
    response = api.as_(admin).post(
        "/zhugeleida/admin/website/edit/1", data=b"[" * (app.config["BODY_MAX_BYTES"] + 1), content_type="text/plain"
    )
    assert (response.status_code, body(response)["code"]) == (413, 413)


def test_the_chunk_upload_may_send_a_whole_chunk_but_no_more(app, api, make, upload_dirs):
    """Only the chunk route is raised above BODY_MAX_BYTES: to one base64 chunk and the other fields."""
    client = api.as_(make.admin())
    form = {"img_name": "a.png", "chunk": 0, "timestamp": "4", "img_source": "cover_picture"}
    chunk = base64.b64encode(os.urandom(app.config["UPLOAD_MAX_CHUNK_BYTES"])).decode()
    assert len(chunk) > app.config["BODY_MAX_BYTES"]
    assert body(client.post(UPLOAD, {**form, "img_data": chunk}))["code"] == 200
    too_big = client.post(UPLOAD, {**form, "img_data": "A" * (app.config["UPLOAD_BODY_MAX_BYTES"] + 1)})
    assert (too_big.status_code, body(too_big)["code"]) == (413, 413)
    assert str(app.config["UPLOAD_BODY_MAX_BYTES"]) in body(too_big)["msg"]
    merge = client.post("/zhugeleida/public/img_merge", {**form, "chunk_num": 1, "pad": "x" * (1024 * 1024)})
    assert merge.status_code == 413  # the merge route keeps the global limit


DEEP = "[" * 200_000 + "]" * 200_000
DEEP_FORM = "[" * 150_000 + "]" * 150_000  # urlencoded (3 bytes a bracket), still within BODY_MAX_BYTES


def test_deep_json_login_body_is_301(api):
    response = api.client.post(LOGIN, data=DEEP, content_type="application/json")
    assert response.status_code == 200
    assert body(response)["code"] == 301 and f"嵌套不能超过{JSON_MAX_DEPTH}层" in body(response)["msg"]


@pytest.mark.parametrize("text", ["{", '{"username": "a",}', "\xff", "[1]", "null"])
def test_malformed_json_login_body_is_301(api, text):
    response = api.client.post(LOGIN, data=text.encode("latin-1"), content_type="application/json")
    assert (response.status_code, body(response)["code"]) == (200, 301)


def test_deep_json_in_a_form_field_is_301(api, make):
    """6.2 website_content: JSON in a form field, nested 200,000 deep."""
    admin = make.admin()
    path = f"/zhugeleida/admin/website/edit/{admin.company_id}"
    payload = body(api.as_(admin).post(path, {"website_content": DEEP_FORM}))
    assert payload["code"] == 301 and payload["msg"].startswith("官网内容") and "嵌套" in payload["msg"]
    nested = json.dumps(
        [
            {
                "type": "guntu",
                "data": [{"picture_url": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}],
            }
        ]
    )
    assert body(api.as_(admin).post(path, {"website_content": nested}))["code"] == 301


def test_deep_json_body_is_301_on_a_signed_route(api, make):
    admin = make.admin()
    path = f"/zhugeleida/admin/website/edit/{admin.company_id}"
    response = api.as_(admin).post(path, data='{"website_content": ' + DEEP + "}", content_type="application/json")
    assert (response.status_code, body(response)["code"]) == (200, 301)


def test_parse_json_bounds_depth_without_recursion():
    assert parse_json("[" * JSON_MAX_DEPTH + "]" * JSON_MAX_DEPTH) is not None
    for text in ("[" * (JSON_MAX_DEPTH + 1) + "]" * (JSON_MAX_DEPTH + 1), DEEP, '{"a":' * 100_000):
        with pytest.raises(JSONInputError):
            parse_json(text)
    assert parse_json('"text"') == "text" and parse_json("3") == 3


def test_request_get_json_uses_the_bounded_parser(app):
    """Any view calling request.get_json() (the login rate limit's key, the sandbox) is bounded too."""
    with app.test_request_context("/", method="POST", data=DEEP, content_type="application/json"):
        from flask import request

        assert request.get_json(silent=True) is None


def _chunked(app, path: str, stream, content_type: str, query: str = "") -> tuple[str, dict]:
    """POST `stream` without Content-Length, as gunicorn hands over a chunked body (a terminated stream)."""
    environ = EnvironBuilder(path, method="POST", query_string=query).get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ.update({"wsgi.input": stream, "wsgi.input_terminated": True, "CONTENT_TYPE": content_type})
    environ["HTTP_TRANSFER_ENCODING"] = "chunked"
    chunks, status, _headers = run_wsgi_app(app, environ, buffered=True)
    return status, json.loads(b"".join(chunks))


def test_a_chunked_body_over_the_limit_is_413_not_truncated(app):
    """Werkzeug alone stops reading a chunked body at the limit and hands the view the truncated part."""
    stream = CountingStream(100 * 1024 * 1024)
    query = "signature=x&timestamp=1&nonce=1&msg_signature=x"
    status, payload = _chunked(app, "/zhugeleida/open_weixin/event", stream, "text/xml", query)
    assert status.startswith("413") and payload["code"] == 413
    assert stream.read_bytes <= app.config["BODY_MAX_BYTES"] + 1
    just_over = CountingStream(app.config["BODY_MAX_BYTES"] + 1, fill=b" ")
    status, payload = _chunked(app, LOGIN, just_over, "application/json")
    assert status.startswith("413") and payload["code"] == 413


def test_a_chunked_body_within_the_limit_is_read_whole(app):
    text = b'{"username": "nobody", "password": "x"}'
    limit = app.config["BODY_MAX_BYTES"]
    stream = io.BytesIO(text + b" " * (limit - len(text)))  # exactly the limit
    status, payload = _chunked(app, LOGIN, stream, "application/json")
    assert status.startswith("200") and payload["code"] == 401, payload
