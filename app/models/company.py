"""Companies (tenants) and their WeChat Work apps."""

from datetime import date

from dateutil.relativedelta import relativedelta
from sqlalchemy import JSON, ForeignKey, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import CreatedMixin
from app.security import EncryptedText

APP_AI_RADAR = 1
APP_BOSS_RADAR = 2
APP_NAMES = {APP_AI_RADAR: "AI雷达", APP_BOSS_RADAR: "Boss雷达"}

# open_length_time → months of service.
TERM_MONTHS = {1: 1, 2: 2, 3: 3, 4: 12, 5: 24}


def expiry_date(start: date, open_length_time: int) -> date:
    """Charging start + the term; relativedelta clamps to the month's end (Jan 31 + 1 month = Feb 28)."""
    return start + relativedelta(months=TERM_MONTHS[open_length_time])


def service_days(company: "Company", today: date) -> tuple[int, int]:
    """(used_days, available_days) of the company's term, each clamped to [0, term]."""
    if company.charging_start_time is None or company.account_expired_time is None:
        return 0, 0
    term = (company.account_expired_time - company.charging_start_time).days
    used = (today - company.charging_start_time).days
    left = (company.account_expired_time - today).days
    return min(max(used, 0), term), min(max(left, 0), term)


class Company(CreatedMixin, db.Model):
    __tablename__ = "company"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    charging_start_time: Mapped[date | None]
    open_length_time: Mapped[int | None] = mapped_column(SmallInteger)
    account_expired_time: Mapped[date | None]
    mingpian_available_num: Mapped[int] = mapped_column(default=0)
    remarks: Mapped[str | None] = mapped_column(Text)
    corp_id: Mapped[str | None] = mapped_column(String(64))
    tongxunlu_secret: Mapped[str | None] = mapped_column(EncryptedText)
    is_validate: Mapped[bool] = mapped_column(default=False)
    website_content: Mapped[list | None] = mapped_column(JSON)
    wechat_qr_code: Mapped[str | None] = mapped_column(String(255))

    apps: Mapped[list["CompanyApp"]] = relationship(back_populates="company", cascade="all, delete-orphan")


class CompanyApp(db.Model):
    """A WeChat Work application of a company (AI雷达 / Boss雷达)."""

    __tablename__ = "company_app"
    __table_args__ = (UniqueConstraint("company_id", "app_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    app_type: Mapped[int] = mapped_column(SmallInteger)
    agent_id: Mapped[int]
    secret: Mapped[str | None] = mapped_column(EncryptedText)
    name: Mapped[str | None] = mapped_column(String(64))
    is_validate: Mapped[bool] = mapped_column(default=False)

    company: Mapped[Company] = relationship(back_populates="apps")
