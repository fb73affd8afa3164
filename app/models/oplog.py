"""The operation log (操作日志): one row per successful admin write and per security event (docs/operation_log.md)."""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.timefmt import utcnow

CATEGORY_WRITE = "write"
CATEGORY_SECURITY = "security"


class OperationLog(db.Model):
    """Who did what to which object, when and from where. Admin and company are plain ids (with the admin's name
    as it was): an entry outlives the admin user or company it names."""

    __tablename__ = "operation_log"
    __table_args__ = (
        Index("ix_operation_log_company_date", "company_id", "create_date"),
        Index("ix_operation_log_date", "create_date"),
        Index("ix_operation_log_target", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(db.Integer, "sqlite"), primary_key=True)
    create_date: Mapped[datetime] = mapped_column(default=utcnow, nullable=False)
    category: Mapped[str] = mapped_column(String(16), default=CATEGORY_WRITE)
    admin_id: Mapped[int | None] = mapped_column(index=True)
    admin_name: Mapped[str | None] = mapped_column(String(64))
    switched_from_id: Mapped[int | None]  # the operator acting as admin_id through 5.8 (switch_admin_user)
    company_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(String(128))  # the access rule (url_path), or the security event
    endpoint: Mapped[str | None] = mapped_column(String(128))
    target_type: Mapped[str | None] = mapped_column(String(64))
    target_id: Mapped[str | None] = mapped_column(String(64))
    summary: Mapped[dict | None] = mapped_column(JSON)
    client_ip: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(64))
