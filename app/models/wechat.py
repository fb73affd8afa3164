"""WeChat state: cached tokens and tickets (without Redis). Authorized apps and code releases are in
app/models/open_platform.py."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.security import EncryptedText


class WeChatToken(db.Model):
    """A token or ticket shared by every process when there is no Redis (app.wechat.tokens.DatabaseTokenStore).
    `expires_at` NULL means it never expires (e.g. an authorizer refresh token)."""

    __tablename__ = "wechat_token"

    key: Mapped[str] = mapped_column(String(191), primary_key=True)
    value: Mapped[str | None] = mapped_column(EncryptedText)
    expires_at: Mapped[datetime | None]
