"""Speech scripts: talk groups and their details (17.x)."""

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.admin import AdminUser
from app.models.base import CreatedMixin
from app.models.company import Company


class TalkGroup(CreatedMixin, db.Model):
    """A group of speech scripts (话术分组); groupName is unique per company."""

    __tablename__ = "talk_group"
    __table_args__ = (UniqueConstraint("company_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("admin_user.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(64))

    owner: Mapped[AdminUser | None] = relationship()
    company: Mapped[Company] = relationship()


class SpeechDetail(CreatedMixin, db.Model):
    """One speech script (话术详情) in a group; send_num counts how often radar users sent it."""

    __tablename__ = "speech_detail"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("talk_group.id"), index=True)
    content: Mapped[str] = mapped_column(Text)
    send_num: Mapped[int] = mapped_column(default=0)

    group: Mapped[TalkGroup] = relationship()
