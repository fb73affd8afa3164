"""Structured logs to stdout: one JSON object per line, with request or job context."""

import json
import logging
import re
import sys
import time

from flask import g, has_request_context, request
from sqlalchemy import inspect as sa_inspect

from app import request_id

_RESERVED = set(vars(logging.makeLogRecord({})))
_SECRET_KEYS = {"password", "token", "secret", "rand_str", "app_secret", "tongxunlu_secret"}


# A query string (`?name=value…`) anywhere in a message: it carries rand_str signatures and other credentials.
_QUERY_STRING = re.compile(r"\?[^\s\"'?=]*=[^\s\"']*")


def scrub_query(text: str) -> str:
    """`text` with every query string cut: `/x?rand_str=…&user_id=1` → `/x?…`."""
    return _QUERY_STRING.sub("?…", text)


class QueryStringFilter(logging.Filter):
    """Cuts query strings out of a record's message and traceback before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg, record.args = scrub_query(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = scrub_query(logging.Formatter().formatException(record.exc_info))
        return True


class JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if current_id := request_id.current():
            entry["request_id"] = current_id
        if has_request_context():
            entry["method"], entry["path"] = request.method, request.path
            admin = g.get("admin")
            if admin is not None:  # the identity key: admin.id would reload an instance the request expired
                entry["admin_id"] = (sa_inspect(admin).identity or (None,))[0]
        for key, value in vars(record).items():
            if key not in _RESERVED and key not in entry:
                entry[key] = "***" if key in _SECRET_KEYS else value
        if record.exc_info:
            entry["exc"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _start_timer() -> None:
    g.request_started = time.perf_counter()


def _log_request(response):
    # The path only: query strings carry rand_str signatures, which must not reach the logs.
    started = g.pop("request_started", None)
    admin = g.get("admin")
    if admin is not None:  # for gunicorn's access line; the identity key, as admin.id may reload after commit
        request.environ["zhugeleida.admin_id"] = (sa_inspect(admin).identity or (None,))[0]
    if _under_gunicorn(request.environ):
        return response  # gunicorn writes the one access line of the request (app/gunicorn_logging.py)
    elapsed_ms = round((time.perf_counter() - started) * 1000, 1) if started else None
    _access_log.info("request", extra={"status": response.status_code, "ms": elapsed_ms})
    return response


def _under_gunicorn(environ) -> bool:
    return environ.get("SERVER_SOFTWARE", "").startswith("gunicorn")


def log_answered(environ, status: int, elapsed_ms: float) -> None:
    """The access line of a request answered before Flask (app/fastpath.py), as `_log_request` writes it."""
    if not _under_gunicorn(environ):
        extra = {"method": environ["REQUEST_METHOD"], "path": environ["PATH_INFO"], "status": status, "ms": elapsed_ms}
        _access_log.info("request", extra=extra)


_access_log = logging.getLogger("zhugeleida.access")


def configure_logging(app) -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JSONFormatter())
    handler.addFilter(QueryStringFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(app.config["LOG_LEVEL"])
    # Werkzeug's access log prints full URLs, which carry rand_str: keep it quiet.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    request_id.register_request_id(app)
    app.before_request(_start_timer)
    app.after_request(_log_request)
