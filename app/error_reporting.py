"""Optional error reporting: SENTRY_DSN enables sentry-sdk (docs/operations.md).

Nothing that authenticates leaves the host: cookies and request bodies are dropped, query strings (rand_str,
timestamps) are cut from every string of the event, and the value of every key that names a token, password,
secret, signature or ticket is replaced (headers such as Authorization, local variables, extra data,
breadcrumbs). sentry-sdk sends no personal data by default (no user, no client address)."""

import re

from flask import Flask

from app import request_id
from app.logging import scrub_query

_SECRET = re.compile(
    r"pass|token|secret|sign|rand_str|authorization|cookie|api_?key|aes_?key|ticket|auth_code|session", re.IGNORECASE
)
FILTERED = "[Filtered]"


def _scrub(value, depth: int = 0):
    """Values under a secret-sounding key replaced, query strings cut from every string (a request's repr in
    a frame's variables carries its URL)."""
    if depth > 24:
        return FILTERED
    if isinstance(value, dict):
        return {k: FILTERED if _SECRET.search(str(k)) else _scrub(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v, depth + 1) for v in value]
    if isinstance(value, str):
        return scrub_query(value)
    return value


def before_send(event: dict, _hint=None) -> dict:
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("query_string", "cookies", "data"):
            request.pop(key, None)
    if (rid := request_id.current()) is not None:
        event.setdefault("tags", {})["request_id"] = rid
    return _scrub(event)


def register_error_reporting(app: Flask) -> None:
    dsn = app.config.get("SENTRY_DSN")
    if not dsn:
        return
    import sentry_sdk
    from sentry_sdk.integrations.flask import FlaskIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=app.config.get("SENTRY_ENVIRONMENT") or app.config["APP_ENV"],
        integrations=[FlaskIntegration()],
        max_request_body_size="never",
        traces_sample_rate=app.config["SENTRY_TRACES_SAMPLE_RATE"],
        before_send=before_send,
        before_send_transaction=before_send,
    )
