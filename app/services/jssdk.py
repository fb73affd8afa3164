"""16.3 the JS-SDK configuration of a company's H5 pages (docs/wechat.md): the official account's jsapi_ticket,
cached per company in the shared token store (one fetch for every process), and the page's signature."""

import secrets
import string
import time
from urllib.parse import urldefrag

from wechatpy.client.api import WeChatJSAPI

from app.models.radar import Customer
from app.responses import ApiError
from app.services.open_platform import GZH, authorized_app, authorizer_client
from app.wechat.errors import BAD_ANSWER_MSG, SYSTEM_BUSY, WeChatError
from app.wechat.tokens import token_store, token_ttl

NONCE_ALPHABET = string.ascii_letters + string.digits


def ticket_key(appid: str) -> str:
    return f"authorizer:{appid}:jsapi_ticket"


def jsapi_ticket(company_id: int) -> tuple[str, str]:
    """(the official account's appid, its jsapi_ticket): from the store, else fetched once under its lock."""
    app = authorized_app(GZH, company_id)
    store, key = token_store(), ticket_key(app.authorizer_appid)
    ticket = store.get(key)
    if ticket:
        return app.authorizer_appid, ticket
    with store.lock(key):
        ticket = store.get(key)  # another process may have fetched it meanwhile
        if not ticket:
            answer = authorizer_client(app).jsapi.get_ticket("jsapi")
            ticket = answer.get("ticket") if isinstance(answer, dict) else None
            if not isinstance(ticket, str) or not ticket:
                raise WeChatError(SYSTEM_BUSY, BAD_ANSWER_MSG, network=True)
            store.set(key, ticket, token_ttl(answer.get("expires_in")))
    return app.authorizer_appid, ticket


def signature(ticket: str, noncestr: str, timestamp: int, url: str) -> str:
    """wechatpy's signature (sha1 of the sorted raw k=v pairs) of the URL without its fragment, which wechatpy
    leaves to the caller."""
    return WeChatJSAPI().get_jsapi_signature(noncestr, ticket, timestamp, urldefrag(url).url)


def page_config(customer: Customer, company_id: int, url: str) -> dict:
    """wx.config's appid, timestamp (seconds), nonceStr and signature for the customer's company's page."""
    if company_id != customer.company_id:
        raise ApiError.not_found("公司")
    appid, ticket = jsapi_ticket(company_id)
    noncestr = "".join(secrets.choice(NONCE_ALPHABET) for _ in range(16))
    timestamp = int(time.time())
    return {
        "appid": appid,
        "timestamp": timestamp,
        "nonceStr": noncestr,
        "signature": signature(ticket, noncestr, timestamp, url),
    }
