"""Keeping a slow or down WeChat from holding the API (docs/jobs_wechat.md "Outages").

- **One deadline per request**: the WeChat calls a request makes share WECHAT_REQUEST_DEADLINE seconds in total
  (below gunicorn's worker timeout); each call's HTTP timeout is what is left, and a call with nothing left
  answers "busy" at once. Jobs (no request) keep WECHAT_TIMEOUT per call: they have their own job timeout.
- **A circuit breaker per WeChat API** (host + path): WECHAT_BREAKER_FAILURES network failures in a row (timeout,
  refused connection, 5xx, unreadable answer) open it for WECHAT_BREAKER_RESET seconds, during which calls to
  that API answer "busy" at once; then one trial call closes it again or reopens it. The state is per process
  — a small counter under a lock, no library and no Redis: each process learns within a few failed calls, and
  the breaker keeps working when Redis itself is the thing that is down.
"""

import threading
import time
from urllib.parse import urlsplit

from flask import current_app, has_app_context, has_request_context, request

from app.wechat.errors import SYSTEM_BUSY, WeChatError

DEADLINE_MSG = "微信接口响应过慢，本次请求已停止等待，请稍后重试"
OPEN_MSG = "微信接口暂时不可用（连续失败），请稍后重试"
_DEADLINE_KEY = "zhugeleida.wechat_deadline"


def call_timeout(default: float) -> float:
    """The HTTP timeout for the next WeChat call: `default`, cut to what is left of the request's deadline."""
    if not has_request_context():
        return default
    environ = request.environ  # the request's own (an app context, and its `g`, may outlive one request)
    deadline = environ.get(_DEADLINE_KEY)
    if deadline is None:
        deadline = environ[_DEADLINE_KEY] = time.monotonic() + current_app.config["WECHAT_REQUEST_DEADLINE"]
    left = deadline - time.monotonic()
    if left <= 0.05:
        raise WeChatError(SYSTEM_BUSY, DEADLINE_MSG, network=True)
    return min(default, left)


def api_key(base: str, url_or_endpoint: str) -> str:
    """host/path of a call, without its query string (the breaker's unit)."""
    url = url_or_endpoint if url_or_endpoint.startswith("http") else base + url_or_endpoint
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path}"


class Breaker:
    def __init__(self):
        self.lock = threading.Lock()
        self.failures: dict[str, int] = {}
        self.open_until: dict[str, float] = {}
        self.trial: set[str] = set()

    def before(self, key: str) -> None:
        """Raise at once while `key` is open; after the pause, let one trial call through."""
        with self.lock:
            until = self.open_until.get(key)
            if until is None:
                return
            if time.monotonic() < until or key in self.trial:
                raise WeChatError(SYSTEM_BUSY, OPEN_MSG, network=True)
            self.trial.add(key)

    def success(self, key: str) -> None:
        with self.lock:
            self.failures.pop(key, None)
            self.open_until.pop(key, None)
            self.trial.discard(key)

    def failure(self, key: str, threshold: int, reset: float) -> None:
        with self.lock:
            count = self.failures.get(key, 0) + 1
            self.failures[key] = count
            if key in self.trial or count >= threshold:
                self.open_until[key] = time.monotonic() + reset
                self.trial.discard(key)

    def reset(self) -> None:
        with self.lock:
            self.failures.clear()
            self.open_until.clear()
            self.trial.clear()


def breaker() -> Breaker:
    """This app's breaker (one per process and app)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get("zhugeleida_wechat_breaker")
    if found is None:
        found = app.extensions.setdefault("zhugeleida_wechat_breaker", Breaker())
    return found


def guarded(key: str, call):
    """Run `call(timeout)` under the request deadline and the API's breaker; a network failure counts."""
    if not has_app_context():
        return call(None)
    config = current_app.config
    gate = breaker()
    gate.before(key)
    timeout = call_timeout(config["WECHAT_TIMEOUT"])
    try:
        result = call(timeout)
    except WeChatError as error:
        if error.network and timeout < config["WECHAT_TIMEOUT"]:
            # cut short by the request's deadline: the request is out of time, WeChat not proven down
            raise WeChatError(SYSTEM_BUSY, DEADLINE_MSG, network=True) from None
        if error.network:
            gate.failure(key, config["WECHAT_BREAKER_FAILURES"], config["WECHAT_BREAKER_RESET"])
        else:
            gate.success(key)  # WeChat answered: it is up, whatever it said
        raise
    gate.success(key)
    return result
