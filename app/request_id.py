"""Request ids: `X-Request-ID` accepted (when it looks like an id) or generated, returned on the response,
added to every log line of the request (app/logging.py) and carried into the jobs it starts (app/jobs)."""

import re
import uuid
from contextlib import contextmanager
from contextvars import ContextVar

from flask import g, request

HEADER = "X-Request-ID"
ENVIRON_KEY = "zhugeleida.request_id"  # read by gunicorn's access line (app/gunicorn_logging.py)
_VALID = re.compile(r"^[A-Za-z0-9._:@-]{1,128}$")
_current: ContextVar[str | None] = ContextVar("request_id", default=None)


def current() -> str | None:
    return _current.get()


@contextmanager
def bound(request_id: str | None):
    """Log lines inside carry `request_id` (a job started by a request)."""
    token = _current.set(request_id)
    try:
        yield
    finally:
        _current.reset(token)


def chosen(given: str) -> str:
    """The id of a request that sent `given` as its X-Request-ID: that one when it looks like an id, else a new one."""
    return given if _VALID.match(given) else uuid.uuid4().hex


def _begin() -> None:
    request_id = chosen(request.headers.get(HEADER, ""))
    g.request_id_token = _current.set(request_id)
    request.environ[ENVIRON_KEY] = request_id


def _answer(response):
    request_id = current()
    if request_id:
        response.headers[HEADER] = request_id
    return response


def _end(_exc=None) -> None:
    token = g.pop("request_id_token", None)
    if token is not None:
        _current.reset(token)


def register_request_id(app) -> None:
    # before every other before_request: their log lines carry the id too.
    app.before_request_funcs.setdefault(None, []).insert(0, _begin)
    app.after_request(_answer)
    app.teardown_request(_end)
