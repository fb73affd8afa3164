"""Plugins: business cards, activities with sign-ups, goods (8.x)."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.admin import AdminUser
from app.models.base import CreatedMixin
from app.models.radar import Customer
from app.timefmt import utcnow


class MingpianCard(CreatedMixin, db.Model):
    """A business-card template a company hands out through its plugin (8.1)."""

    __tablename__ = "plugin_mingpian"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("admin_user.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(64))  # a category, only for managing the cards
    avatar: Mapped[str | None] = mapped_column(String(255))
    username: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(20))
    webchat_code: Mapped[str | None] = mapped_column(String(255))  # WeChat QR code image path
    position: Mapped[str | None] = mapped_column(String(64))


class Activity(CreatedMixin, db.Model):
    """A sign-up activity (8.5); the title is unique per company."""

    __tablename__ = "plugin_activity"
    __table_args__ = (UniqueConstraint("company_id", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("admin_user.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(128))
    ad_slogan: Mapped[str] = mapped_column(String(255), default="")
    sign_up_button: Mapped[str] = mapped_column(String(64), default="")
    introduce: Mapped[str] = mapped_column(Text, default="")
    is_get_phone_code: Mapped[bool] = mapped_column(default=False)
    leave_message: Mapped[str] = mapped_column(String(255), default="")  # the hint shown above the message box
    skip_link: Mapped[str] = mapped_column(String(512), default="")
    read_count: Mapped[int] = mapped_column(default=0)
    # When and where, as the organiser words them (free text, shown on the H5 page; console extension).
    activity_time: Mapped[str] = mapped_column(String(64), default="")
    place: Mapped[str] = mapped_column(String(255), default="")

    owner: Mapped[AdminUser | None] = relationship()
    sign_ups: Mapped[list["ActivitySignUp"]] = relationship(
        back_populates="activity", cascade="all, delete-orphan", order_by="ActivitySignUp.id"
    )


class ActivitySignUp(db.Model):
    """One sign-up: by a customer on the H5 page, or recorded by an admin on its behalf (8.9)."""

    __tablename__ = "plugin_activity_sign_up"
    __table_args__ = (UniqueConstraint("activity_id", "phone"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("plugin_activity.id", ondelete="CASCADE"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id", ondelete="SET NULL"), index=True)
    recorder_id: Mapped[int | None] = mapped_column(ForeignKey("admin_user.id", ondelete="SET NULL"), index=True)
    name: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str] = mapped_column(String(20))
    leave_message: Mapped[str] = mapped_column(Text, default="")
    sign_up_time: Mapped[datetime] = mapped_column(default=utcnow)

    activity: Mapped[Activity] = relationship(back_populates="sign_ups")
    customer: Mapped[Customer | None] = relationship()


class Goods(CreatedMixin, db.Model):
    """A goods item (8.10): content holds goods_data (price, stock, limits) and cover_data."""

    __tablename__ = "plugin_goods"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("admin_user.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(128))
    content: Mapped[dict] = mapped_column(JSON)
