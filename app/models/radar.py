"""Radar users (WeChat Work members), departments, scan-to-join requests, customers and events."""

from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, SmallInteger, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import CreatedMixin
from app.models.company import Company

GENDER_UNKNOWN, GENDER_MALE, GENDER_FEMALE = 0, 1, 2

# No row id is larger (INTEGER keys); a bigger number from a client would overflow SQLite's INTEGER.
MAX_ID = 2**31 - 1

# RadarUser.status: an enabled (开通) radar user occupies one of the company's seats (mingpian_available_num).
RADAR_ENABLED, RADAR_DISABLED = 1, 2

# UserCustomer.source
SOURCE_SCAN, SOURCE_FORWARD, SOURCE_SEARCH, SOURCE_ARTICLE = 1, 2, 3, 4

# Customer.user_type
CUSTOMER_GONGZHONGHAO, CUSTOMER_XIAOCHENGXU = 1, 2

# AccessLog.action (docs/domain.md "Customer action codes")
ACTIONS = {
    1: "查看名片",
    2: "查看产品",
    3: "查看动态",
    4: "查看官网",
    5: "复制微信",
    6: "转发名片",
    7: "咨询产品",
    8: "保存电话",
    9: "觉得靠谱",
    10: "拨打电话",
    11: "播放语音",
    12: "复制邮箱",
    13: "授权访问",
    14: "查看文章",
    15: "转发文章到朋友",
    16: "转发文章到朋友圈",
    17: "报名活动",
    19: "点赞文章",
}

radar_user_department = Table(
    "radar_user_department",
    db.metadata,
    Column("radar_user_id", ForeignKey("radar_user.id", ondelete="CASCADE"), primary_key=True),
    Column("department_id", ForeignKey("department.id", ondelete="CASCADE"), primary_key=True),
)

temp_user_department = Table(
    "temp_user_department",
    db.metadata,
    Column("temp_user_id", ForeignKey("temp_user.id", ondelete="CASCADE"), primary_key=True),
    Column("department_id", ForeignKey("department.id", ondelete="CASCADE"), primary_key=True),
)


class Department(CreatedMixin, db.Model):
    __tablename__ = "department"
    __table_args__ = (UniqueConstraint("company_id", "name"), UniqueConstraint("company_id", "wechat_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("department.id", ondelete="SET NULL"), index=True)
    # The id WeChat Work uses for this department; NULL until it exists there.
    wechat_id: Mapped[int | None]
    order: Mapped[int] = mapped_column(default=0)


class RadarUser(CreatedMixin, db.Model):
    """A company employee with an AI business card (a WeChat Work member)."""

    __tablename__ = "radar_user"
    __table_args__ = (
        UniqueConstraint("company_id", "userid"),
        Index("ix_radar_user_company_status", "company_id", "status"),
        # 1.4 pages a company's users newest first.
        Index("ix_radar_user_company_created", "company_id", "create_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"))
    userid: Mapped[str] = mapped_column(String(64))  # the WeChat Work userid
    username: Mapped[str] = mapped_column(String(64))
    gender: Mapped[int] = mapped_column(SmallInteger, default=GENDER_UNKNOWN)
    position: Mapped[str | None] = mapped_column(String(128))
    wechat_phone: Mapped[str | None] = mapped_column(String(20))
    mingpian_phone: Mapped[str | None] = mapped_column(String(20))
    wechat: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(128))
    avatar: Mapped[str | None] = mapped_column(String(512))
    qr_code: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[int] = mapped_column(SmallInteger, default=1)  # 1 启用 / 2 未启用
    token: Mapped[str] = mapped_column(String(32))
    popularity: Mapped[int] = mapped_column(default=0)
    praise: Mapped[int] = mapped_column(default=0)
    forward: Mapped[int] = mapped_column(default=0)
    last_login_date: Mapped[datetime | None]

    company: Mapped[Company] = relationship()
    departments: Mapped[list[Department]] = relationship(secondary=radar_user_department)


class TempUser(CreatedMixin, db.Model):
    """A scan-to-join request awaiting approval (5.9.x)."""

    __tablename__ = "temp_user"
    __table_args__ = (UniqueConstraint("company_id", "username"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    inviter_id: Mapped[int | None] = mapped_column(ForeignKey("admin_user.id", ondelete="SET NULL"))
    username: Mapped[str] = mapped_column(String(64))
    position: Mapped[str | None] = mapped_column(String(128))
    wechat: Mapped[str | None] = mapped_column(String(64))
    wechat_phone: Mapped[str | None] = mapped_column(String(20))
    mingpian_phone: Mapped[str | None] = mapped_column(String(20))

    company: Mapped[Company] = relationship()
    departments: Mapped[list[Department]] = relationship(secondary=temp_user_department)


class Customer(CreatedMixin, db.Model):
    __tablename__ = "customer"
    __table_args__ = (
        UniqueConstraint("company_id", "openid", "user_type"),
        Index("ix_customer_company_created", "company_id", "create_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"))
    openid: Mapped[str] = mapped_column(String(64))
    user_type: Mapped[int] = mapped_column(SmallInteger, default=CUSTOMER_GONGZHONGHAO)
    nickname: Mapped[str | None] = mapped_column(String(128))
    sex: Mapped[int] = mapped_column(SmallInteger, default=0)
    headimgurl: Mapped[str | None] = mapped_column(String(512))
    province: Mapped[str | None] = mapped_column(String(64))
    city: Mapped[str | None] = mapped_column(String(64))
    country: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(20))
    token: Mapped[str] = mapped_column(String(32))
    status: Mapped[int] = mapped_column(SmallInteger, default=1)


class UserCustomer(CreatedMixin, db.Model):
    """A radar user's relation to a customer."""

    __tablename__ = "user_customer"
    __table_args__ = (UniqueConstraint("radar_user_id", "customer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    radar_user_id: Mapped[int] = mapped_column(ForeignKey("radar_user.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    source: Mapped[int] = mapped_column(SmallInteger, default=SOURCE_SCAN)
    referrer_customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id", ondelete="SET NULL"))
    last_follow_time: Mapped[datetime | None]
    last_activity_time: Mapped[datetime | None]


class FollowInfo(CreatedMixin, db.Model):
    """A follow-up note a radar user wrote about one of its customers."""

    __tablename__ = "follow_info"
    __table_args__ = (Index("ix_follow_info_company_created", "company_id", "create_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"))
    user_customer_id: Mapped[int] = mapped_column(ForeignKey("user_customer.id", ondelete="CASCADE"), index=True)
    content: Mapped[str] = mapped_column(Text)


class AccessLog(CreatedMixin, db.Model):
    """One customer action event (its action code: ACTIONS above)."""

    __tablename__ = "access_log"
    __table_args__ = (Index("ix_access_log_company_action_created", "company_id", "action", "create_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"))
    action: Mapped[int] = mapped_column(SmallInteger)
    radar_user_id: Mapped[int | None] = mapped_column(ForeignKey("radar_user.id", ondelete="SET NULL"), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id", ondelete="SET NULL"), index=True)
    article_id: Mapped[int | None] = mapped_column(Integer, index=True)
    remark: Mapped[str | None] = mapped_column(String(255))


class AccessLogDay(db.Model):
    """AccessLog counted per closed TIMEZONE day and action, so the statistics never rescan old events.

    Filled lazily by app.services.statistics for the days before `StatRollup.closed_until`.
    """

    __tablename__ = "access_log_day"

    company_id: Mapped[int] = mapped_column(
        ForeignKey("company.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    day: Mapped[date] = mapped_column(primary_key=True)
    action: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    num: Mapped[int]


class StatRollup(db.Model):
    """How far AccessLogDay is filled for a company: every day before `closed_until`, in `timezone`."""

    __tablename__ = "stat_rollup"

    company_id: Mapped[int] = mapped_column(
        ForeignKey("company.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    closed_until: Mapped[date]
    timezone: Mapped[str] = mapped_column(String(64))
