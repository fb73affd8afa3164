"""Optional error reporting: SENTRY_DSN enables sentry-sdk (docs/operations.md).

Nothing that authenticates leaves the host: query strings (rand_str, timestamps), cookies, Authorization
headers and request bodies are dropped, and every key that names a token, password, secret or signature is
replaced in what remains (local variables, extra data, breadcrumbs)."""

import re

from flask import Flask

from app import request_id

_SECRET = re.compile(
    r"pass|token|secret|sign|rand_str|authorization|cookie|api_?key|aes_?key|ticket|auth_code|session", re.IGNORECASE
)
FILTERED = "[Filtered]"


def _scrub(value, depth: int = 0):
    if depth > 8:
        return value
    if isinstance(value, dict):
        return {k: FILTERED if _SECRET.search(str(k)) else _scrub(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v, depth + 1) for v in value]
    return value


def before_send(event: dict, _hint=None) -> dict:
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("query_string", "cookies", "data"):
            request.pop(key, None)
        if "url" in request:
            request["url"] = str(request["url"]).split("?", 1)[0]
        request["headers"] = _scrub(request.get("headers") or {})
    for exception in (event.get("exception") or {}).get("values", []):
        for frame in (exception.get("stacktrace") or {}).get("frames", []):
            if "vars" in frame:
                frame["vars"] = _scrub(frame["vars"])
    for key in ("extra", "contexts"):
        if key in event:
            event[key] = _scrub(event[key])
    for crumb in (event.get("breadcrumbs") or {}).get("values", []):
        if "data" in crumb:
            crumb["data"] = _scrub(crumb["data"])
        if isinstance(crumb.get("message"), str):
            crumb["message"] = crumb["message"].split("?", 1)[0]
    if (rid := request_id.current()) is not None:
        event.setdefault("tags", {})["request_id"] = rid
    return event


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
        send_default_pii=False,
        max_request_body_size="never",
        traces_sample_rate=app.config["SENTRY_TRACES_SAMPLE_RATE"],
        before_send=before_send,
        before_send_transaction=before_send,
    )
