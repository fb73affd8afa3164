"""The job list's filters (GET /zhugeleida/admin/jobs)."""

from marshmallow import fields, validate

from app.jobs.registry import KINDS
from app.models.jobs import STATUSES
from app.schemas.base import BaseSchema, PageSchema
from app.schemas.fields import LocalDateTime


class JobQuerySchema(PageSchema):
    kind = fields.String(
        load_default=None,
        validate=validate.OneOf(sorted(KINDS), error="只能是 " + "、".join(sorted(KINDS))),
        metadata={"label": "任务类型"},
    )
    status = fields.String(
        load_default=None,
        validate=validate.OneOf(STATUSES, error="只能是 " + "、".join(STATUSES)),
        metadata={"label": "任务状态"},
    )
    mine = fields.Boolean(load_default=False, metadata={"label": "只看我发起的"})
    company_id = fields.Integer(load_default=None, metadata={"label": "公司ID"})  # role 1 only; others: own


class JobOutSchema(BaseSchema):
    """One job, as GET /jobs/<job_id> shows it (app/services/job_status.py job_payload)."""

    job_id = fields.String(attribute="id")
    kind = fields.String()
    company_id = fields.Integer(allow_none=True)
    status = fields.String()
    progress = fields.Integer()
    stage = fields.String(allow_none=True)
    result = fields.Dict(allow_none=True)
    error = fields.Function(lambda job: None if job.error is None else {"code": job.error_code, "msg": job.error})
    attempts = fields.Integer()
    create_date = LocalDateTime()
    started_at = LocalDateTime()
    finished_at = LocalDateTime()
