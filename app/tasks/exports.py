"""Export jobs: an admin list written to .xlsx/.csv (app/services/exports.py, docs/exports.md)."""

from app.models.jobs import Job
from app.services import exports


def run_export(job: Job, name: str, fmt: str, company_id: int | None, filters: dict) -> dict:
    return exports.run_export(job, name, fmt, company_id, filters)
