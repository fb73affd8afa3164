"""What every wechatpy client of ours does the same way (docs/wechat.md).

- hosts come from configuration (the sandbox replaces them);
- tokens come from the shared token store, fetched under its lock when missing, never per request;
- a token WeChat rejects (40001/40014/42001) is refreshed once — unless another process already did — and the
  call retried once; wechatpy's own unbounded retry is off;
- every failure leaves as `WeChatError` (errcode/errmsg) through app.wechat.errors.translate;
- calls are counted (the sync reports them) and secrets are kept out of the logs.
"""

import logging
import re
import threading
from typing import TYPE_CHECKING, Any

import requests
from wechatpy.exceptions import WeChatClientException

from app import metrics
from app.wechat import guard
from app.wechat.errors import (
    SYSTEM_BUSY,
    TOKEN_ERRORS,
    WeChatError,
    bad_answer,
    check_result,
    translate,
    unavailable,
)
from app.wechat.tokens import token_ttl

log = logging.getLogger(__name__)

_SECRET_PARAMS = re.compile(
    r"((?:corp)?secret|access_token|component_access_token|authorizer_refresh_token|refresh_token|code|ticket)"
    r"=[^&\s\"']+",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    return _SECRET_PARAMS.sub(r"\1=***", text)


class RedactSecrets(logging.Filter):
    """urllib3 logs request lines, query string included, at DEBUG: mask the secrets in them."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


_REDACTING = RedactSecrets()


def install_log_redaction() -> None:
    for name in ("urllib3.connectionpool", "wechatpy", "requests"):
        logger = logging.getLogger(name)
        if _REDACTING not in logger.filters:
            logger.addFilter(_REDACTING)


class BoundedClientMixin:
    """Mixed in front of a wechatpy client class; the subclass sets `access_token_key` and implements
    `fetch_access_token()` (with `_fetch_token_json`). `TOKEN_PARAM` names the query parameter that carries
    the token, `TOKEN_FIELD` the key of the token in `fetch_access_token()`'s answer (the component's
    is "component_access_token")."""

    TOKEN_PARAM = "access_token"  # noqa: S105 - a parameter name
    TOKEN_FIELD = "access_token"  # noqa: S105 - a key name
    if TYPE_CHECKING:  # given by the wechatpy client class (`session`) and by the subclass
        session: Any

        @property
        def access_token_key(self) -> str: ...

        def fetch_access_token(self) -> dict: ...

    def _setup(self, api_base: str, timeout: float) -> None:
        self.API_BASE_URL = api_base
        self.timeout = timeout
        self.calls = 0  # counted under a lock: the address-book walk calls from several threads
        self._calls_lock = threading.Lock()
        self.credentials_refused: WeChatError | None = None  # what gettoken said about our credentials
        install_log_redaction()

    def count_call(self) -> None:
        with self._calls_lock:
            self.calls += 1

    # --- tokens -----------------------------------------------------------------------------

    @property
    def access_token(self) -> str:
        token = self.session.get(self.access_token_key)
        if token:
            return token
        with self.session.lock(self.access_token_key):
            token = self.session.get(self.access_token_key)  # another process may have fetched it meanwhile
            return token or self.fetch_access_token()[self.TOKEN_FIELD]

    def refresh_access_token(self, stale: str | None) -> None:
        with self.session.lock(self.access_token_key):
            current = self.session.get(self.access_token_key)
            if current and current != stale:
                return  # someone refreshed it while we were being refused
            self.session.delete(self.access_token_key)
            self.fetch_access_token()

    def _fetch_token_json(self, method: str, url: str, **kwargs) -> dict:
        """Call a token endpoint and store the token with its TTL; WeChat errors become WeChatError."""
        self.count_call()

        def call(timeout):
            try:
                response = self._http.request(method, url, timeout=timeout or self.timeout, **kwargs)
                response.raise_for_status()
                result = check_result(response.json())
            except (requests.RequestException, ValueError):
                metrics.wechat_call(url, SYSTEM_BUSY)
                raise unavailable() from None
            metrics.wechat_call(url, result.get("errcode") or 0)
            return result

        result = guard.guarded(guard.api_key(self.API_BASE_URL, url), call)
        if result.get("errcode"):
            self.credentials_refused = WeChatError(int(result["errcode"]), str(result.get("errmsg", result["errcode"])))
            raise self.credentials_refused
        if not result.get(self.TOKEN_FIELD):
            raise bad_answer()
        self.session.set(self.access_token_key, result[self.TOKEN_FIELD], token_ttl(result.get("expires_in")))
        return result

    # --- calls ------------------------------------------------------------------------------

    def _send(self, method, url_or_endpoint, params: dict, timeout: float | None, kwargs: dict):
        """One HTTP call through wechatpy, every failure as WeChatError."""
        if timeout is not None:
            kwargs = {**kwargs, "timeout": timeout}
        try:
            result = super()._request(method, url_or_endpoint, params=params, **kwargs)  # type: ignore[misc]
        except (WeChatClientException, requests.RequestException) as exc:
            error = translate(exc)
            metrics.wechat_call(url_or_endpoint, error.errcode)
            raise error from None
        metrics.wechat_call(url_or_endpoint, 0)
        return result

    def _request(self, method, url_or_endpoint, **kwargs):
        params = dict(kwargs.pop("params", None) or {})
        own_token = self.TOKEN_PARAM not in params
        for attempt in (1, 2):
            token = self.access_token if own_token else None
            call_params = {**params, self.TOKEN_PARAM: token} if own_token else dict(params)
            self.count_call()
            try:
                return guard.guarded(
                    guard.api_key(self.API_BASE_URL, url_or_endpoint),
                    lambda timeout, params=call_params: self._send(method, url_or_endpoint, params, timeout, kwargs),
                )
            except WeChatError as exc:
                error = exc
            if not (own_token and attempt == 1 and error.errcode in TOKEN_ERRORS):
                break
            log.info("wechat token refused, refreshing once", extra={"errcode": error.errcode})
            self.refresh_access_token(stale=token)
        raise error
