"""The Open Platform third-party platform (第三方平台, "component"), docs/wechat.md.

- `ComponentClient` — wechatpy's WeChatComponent with configured hosts, the verify ticket and the component token
  in the shared token store (fetched under its lock, refreshed once on 40001/40014/42001), errors as WeChatError;
- `AuthorizerClient` — wechatpy's WeChatComponentClient for one authorised account: its access token in the token
  store, refreshed with the account's refresh token (which the caller keeps, encrypted, and is told about when
  WeChat hands out another one);
- push decryption (WXBizMsgCrypt, wechatpy.crypto) for the authorization events and the message/event pushes;
- the browser URLs: the authorization page (bindcomponent) and the official account's OAuth page.
"""

import logging
import time
from collections.abc import Callable
from urllib.parse import quote, urlencode

import requests
import xmltodict
from flask import current_app
from wechatpy.client import WeChatComponentClient
from wechatpy.component import COMPONENT_MESSAGE_TYPES, ComponentOAuth, ComponentUnknownMessage, WeChatComponent
from wechatpy.exceptions import WeChatClientException

from app.responses import ApiError, Code
from app.wechat.base import BoundedClientMixin, install_log_redaction
from app.wechat.errors import SYSTEM_BUSY, TOKEN_ERRORS, WeChatError, bad_answer, translate
from app.wechat.tokens import token_store, token_ttl

log = logging.getLogger(__name__)

NOT_CONFIGURED_MSG = "第三方平台未配置（COMPONENT_APPID / COMPONENT_APPSECRET / COMPONENT_TOKEN / COMPONENT_AES_KEY）"
NO_TICKET_MSG = "第三方平台尚未收到微信推送的 component_verify_ticket，请稍后重试"
BAD_PUSH_MSG = "微信推送消息校验或解密失败"
STALE_PUSH_MSG = "微信推送的时间戳与当前时间相差超过5分钟"
PUSH_NONCE_MAX = 64
PUSH_MAX_SKEW = 300  # seconds a push's timestamp may be off; its nonce is remembered for twice that
TICKET_TTL = 12 * 3600  # a ticket is valid 12 h; a new one arrives every 10 min
AUTH_TYPE_OFFICIAL, AUTH_TYPE_MINI_PROGRAM = 1, 2
PUSH_MAX_BYTES = 64 * 1024


def _config() -> dict:
    config = current_app.config
    keys = ("COMPONENT_APPID", "COMPONENT_APPSECRET", "COMPONENT_TOKEN", "COMPONENT_AES_KEY")
    if not all(config.get(key) for key in keys):
        raise ApiError(Code.SERVER_ERROR, NOT_CONFIGURED_MSG)
    return config


class ComponentClient(BoundedClientMixin, WeChatComponent):
    """One per use (cheap): everything it remembers lives in the token store."""

    TOKEN_FIELD = "component_access_token"  # noqa: S105 - a key name

    def __init__(self, session=None):
        config = _config()
        try:
            super().__init__(
                config["COMPONENT_APPID"],
                config["COMPONENT_APPSECRET"],
                config["COMPONENT_TOKEN"],
                config["COMPONENT_AES_KEY"],
                session=session or token_store(),
                auto_retry=False,
            )
        except (AssertionError, ValueError):  # an EncodingAESKey that is not 43 base64 characters
            raise ApiError(Code.SERVER_ERROR, NOT_CONFIGURED_MSG) from None
        self.api_root = config["WECHAT_API_BASE"]
        self._setup(self.api_root + "cgi-bin", config["WECHAT_TIMEOUT"])

    @staticmethod
    def check_configured() -> None:
        """500 with a clear message when the component's credentials are not configured."""
        _config()

    # --- the verify ticket and the component token ---------------------------------------------

    @property
    def ticket_key(self) -> str:
        return f"component:{self.component_appid}:verify_ticket"

    @property
    def access_token_key(self) -> str:
        return f"component:{self.component_appid}:access_token"

    @property
    def component_verify_ticket(self):
        return self.session.get(self.ticket_key)

    def store_ticket(self, ticket: str, created_at: int) -> bool:
        """Keep the ticket unless a newer one (by the push's CreateTime) is already stored: a late or replayed
        push never puts an older ticket back. True when stored."""
        time_key = self.ticket_key + "_created"
        with self.session.lock(self.ticket_key):
            current = self.session.get(time_key)
            if current is not None and self.session.get(self.ticket_key) and int(current) > created_at:
                return False
            self.session.set(self.ticket_key, ticket, TICKET_TTL)
            self.session.set(time_key, int(created_at), TICKET_TTL)
        return True

    def fetch_access_token(self) -> dict:
        ticket = self.component_verify_ticket
        if not ticket:
            raise WeChatError(SYSTEM_BUSY, NO_TICKET_MSG, network=True)
        body = {
            "component_appid": self.component_appid,
            "component_appsecret": self.component_appsecret,
            "component_verify_ticket": ticket,
        }
        url = self.API_BASE_URL + "/component/api_component_token"
        return self._fetch_token_json("POST", url, json=body)

    # --- calls ------------------------------------------------------------------------------

    def _request(self, method, url_or_endpoint, token_param="component_access_token", **kwargs):  # noqa: S107
        """wechatpy's call with our token (in `token_param`), one refresh on a refused token, WeChatError out."""
        params = dict(kwargs.pop("params", None) or {})
        kwargs.setdefault("data", None)
        kwargs.setdefault("timeout", self.timeout)
        for attempt in (1, 2):
            token = self.access_token
            self.calls += 1
            try:
                call_params = {**params, "component_access_token": token, token_param: token}
                return WeChatComponent._request(self, method, url_or_endpoint, params=call_params, **kwargs)
            except (WeChatClientException, requests.RequestException) as exc:
                error = translate(exc)
            except ValueError:  # not JSON
                error = bad_answer()
            if not (attempt == 1 and error.errcode in TOKEN_ERRORS):
                break
            log.info("component token refused, refreshing once", extra={"errcode": error.errcode})
            self.refresh_access_token(stale=token)
        raise error

    def wxa_get(self, path: str, params: dict | None = None) -> dict:
        """A GET on api.weixin.qq.com/wxa/ with the component token as `access_token` (gettemplatelist)."""
        return self.get(self.api_root + path, params=params or {}, token_param="access_token")  # noqa: S106

    # --- authorizers ----------------------------------------------------------------------------

    def query_auth(self, authorization_code: str) -> dict:
        """api_query_auth → authorization_info; the authorizer token is cached, the refresh token returned
        (the caller stores it encrypted: wechatpy would put it in the session in clear, for ever)."""
        info = self._query_auth(authorization_code).get("authorization_info")
        if not isinstance(info, dict) or not info.get("authorizer_appid") or not info.get("authorizer_refresh_token"):
            raise bad_answer()
        if info.get("authorizer_access_token"):
            key = authorizer_token_key(info["authorizer_appid"])
            self.session.set(key, info["authorizer_access_token"], token_ttl(info.get("expires_in")))
        return info

    def authorizer(self, appid: str, refresh_token: str, on_refresh: Callable[[str], None] | None = None):
        return AuthorizerClient(self, appid, refresh_token, on_refresh)

    def forget_authorizer(self, appid: str) -> None:
        self.session.delete(authorizer_token_key(appid))

    # --- pushes -----------------------------------------------------------------------------

    def accept_push(self, body: bytes, args) -> dict | None:
        """A push verified, decrypted and fresh: its timestamp within PUSH_MAX_SKEW of now (400 otherwise), its
        nonce not seen in that window. None for a push already received (WeChat's retry, or a replay): the
        caller acknowledges it without doing anything again. `forget_push` undoes the nonce if handling fails,
        so that WeChat's retry is handled."""
        nonce, timestamp = args.get("nonce"), args.get("timestamp")
        message = self.decrypt_push(body, args.get("msg_signature"), timestamp, nonce)
        if len(nonce) > PUSH_NONCE_MAX:  # WeChat's are ~10 digits; the key must fit the token store
            raise ApiError.auth(BAD_PUSH_MSG)
        try:
            skew = abs(time.time() - int(timestamp))
        except (TypeError, ValueError):
            raise ApiError.auth(BAD_PUSH_MSG) from None
        if skew > PUSH_MAX_SKEW:
            raise ApiError.auth(STALE_PUSH_MSG)
        if not self.session.add(push_nonce_key(nonce), 1, 2 * PUSH_MAX_SKEW):
            return None
        return message

    def forget_push(self, args) -> None:
        self.session.delete(push_nonce_key(args.get("nonce")))

    def decrypt_push(self, body: bytes, msg_signature: str, timestamp: str, nonce: str) -> dict:
        """The decrypted XML of a push as a dict; 400 (our envelope) when the signature, the appid inside or the
        ciphertext is wrong (wechatpy's InvalidSignatureException / InvalidAppIdException / a bad body)."""
        if not body or len(body) > PUSH_MAX_BYTES or not (msg_signature and timestamp and nonce):
            raise ApiError.auth(BAD_PUSH_MSG)
        try:
            xml = self.crypto.decrypt_message(body.decode("utf-8"), msg_signature, timestamp, nonce)
            message = xmltodict.parse(xml)["xml"]
        except Exception:  # noqa: BLE001 - every way a forged or broken push can fail is the same answer
            raise ApiError.auth(BAD_PUSH_MSG) from None
        if not isinstance(message, dict):
            raise ApiError.auth(BAD_PUSH_MSG)
        return message


def push_nonce_key(nonce: str) -> str:
    return f"push_nonce:{nonce}"


def authorizer_token_key(appid: str) -> str:
    return f"authorizer:{appid}:access_token"


def component_event(message: dict):
    """The wechatpy message object of an authorization event (its `.type` is the lower-cased InfoType).
    Unlike WeChatComponent.parse_message it calls nothing over the network."""
    info_type = str(message.get("InfoType") or "").lower()
    return COMPONENT_MESSAGE_TYPES.get(info_type, ComponentUnknownMessage)(message)


class AuthorizerClient(BoundedClientMixin, WeChatComponentClient):
    """Calls on behalf of one authorised account (cgi-bin and wxa APIs) with its authorizer access token."""

    def __init__(self, component: ComponentClient, appid: str, refresh_token: str, on_refresh=None):
        self._refresh_token, self._on_refresh = refresh_token, on_refresh
        super().__init__(appid, component, session=component.session)
        self.auto_retry = False
        self.api_root = component.api_root
        self._setup(self.api_root + "cgi-bin/", component.timeout)

    @property
    def access_token_key(self) -> str:
        return authorizer_token_key(self.appid)

    @property
    def refresh_token(self) -> str:
        return self._refresh_token

    def fetch_access_token(self) -> dict:
        """api_authorizer_token; a refresh token WeChat changed is handed to `on_refresh` to be persisted."""
        result = self.component.refresh_authorizer_token(self.appid, self._refresh_token)
        token = result.get("authorizer_access_token")
        if not token:
            raise bad_answer()
        self.session.set(self.access_token_key, token, token_ttl(result.get("expires_in")))
        new_refresh = result.get("authorizer_refresh_token")
        if new_refresh and new_refresh != self._refresh_token:
            self._refresh_token = new_refresh
            if self._on_refresh is not None:
                self._on_refresh(new_refresh)
        return {"access_token": token}

    def _request(self, method, url_or_endpoint, **kwargs):
        # wechatpy's WeChatWxa hard-codes https://api.weixin.qq.com/ as its base: use the configured one.
        if "api_base_url" in kwargs:
            kwargs["api_base_url"] = self.api_root
        try:
            return super()._request(method, url_or_endpoint, **kwargs)
        except ValueError:
            raise bad_answer() from None


# --- browser URLs ----------------------------------------------------------------------------------


def grant_url(component: ComponentClient, redirect_uri: str, auth_type: int, biz_appid: str | None = None) -> str:
    """The mobile authorization page (current host), with a fresh single-use pre-auth code."""
    code = component.create_preauthcode().get("pre_auth_code")
    if not code:
        raise bad_answer()
    query = [
        ("action", "bindcomponent"),
        ("no_scan", "1"),
        ("component_appid", component.component_appid),
        ("pre_auth_code", code),
        ("redirect_uri", redirect_uri),
        ("auth_type", str(auth_type)),
    ]
    if biz_appid:
        query.append(("biz_appid", biz_appid))
    base = current_app.config["WECHAT_OPEN_BASE"]
    return f"{base}wxaopen/safe/bindcomponent?{urlencode(query, quote_via=quote)}#wechat_redirect"


class OAuthClient(ComponentOAuth):
    """Web OAuth on behalf of an authorised official account (docs/wechat.md), on the configured hosts; its
    failures leave as WeChatError. For the customer H5 side: `authorize_url()`, `fetch_access_token(code)`,
    `get_user_info()`."""

    def __init__(self, component: ComponentClient, appid: str):
        super().__init__(appid, component=component)
        config = current_app.config
        self.API_BASE_URL = config["WECHAT_API_BASE"]
        self.OAUTH_BASE_URL = config["WECHAT_OPEN_BASE"] + "connect/"
        install_log_redaction()

    def authorize_url(self, redirect_uri: str, scope: str = "snsapi_base", state: str = "") -> str:
        return self.get_authorize_url(redirect_uri, scope=scope, state=state)

    def fetch_access_token(self, code):
        """sns/oauth2/component/access_token; a component token WeChat refuses is refreshed once and the
        exchange retried (a refused call does not spend the code)."""
        stale = self.component.access_token
        try:
            return super().fetch_access_token(code)
        except WeChatError as error:
            if error.errcode not in TOKEN_ERRORS:
                raise
            log.info("component token refused by sns, refreshing once", extra={"errcode": error.errcode})
        self.component.refresh_access_token(stale=stale)
        return super().fetch_access_token(code)

    def _request(self, method, url_or_endpoint, **kwargs):
        kwargs.setdefault("timeout", self.component.timeout)
        try:
            return super()._request(method, url_or_endpoint, **kwargs)
        except (WeChatClientException, requests.RequestException) as exc:  # the OAuth exceptions are subclasses
            raise translate(exc) from None
        except (ValueError, KeyError):
            raise bad_answer() from None
