"""Admin users, roles and access rules."""

from datetime import datetime

from sqlalchemy import Column, ForeignKey, SmallInteger, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import CreatedMixin
from app.models.company import Company

ROLE_SUPERADMIN = 1
ROLE_ADMIN = 2
ROLE_MEMBER = 3
BUILTIN_ROLES = {ROLE_SUPERADMIN: "超级管理员", ROLE_ADMIN: "管理员", ROLE_MEMBER: "普通用户"}

STATUS_ENABLED = 1
STATUS_DISABLED = 2
STATUS_TEXT = {STATUS_ENABLED: "启用", STATUS_DISABLED: "未启用"}

DEFAULT_AVATAR = "statics/imgs/setAvator.jpg"

role_rule = Table(
    "role_rule",
    db.metadata,
    Column("role_id", ForeignKey("role.id", ondelete="CASCADE"), primary_key=True),
    Column("rule_id", ForeignKey("access_rule.id", ondelete="CASCADE"), primary_key=True),
)


class AccessRule(CreatedMixin, db.Model):
    __tablename__ = "access_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    url_path: Mapped[str] = mapped_column(String(128), unique=True)
    super_id: Mapped[int | None] = mapped_column(ForeignKey("access_rule.id"), index=True)

    parent: Mapped["AccessRule | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["AccessRule"]] = relationship(back_populates="parent")


class Role(CreatedMixin, db.Model):
    __tablename__ = "role"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)

    rules: Mapped[list[AccessRule]] = relationship(secondary=role_rule)


class AdminUser(CreatedMixin, db.Model):
    __tablename__ = "admin_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    login_user: Mapped[str] = mapped_column(String(64), unique=True)
    username: Mapped[str | None] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(255))
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("role.id"), index=True)
    position: Mapped[str | None] = mapped_column(String(64))
    avatar: Mapped[str] = mapped_column(String(255), default=DEFAULT_AVATAR)
    status: Mapped[int] = mapped_column(SmallInteger, default=STATUS_ENABLED)
    is_reset_password: Mapped[bool] = mapped_column(default=False)
    token: Mapped[str] = mapped_column(String(32))
    invite_secret: Mapped[str] = mapped_column(String(32))
    last_login_date: Mapped[datetime | None]

    company: Mapped[Company] = relationship()
    role: Mapped[Role] = relationship()

    @property
    def is_superadmin(self) -> bool:
        return self.role_id == ROLE_SUPERADMIN
