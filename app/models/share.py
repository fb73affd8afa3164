"""The article forwarding tree and article views (docs/domain.md)."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, SmallInteger, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import CreatedMixin
from app.models.radar import Customer, RadarUser
from app.timefmt import utcnow

# ArticleShare.parent_key of a level-1 row (opened from the radar user's own link).
ROOT_PARENT_KEY = 0


class ArticleShare(CreatedMixin, db.Model):
    """One customer's place in a radar user's (uid's) forwarding chain of an article.

    `parent_customer_id` is the customer whose link was opened (NULL at level 1). `parent_key` repeats it with 0
    for NULL, because a unique constraint treats NULLs as distinct: without it two level-1 rows of the same
    customer could coexist.
    """

    __tablename__ = "article_share"
    __table_args__ = (
        UniqueConstraint("article_id", "radar_user_id", "customer_id", "parent_key"),
        # 16.6: one level of one chain, ranked by stay time then reads.
        Index("ix_article_share_chain_level", "article_id", "radar_user_id", "level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"))
    radar_user_id: Mapped[int] = mapped_column(ForeignKey("radar_user.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    parent_customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    parent_key: Mapped[int] = mapped_column(default=ROOT_PARENT_KEY)
    level: Mapped[int] = mapped_column(SmallInteger)
    read_count: Mapped[int] = mapped_column(default=0)
    stay_time: Mapped[int] = mapped_column(default=0)  # seconds
    forward_friend_count: Mapped[int] = mapped_column(default=0)
    forward_moments_count: Mapped[int] = mapped_column(default=0)

    customer: Mapped[Customer] = relationship(foreign_keys=[customer_id])
    radar_user: Mapped[RadarUser] = relationship()


class ArticleView(CreatedMixin, db.Model):
    """One opening of an article by a customer (15.1's `article_access_log_id`); heartbeats (16.5) add the
    time since `last_beat_at` to its stay time and to its tree row's."""

    __tablename__ = "article_view"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    share_id: Mapped[int] = mapped_column(ForeignKey("article_share.id", ondelete="CASCADE"), index=True)
    stay_time: Mapped[int] = mapped_column(default=0)  # seconds
    last_beat_at: Mapped[datetime] = mapped_column(default=utcnow)
