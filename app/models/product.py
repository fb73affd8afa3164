"""Products and feedback (2.x)."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.admin import AdminUser
from app.models.base import CreatedMixin
from app.models.company import Company
from app.models.radar import RadarUser

PRODUCT_PUBLISHED, PRODUCT_OFF_SHELF, PRODUCT_RECOMMENDED = 1, 2, 3
PRODUCT_STATUS_TEXT = {PRODUCT_PUBLISHED: "已发布", PRODUCT_OFF_SHELF: "已下架", PRODUCT_RECOMMENDED: "推荐"}

# product_type of the API: 1 company (官网) products, 2 personal products of a radar user.
PRODUCT_TYPE_COMPANY, PRODUCT_TYPE_PERSONAL = 1, 2

FEEDBACK_PROBLEM_TEXT = {1: "客户服务", 2: "功能异常", 3: "产品建议"}
FEEDBACK_PENDING, FEEDBACK_DONE = 1, 2
FEEDBACK_STATUS_TEXT = {FEEDBACK_PENDING: "未处理", FEEDBACK_DONE: "已处理"}


class Product(CreatedMixin, db.Model):
    """A company product (owner NULL) or a radar user's personal product (owner set)."""

    __tablename__ = "product"
    __table_args__ = (
        UniqueConstraint("company_id", "name"),
        Index("ix_product_company_status", "company_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"))
    # A personal product belongs to its radar user and goes with it.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("radar_user.id", ondelete="CASCADE"), index=True)
    # The admin user who added it from the console (NULL when added elsewhere or since deleted).
    creator_id: Mapped[int | None] = mapped_column(ForeignKey("admin_user.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    price: Mapped[str] = mapped_column(String(64))  # text, e.g. "280-1280"
    reason: Mapped[str] = mapped_column(Text)
    content: Mapped[dict] = mapped_column(JSON)  # {"cover_data": [...], "article_data": [...]}
    status: Mapped[int] = mapped_column(SmallInteger, default=PRODUCT_PUBLISHED)
    recommend_index: Mapped[int] = mapped_column(SmallInteger, default=0)

    company: Mapped[Company] = relationship()
    owner: Mapped[RadarUser | None] = relationship()
    creator: Mapped[AdminUser | None] = relationship()


class Feedback(CreatedMixin, db.Model):
    """A radar user's feedback on the product (2.7)."""

    __tablename__ = "feedback"
    __table_args__ = (Index("ix_feedback_company_status", "company_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"))
    radar_user_id: Mapped[int | None] = mapped_column(ForeignKey("radar_user.id", ondelete="SET NULL"), index=True)
    problem_type: Mapped[int] = mapped_column(SmallInteger)
    content: Mapped[list] = mapped_column(JSON)
    status: Mapped[int] = mapped_column(SmallInteger, default=FEEDBACK_PENDING)
    # The admin's answer when it marked the feedback handled (a console extension).
    reply: Mapped[str | None] = mapped_column(Text)
    reply_date: Mapped[datetime | None]
    replied_by_id: Mapped[int | None] = mapped_column(ForeignKey("admin_user.id", ondelete="SET NULL"))

    company: Mapped[Company] = relationship()
    radar_user: Mapped[RadarUser | None] = relationship()
    replied_by: Mapped[AdminUser | None] = relationship()
