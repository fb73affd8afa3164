"""The one place where what goes wrong talking to WeChat becomes our envelope error.

WeChat's `errcode` is the envelope `code` and its `errmsg` the `msg` (docs/wechat.md). Network failures and non-2xx
answers carry no errcode: they become -1 (WeChat's own "system busy, retry") with a message of ours.
The original exception is never chained: a requests error's text holds the URL, and the URL may hold a secret.
"""

from functools import wraps

import requests
from wechatpy.exceptions import WeChatClientException

from app.responses import ApiError

SYSTEM_BUSY = -1
UNAVAILABLE_MSG = "微信服务暂时不可用，请稍后重试"
BAD_ANSWER_MSG = "微信返回了无法识别的数据"

# A token WeChat no longer accepts: refresh it once and retry the call (docs/wechat.md "Errors").
TOKEN_ERRORS = frozenset({40001, 40014, 42001})
# Worth another try later, with backoff: busy, frequency and concurrency limits.
RETRYABLE_ERRORS = frozenset({SYSTEM_BUSY, 45009, 45011, 45033})


class WeChatError(ApiError):
    """A WeChat call failed; answers as the envelope with code = errcode, msg = errmsg."""

    def __init__(self, errcode: int, errmsg: str, *, network: bool = False):
        super().__init__(errcode, errmsg)
        self.errcode, self.errmsg, self.network = errcode, errmsg, network

    @property
    def retryable(self) -> bool:
        return self.network or self.errcode in RETRYABLE_ERRORS

    def __repr__(self) -> str:
        return f"WeChatError({self.errcode}, {self.errmsg!r})"


def unavailable() -> WeChatError:
    return WeChatError(SYSTEM_BUSY, UNAVAILABLE_MSG, network=True)


def bad_answer() -> WeChatError:
    """An answer we cannot read (not JSON, not the documented shape): retryable, like a network failure."""
    return WeChatError(SYSTEM_BUSY, BAD_ANSWER_MSG, network=True)


def documented_answer(call):
    """Decorates a function that reads WeChat's answer: a documented key missing from it (KeyError, TypeError,
    AttributeError while reading) is a WeChat failure, `bad_answer()`, not our bug."""

    @wraps(call)
    def wrapper(*args, **kwargs):
        try:
            return call(*args, **kwargs)
        except (KeyError, TypeError, AttributeError):
            raise bad_answer() from None

    return wrapper


def translate(exc: Exception) -> WeChatError:
    """The WeChatError for an exception raised by wechatpy or requests."""
    if isinstance(exc, WeChatError):
        return exc
    if isinstance(exc, requests.RequestException):
        return unavailable()
    if isinstance(exc, WeChatClientException):
        if exc.errcode is None:  # wechatpy's way of saying "HTTP status was not 2xx"
            return unavailable()
        return WeChatError(int(exc.errcode), str(exc.errmsg or exc.errcode))
    raise TypeError(f"not a WeChat failure: {type(exc).__name__}")


def check_result(result) -> dict:
    """A JSON object answer, or the "unrecognised answer" error (e.g. an HTML error page with status 200)."""
    if not isinstance(result, dict):
        raise bad_answer()
    return result
