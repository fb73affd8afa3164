"""SMS verification codes a customer asked for (8.9 sign-ups that want a phone code): only their HMAC is kept."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import CreatedMixin


class PhoneCode(CreatedMixin, db.Model):
    """The live code of one customer, phone and purpose (e.g. "sign_up:12"); a new code replaces the old one."""

    __tablename__ = "phone_code"
    __table_args__ = (UniqueConstraint("customer_id", "phone", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    phone: Mapped[str] = mapped_column(String(20))
    purpose: Mapped[str] = mapped_column(String(64))
    code_hash: Mapped[str] = mapped_column(String(64))  # HMAC-SHA256 keyed by SECRET_KEY, hex
    expires_at: Mapped[datetime] = mapped_column()
    attempts: Mapped[int] = mapped_column(default=0)  # wrong codes tried against it
