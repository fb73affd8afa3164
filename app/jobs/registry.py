"""Every job kind, every queue and every periodic registration, in one place.

A job kind names the function that does the work (dotted path into app/tasks, imported when the job runs), its
queue and its timeout. The job plumbing (app/jobs) reaches the layers above it only through these dotted paths,
resolved at run time (docs/layers.md); RQ itself only ever queues app.jobs.runner.run_job with the row's id.
Queues are named "<JOB_QUEUE_PREFIX>:<queue>" so that a test run or a second deployment sharing a Redis can use
its own. Periodic work is registered with RQ's cron scheduler (worker.py, or `rq cron`).
"""

from dataclasses import dataclass

QUEUES = ("wechat", "default")  # in priority order


@dataclass(frozen=True)
class JobKind:
    name: str
    func: str  # "module.function", called as func(job, **job.args)
    queue: str = "default"
    timeout: int | None = None  # seconds; None = JOB_TIMEOUT


# The job kinds: stored in Job.kind (and in lock keys), so a kind's string never changes.
WECHAT_WORK_SYNC = "wechat_work.sync"
WECHAT_WORK_PUSH_MEMBERS = "wechat_work.push_members"
CODE_RELEASE_UPLOAD = "code_release.upload_code"
CODE_RELEASE_SUBMIT = "code_release.submit_audit"
CODE_RELEASE_POLL = "code_release.poll_audit"
CODE_RELEASE_UNDO = "code_release.undo_audit"
CODE_RELEASE_RELEASE = "code_release.release"
CODE_RELEASE_REVERT = "code_release.revert_release"
WXA_QRCODE_BULK = "wxa_qrcode.bulk"
EXPORT_RUN = "export.run"
OPEN_PLATFORM_AUTHORIZED = "open_platform.authorized"

KINDS = {
    kind.name: kind
    for kind in (
        JobKind(WECHAT_WORK_SYNC, "app.tasks.wechat_work.sync_address_book", "wechat", 1800),
        JobKind(WECHAT_WORK_PUSH_MEMBERS, "app.tasks.wechat_work.push_members", "wechat", 600),
        # the third-party platform: batch code release 12.3-12.8, bulk mini-program codes 5.6
        JobKind(CODE_RELEASE_UPLOAD, "app.tasks.open_platform.upload_code", "wechat", 3600),
        JobKind(CODE_RELEASE_SUBMIT, "app.tasks.open_platform.submit_audit", "wechat", 3600),
        JobKind(CODE_RELEASE_POLL, "app.tasks.open_platform.poll_audit", "wechat", 3600),
        JobKind(CODE_RELEASE_UNDO, "app.tasks.open_platform.undo_audit", "wechat", 3600),
        JobKind(CODE_RELEASE_RELEASE, "app.tasks.open_platform.release", "wechat", 3600),
        JobKind(CODE_RELEASE_REVERT, "app.tasks.open_platform.revert_release", "wechat", 3600),
        JobKind(WXA_QRCODE_BULK, "app.tasks.open_platform.bulk_wxa_qrcodes", "wechat", 3600),
        # an export of an admin list to .xlsx/.csv (app/services/exports.py)
        JobKind(EXPORT_RUN, "app.tasks.exports.run_export", "default", 1800),
        # an authorized/updateauthorized push: api_query_auth + details, out of the push's request
        JobKind(OPEN_PLATFORM_AUTHORIZED, "app.tasks.open_platform.record_authorization", "wechat", 300),
    )
}


@dataclass(frozen=True)
class CronEntry:
    func: str  # a plain function run by the worker with the app context (not a Job row)
    queue: str
    interval: int | None = None  # seconds
    cron: str | None = None  # or a crontab line, in the worker's local time


CRON = [
    CronEntry("app.jobs.maintenance.reap_stale_jobs", "default", interval=600),
    CronEntry("app.tasks.open_platform.poll_audits_cron", "wechat", interval=600),  # audits under review
    CronEntry("app.tasks.maintenance.purge_operation_log", "default", cron="30 3 * * *"),  # OPERATION_LOG_DAYS
]


# The app factory, for a worker that RQ's own CLI builds without an app (`rq worker -w app.jobs.worker.AppWorker`).
APP_FACTORY = "app.create_app"


def kind(name: str) -> JobKind:
    return KINDS[name]


def queue_name(prefix: str, queue: str) -> str:
    return f"{prefix}:{queue}" if prefix else queue


def queue_names(prefix: str) -> list[str]:
    return [queue_name(prefix, queue) for queue in QUEUES]


def register_cron(scheduler, prefix: str) -> None:
    """Register every CRON entry with an rq.cron.CronScheduler (or rq.cron.register for `rq cron`)."""
    from werkzeug.utils import import_string

    for entry in CRON:
        scheduler.register(
            import_string(entry.func),
            queue_name(prefix, entry.queue),
            interval=entry.interval,
            cron=entry.cron,
        )
