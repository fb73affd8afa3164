"""The parameters a share link carries (docs/domain.md), signed so that a forged uid/pid/level is refused.

A link names the article, its company, the chain's radar user (`uid`), the customer who shared it (`pid`,
none on the radar user's own link) and the level the next reader lands on. The H5 article page receives them
in its URL (after WeChat's OAuth redirect) and hands them, with `sign`, to 16.1.
"""

import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import current_app

from app.responses import ApiError

FORGED_MSG = "分享链接无效或已被篡改，请重新打开分享的文章"


def _key() -> bytes:
    key = current_app.config.get("SHARE_SIGN_KEY") or "share-link:" + current_app.config["SECRET_KEY"]
    return key.encode()


@dataclass(frozen=True)
class ShareParams:
    article_id: int
    company_id: int
    uid: int
    pid: int | None
    level: int

    def signature(self) -> str:
        message = f"{self.article_id}|{self.company_id}|{self.uid}|{self.pid or ''}|{self.level}"
        return hmac.new(_key(), message.encode(), hashlib.sha256).hexdigest()[:32]

    def query(self) -> dict:
        """The H5 page's query parameters (the article id travels in its path)."""
        return {
            "uid": self.uid,
            "pid": self.pid or "",
            "level": self.level,
            "company_id": self.company_id,
            "sign": self.signature(),
        }

    def page_url(self) -> str:
        """The H5 article page this link opens once WeChat has authorised the reader."""
        base = article_page_url(self.article_id)
        return f"{base}{'&' if '?' in base else '?'}{urlencode(self.query())}"


def article_page_url(article_id: int) -> str:
    """The H5 page of an article, without share parameters."""
    return current_app.config["H5_ARTICLE_URL"].format(article_id=article_id)


def verified(params: ShareParams, sign: str | None) -> ShareParams:
    """`params` if `sign` is their signature; 403 otherwise (a forged or altered link)."""
    # Bytes: compare_digest raises TypeError on a str with non-ASCII characters.
    if not sign or not hmac.compare_digest(params.signature().encode(), sign.lower().encode()):
        raise ApiError.forbidden(FORGED_MSG)
    return params
