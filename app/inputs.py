"""Limits on what a request may carry: its body size and the JSON it holds (see docs/security.md).

Every request body is bounded by MAX_CONTENT_LENGTH (BODY_MAX_BYTES) before it is read: Werkzeug answers
413 from the Content-Length alone, or as soon as a stream without one goes past the limit. A view that needs
more names its own setting with @body_limit. All JSON from input — request bodies through the app's JSON
provider (request.get_json) and JSON-in-form fields through parse_json — is parsed by parse_json, which
refuses malformed text and nesting deeper than JSON_MAX_DEPTH instead of raising RecursionError (a 500).
"""

import json
from collections.abc import Callable

from flask import Flask, Request, current_app, has_request_context, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import cached_property
from werkzeug.wsgi import LimitedStream, get_content_length

# Methods that write nothing: no operation-log entry, and their signatures may be reused (docs/security.md).
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_LOADED = "zhugeleida.oplog_inputs"  # on the request (not g: an app context may outlive one request)

# Deep enough for every document the API takes (content blocks nest 3-4 levels), far from the interpreter's
# recursion limit, which json.loads and any recursive walk of the value would hit.
JSON_MAX_DEPTH = 32
DEPTH_MESSAGE = f"JSON 嵌套不能超过{JSON_MAX_DEPTH}层"


class JSONInputError(ValueError):
    """Malformed or too deeply nested JSON; `msg` says which, in Chinese."""

    def __init__(self, msg: str):
        super().__init__(msg)
        self.msg = msg


def parse_json(data: str | bytes, **kwargs):
    """The JSON value in `data`; JSONInputError when it is malformed or nested deeper than JSON_MAX_DEPTH."""
    try:
        value = json.loads(data, **kwargs)
    except RecursionError:
        raise JSONInputError(DEPTH_MESSAGE) from None
    except ValueError:  # JSONDecodeError, and UnicodeDecodeError for bytes that are not UTF-8
        raise JSONInputError("不是合法的 JSON") from None
    if _deeper_than(value, JSON_MAX_DEPTH):
        raise JSONInputError(DEPTH_MESSAGE)
    return value


def _deeper_than(value, limit: int) -> bool:
    """Whether lists/objects nest more than `limit` levels (iterative: no recursion on hostile input)."""
    stack = [(value, 1)] if isinstance(value, dict | list) else []
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


class InputJSONProvider(DefaultJSONProvider):
    """The app's JSON provider: request.get_json() parses with parse_json (a ValueError when refused,
    so get_json(silent=True) answers None and get_json() a 400)."""

    def loads(self, s: str | bytes, **kwargs):
        return parse_json(s, **kwargs)


class _MaxStream(LimitedStream):
    """A body without Content-Length (chunked) read up to the limit: Werkzeug's readall() stops there
    silently, handing the view a truncated body; this one answers 413 when anything follows."""

    def readall(self) -> bytes:
        data = super().readall()
        if self.is_exhausted and self._stream.read(1):
            raise RequestEntityTooLarge()
        return data


class InputRequest(Request):
    """The app's request class: a streamed body past max_content_length is a 413, never cut short."""

    @cached_property
    def stream(self):
        limit, environ = self.max_content_length, self.environ
        streamed = get_content_length(environ) is None and "wsgi.input_terminated" in environ
        if self.shallow or limit is None or not streamed:
            return super().stream
        return _MaxStream(environ["wsgi.input"], limit, is_max=True)


def body_limit(setting: str) -> Callable:
    """Let a view's request body reach the config value `setting` (bytes) instead of BODY_MAX_BYTES."""

    def decorate(view):
        view.body_limit_setting = setting
        return view

    return decorate


def _apply_body_limit() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    setting = getattr(view, "body_limit_setting", None)
    if setting:
        request.max_content_length = current_app.config[setting]


def register_input_limits(app: Flask) -> None:
    app.json = InputJSONProvider(app)
    app.request_class = InputRequest
    app.before_request_funcs.setdefault(None, []).insert(0, _apply_body_limit)  # before anything reads the body


def remember_input(data) -> None:
    """Called by app.schemas.base.load(): a write's loaded input, kept on the request for its operation-log
    entry's summary (app/services/oplog.py)."""
    if has_request_context() and request.method not in SAFE_METHODS and isinstance(data, dict):
        request.environ.setdefault(_LOADED, []).append(data)


def remembered_inputs() -> list[dict]:
    """The inputs remember_input() kept for this request, in load order."""
    return request.environ.get(_LOADED, [])
