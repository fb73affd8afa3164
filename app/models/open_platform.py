"""Third-party platform: authorized mini-programs and official accounts, code release history (docs/domain.md).

The component itself (appid, secret, token, AES key) comes from configuration; its verify ticket and tokens live
in the shared token store (Redis, or the `wechat_token` table), never here.
"""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from app.extensions import db
from app.models.admin import AdminUser
from app.models.base import CreatedMixin
from app.models.company import Company
from app.security import EncryptedText

# The release status of a mini-program (12.1, docs/domain.md), set by the step that last ran.
NEVER, UPLOADED, UPLOAD_FAILED, SUBMIT_FAILED, AUDITING, AUDIT_PASSED, AUDIT_REJECTED = 0, 1, 2, 3, 4, 5, 6
RELEASED, RELEASE_FAILED, UNDONE, UNDO_FAILED, REVERTED, REVERT_FAILED = 7, 8, 9, 10, 11, 12
STATUS_TEXT = {
    NEVER: "未上线过",
    UPLOADED: "代码上传成功",
    UPLOAD_FAILED: "代码上传失败",
    SUBMIT_FAILED: "提交审核报错",
    AUDITING: "审核中",
    AUDIT_PASSED: "审核通过",
    AUDIT_REJECTED: "审核未通过",
    RELEASED: "上线成功",
    RELEASE_FAILED: "上线失败",
    UNDONE: "审核撤回成功",
    UNDO_FAILED: "审核撤回失败",
    REVERTED: "版本回退成功",
    REVERT_FAILED: "版本回退失败",
}

# WeChat's audit status values (wxa/get_auditstatus, docs/wechat.md).
WX_AUDIT_PASSED, WX_AUDIT_REJECTED, WX_AUDITING, WX_AUDIT_WITHDRAWN, WX_AUDIT_DELAYED = 0, 1, 2, 3, 4


class AuthorizerMixin(CreatedMixin):
    """What the platform knows of an account a company authorised to it (one per company and kind)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), unique=True)
    # The account bound to the company: set only by a completed grant (docs/security.md); unique: an account
    # belongs to one company.
    authorizer_appid: Mapped[str | None] = mapped_column(String(32), unique=True)
    # The account the company says it is about to authorise (11.2/13.2): a claim only, which any number of
    # companies may hold; it binds nothing until the account's own admin completes the grant.
    pending_appid: Mapped[str | None] = mapped_column(String(32), index=True)
    # Returned once by api_query_auth; lost = the account must authorise again. Never returned by any endpoint.
    refresh_token: Mapped[str | None] = mapped_column(EncryptedText)
    authorized: Mapped[bool] = mapped_column(default=False)
    authorized_at: Mapped[datetime | None]
    unauthorized_at: Mapped[datetime | None]
    func_info: Mapped[list | None] = mapped_column(JSON)  # permission set ids granted
    name: Mapped[str | None] = mapped_column(String(64))
    head_img: Mapped[str | None] = mapped_column(String(512))
    principal_name: Mapped[str | None] = mapped_column(String(128))
    verify_type_info: Mapped[int | None] = mapped_column(SmallInteger)  # WeChat's id: -1 unverified, 0 verified…
    service_category: Mapped[str | None] = mapped_column(String(255))
    qrcode_url: Mapped[str | None] = mapped_column(String(512))
    original_id: Mapped[str | None] = mapped_column(String(64), index=True)  # user_name gh_…
    info_time: Mapped[datetime | None]  # last api_get_authorizer_info
    authorizer_admin_id: Mapped[int | None] = mapped_column(ForeignKey("admin_user.id", ondelete="SET NULL"))

    @declared_attr
    def company(cls) -> Mapped[Company]:
        return relationship(Company)

    @declared_attr
    def authorizer_admin(cls) -> Mapped[AdminUser | None]:
        return relationship(AdminUser)


class MiniProgramApp(AuthorizerMixin, db.Model):
    __tablename__ = "mini_program_app"

    introduce: Mapped[str | None] = mapped_column(String(255))
    auto_release: Mapped[bool] = mapped_column(default=False)  # release as soon as an audit passes

    releases: Mapped[list["CodeRelease"]] = relationship(back_populates="app", order_by="CodeRelease.id")


class OfficialAccountApp(AuthorizerMixin, db.Model):
    __tablename__ = "official_account_app"

    alias: Mapped[str | None] = mapped_column(String(64))
    service_type_info: Mapped[int | None] = mapped_column(SmallInteger)  # 0/1 subscription, 2 service account


class CodeRelease(CreatedMixin, db.Model):
    """One uploaded code version of a mini-program and everything that happened to it afterwards; the app's
    12.1 status is its newest row's `status` (NEVER without rows)."""

    __tablename__ = "code_release"
    __table_args__ = (
        Index("ix_code_release_app_id_id", "app_id", "id"),
        Index("ix_code_release_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    app_id: Mapped[int] = mapped_column(ForeignKey("mini_program_app.id", ondelete="CASCADE"))
    template_id: Mapped[int] = mapped_column(BigInteger)
    user_version: Mapped[str] = mapped_column(String(64))
    user_desc: Mapped[str] = mapped_column(String(255))
    ext_json: Mapped[str] = mapped_column(Text)
    status: Mapped[int] = mapped_column(SmallInteger, default=UPLOADED)
    status_time: Mapped[datetime]
    reason: Mapped[str | None] = mapped_column(Text)
    experience_qrcode: Mapped[str | None] = mapped_column(String(255))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("admin_user.id", ondelete="SET NULL"))
    auditid: Mapped[int | None] = mapped_column(BigInteger)
    submit_time: Mapped[datetime | None]
    audit_status: Mapped[int | None] = mapped_column(SmallInteger)  # WeChat's value, once known
    audit_reason: Mapped[str | None] = mapped_column(Text)
    audit_time: Mapped[datetime | None]  # when the result (pass/reject) was recorded
    audit_delay_reason: Mapped[str | None] = mapped_column(Text)
    release_time: Mapped[datetime | None]
    publisher_id: Mapped[int | None] = mapped_column(ForeignKey("admin_user.id", ondelete="SET NULL"))
    revert_time: Mapped[datetime | None]

    app: Mapped[MiniProgramApp] = relationship(back_populates="releases")


class CodeReleaseEvent(CreatedMixin, db.Model):
    """The per-app status history: every step tried, its outcome and who or what ran it."""

    __tablename__ = "code_release_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    app_id: Mapped[int] = mapped_column(ForeignKey("mini_program_app.id", ondelete="CASCADE"), index=True)
    release_id: Mapped[int | None] = mapped_column(ForeignKey("code_release.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(32))  # upload, submit, audit, undo, release, revert
    status: Mapped[int | None] = mapped_column(SmallInteger)  # the status it set; NULL: refused, nothing changed
    errcode: Mapped[int | None]
    reason: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16))  # job, poll, push
    job_id: Mapped[str | None] = mapped_column(String(32))
