"""Articles and article tags (9.x, 10.x)."""

from sqlalchemy import Column, ForeignKey, SmallInteger, String, Table, Text, UniqueConstraint
from sqlalchemy.dialects.mysql import MEDIUMTEXT
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.admin import AdminUser
from app.models.base import CreatedMixin

STATUS_PUBLISHED, STATUS_UNPUBLISHED = 1, 2
STATUS_TEXT = {STATUS_PUBLISHED: "已发", STATUS_UNPUBLISHED: "未发"}
SOURCE_ORIGINAL, SOURCE_REPRINT = 1, 2
SOURCE_TEXT = {SOURCE_ORIGINAL: "原创", SOURCE_REPRINT: "转载"}

article_tag_rel = Table(
    "article_tag_rel",
    db.metadata,
    Column("article_id", ForeignKey("article.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("article_tag.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class ArticleTag(CreatedMixin, db.Model):
    __tablename__ = "article_tag"
    __table_args__ = (UniqueConstraint("company_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))


class Article(CreatedMixin, db.Model):
    """An official-account article written in the console (content is HTML)."""

    __tablename__ = "article"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("admin_user.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(255))
    summary: Mapped[str] = mapped_column(String(512), default="")
    # HTML with inline styles easily outgrows TEXT's 64 KB on MySQL.
    content: Mapped[str] = mapped_column(Text().with_variant(MEDIUMTEXT(), "mysql"))
    cover_picture: Mapped[str] = mapped_column(String(255), default="")
    status: Mapped[int] = mapped_column(SmallInteger, default=STATUS_UNPUBLISHED)
    source: Mapped[int] = mapped_column(SmallInteger, default=SOURCE_ORIGINAL)
    insert_ads: Mapped[str] = mapped_column(Text, default="")
    read_count: Mapped[int] = mapped_column(default=0)
    forward_count: Mapped[int] = mapped_column(default=0)

    author: Mapped[AdminUser | None] = relationship()
    tags: Mapped[list[ArticleTag]] = relationship(secondary=article_tag_rel, order_by=ArticleTag.id)
