"""The 16.5 heartbeat answered before Flask (docs/h5.md "The hot path"): a WSGI layer around the app.

Every reader of an article page sends a heartbeat every few seconds: with the hot buffer on, its work is one Lua
script in Redis (app/services/hot_buffer.py), and Flask's per-request machinery (routing, the request context,
before/after_request, the session's end) costs more than that work. This layer recognises exactly a `GET` of the
heartbeat's URL and, when the buffer is on, takes the view's steps in the view's order with the view's own code
— the clock skew (app/auth.py), the caller (hot_buffer.checked_customer: the token this process knows, else the
database's), the query (StayTimeSchema, through app.schemas.base.load), the heartbeat
(hot_buffer.heartbeat) — and answers the very envelope, status and headers the view would (content type,
security headers, request id); its access line and metrics are the app's (app/logging.py, app/metrics.py).

Anything else goes to Flask, untouched: another URL or method, the buffer off, a query that is not plain
`name=value` pairs of letters, digits and `_.-` (anything encoded, repeated or odd), missing or malformed
signing parameters (the guard words that error), Redis unreachable (nothing was counted: the view writes to the
database), the database unreachable, a request body, debug mode, an unexpected error.
"""

import logging
import re
import time

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.http import HTTP_STATUS_CODES

from app import request_id
from app.api.gongzhonghao import article
from app.auth import check_skew
from app.headers import EVERY_RESPONSE
from app.logging import log_answered
from app.metrics import observe
from app.responses import ApiError, Code, envelope_body
from app.schemas.base import load
from app.schemas.share import StayTimeSchema
from app.services import hot_buffer

log = logging.getLogger(__name__)

# A query this layer reads itself: name=value pairs whose bytes need no decoding.
_PLAIN_QUERY = re.compile(r"[A-Za-z0-9_.-]+=[A-Za-z0-9_.-]*(?:&[A-Za-z0-9_.-]+=[A-Za-z0-9_.-]*)*")
_SIGNED = ("rand_str", "timestamp", "user_id")


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 18


class HeartbeatFastPath:
    """WSGI middleware: `app.wsgi_app = HeartbeatFastPath(app, app.wsgi_app)`."""

    def __init__(self, app: Flask, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app
        self._path: re.Pattern | None = None
        self._endpoint = ""

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "GET":
            started = time.perf_counter()
            answer = self._try(environ)
            if answer is not None:
                status, code, body = answer
                rid = environ[request_id.ENVIRON_KEY]
                headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
                headers += [*EVERY_RESPONSE, (request_id.HEADER, rid)]
                start_response(f"{status} {HTTP_STATUS_CODES[status]}", headers)
                elapsed = time.perf_counter() - started
                observe(self._endpoint, "GET", status, elapsed, code)
                with request_id.bound(rid):
                    log_answered(environ, status, round(elapsed * 1000, 1))
                return [body]
        return self.wsgi_app(environ, start_response)

    def _pattern(self) -> re.Pattern:
        """The heartbeat's URL, read from the app's routes once they are all registered."""
        if self._path is None:
            (rule,) = [
                r for r in self.app.url_map.iter_rules() if self.app.view_functions[r.endpoint] is article.staytime
            ]
            prefix, _, rest = rule.rule.partition("<int:o_id>")
            if rest:
                raise RuntimeError(f"16.5's URL changed shape: {rule.rule}")
            self._endpoint = rule.endpoint
            self._path = re.compile(re.escape(prefix) + r"([1-9][0-9]{0,17})")
        return self._path

    def _try(self, environ) -> tuple[int, int, bytes] | None:
        """(HTTP status, envelope code, body) of a heartbeat this layer answers, else None (Flask answers)."""
        match = self._pattern().fullmatch(environ.get("PATH_INFO", ""))
        if match is None or environ.get("CONTENT_LENGTH", "") not in ("", "0") or "HTTP_TRANSFER_ENCODING" in environ:
            return None
        config = self.app.config
        pretty = self.app.debug or self.app.json.compact is False  # type: ignore[attr-defined]
        if not config["HOT_BUFFER"] or pretty:
            return None
        args = _plain_args(environ.get("QUERY_STRING", ""))
        if args is None:
            return None
        rand_str, timestamp, user_id = (args.get(name, "") for name in _SIGNED)
        if not (rand_str and _digits(timestamp) and _digits(user_id)):
            return None  # the view's guard words that error
        environ[request_id.ENVIRON_KEY] = request_id.chosen(environ.get("HTTP_X_REQUEST_ID", ""))
        try:
            with self.app.app_context(), request_id.bound(environ[request_id.ENVIRON_KEY]):
                start = environ.get("HTTP_X_REQUEST_START")
                return self._answer(int(match[1]), args, rand_str, timestamp, int(user_id), start)
        except SQLAlchemyError:  # the database away: the view answers (and logs) it
            return None
        except Exception:  # Flask answers it as it would have (a step counted twice in one second adds 0)
            log.exception("heartbeat fast path failed: handed to Flask")
            return None

    def _answer(self, article_id: int, args: dict, rand_str: str, timestamp: str, customer_id: int, start):
        """The view's steps (app/api/gongzhonghao/article.py staytime), in its order."""
        if not hot_buffer.enabled():
            return None
        try:
            check_skew(timestamp)
            caller = hot_buffer.checked_customer(rand_str, timestamp, customer_id)
            query = load(StayTimeSchema, args)  # the view's @takes(query=...), one instance
            step = hot_buffer.heartbeat(caller, article_id, query["article_access_log_id"])
        except ApiError as err:
            return self._envelope(err.status, err.code, err.msg, err.data)
        if step is None:  # Redis unreachable (within a second): nothing counted; the view writes to the database
            return None
        return self._envelope(200, Code.OK, article.STAYTIME_OK, article.staytime_answer(start))

    def _envelope(self, status: int, code: int, msg: str, data=None) -> tuple[int, int, bytes]:
        """As jsonify (the app's JSON provider, compact outside debug mode) and app.responses.envelope."""
        text = self.app.json.dumps(envelope_body(code, msg, data), separators=(",", ":"))
        return status, int(code), f"{text}\n".encode()


def _plain_args(query: str) -> dict[str, str] | None:
    if not _PLAIN_QUERY.fullmatch(query):
        return None
    pairs = [part.split("=", 1) for part in query.split("&")]
    args = dict(pairs)
    return args if len(args) == len(pairs) else None
