"""Background job records (docs/jobs_wechat.md): one row per job, the RQ job id is the row id."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import CreatedMixin

QUEUED, STARTED, FINISHED, FAILED = "queued", "started", "finished", "failed"
CANCELED = "canceled"  # a queued job its company called off before a worker took it
# The process running the job stopped beating (killed, host lost): the row says so until the retry starts
# (or the job failed for good). See docs/jobs_wechat.md "Outages".
INTERRUPTED = "interrupted"
STATUSES = (QUEUED, STARTED, FINISHED, FAILED, CANCELED, INTERRUPTED)
ACTIVE = (QUEUED, STARTED, INTERRUPTED)
TERMINAL = (FINISHED, FAILED, CANCELED)


class Job(CreatedMixin, db.Model):
    """What a job is, whose it is (company_id: tenancy; NULL = platform work) and how it went."""

    __tablename__ = "job"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("admin_user.id", ondelete="SET NULL"))
    args: Mapped[dict] = mapped_column(JSON, default=dict)
    queue: Mapped[str | None] = mapped_column(String(64))  # the RQ queue; NULL when the job ran inline
    status: Mapped[str] = mapped_column(String(16), default=QUEUED)
    progress: Mapped[int] = mapped_column(SmallInteger, default=0)  # 0-100
    stage: Mapped[str | None] = mapped_column(String(128))  # what the job is doing, for the console
    result: Mapped[dict | None] = mapped_column(JSON)
    error_code: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    lock_key: Mapped[str | None] = mapped_column(String(128))
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    # Written every JOB_HEARTBEAT_INTERVAL seconds by the process running the job; a `started` row whose
    # heartbeat is older than JOB_HEARTBEAT_TIMEOUT belongs to a dead process.
    heartbeat_at: Mapped[datetime | None]


class JobLock(CreatedMixin, db.Model):
    """At most one active job per key (e.g. one address-book sync per company); the key is the primary key,
    so two concurrent requests cannot both take it, on any database."""

    __tablename__ = "job_lock"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("job.id", ondelete="CASCADE"), index=True)
