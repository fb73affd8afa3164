"""Every job kind, every queue and every periodic registration, in one place.

A job kind names the function that does the work (dotted path, imported when the job runs), its queue and its
timeout. Queues are named "<JOB_QUEUE_PREFIX>:<queue>" so that a test run or a second deployment sharing a
Redis can use its own. Periodic work is registered with RQ's cron scheduler (worker.py, or `rq cron`).
"""

from dataclasses import dataclass

QUEUES = ("wechat", "default")  # in priority order


@dataclass(frozen=True)
class JobKind:
    name: str
    func: str  # "module.function", called as func(job, **job.args)
    queue: str = "default"
    timeout: int | None = None  # seconds; None = JOB_TIMEOUT


KINDS = {
    kind.name: kind
    for kind in (
        JobKind("wechat_work.sync", "app.jobs.wechat_work.sync_address_book", "wechat", 1800),
        JobKind("wechat_work.push_members", "app.jobs.wechat_work.push_members", "wechat", 600),
        # the third-party platform (issue 6): batch code release 12.3-12.8, bulk mini-program codes 5.6
        *(
            JobKind(f"code_release.{name}", f"app.jobs.open_platform.{name}", "wechat", 3600)
            for name in ("upload_code", "submit_audit", "poll_audit", "undo_audit", "release", "revert_release")
        ),
        JobKind("wxa_qrcode.bulk", "app.jobs.open_platform.bulk_wxa_qrcodes", "wechat", 3600),
        # an authorized/updateauthorized push: api_query_auth + details, out of the push's request
        # an export of an admin list to .xlsx/.csv (app/services/exports.py)
        JobKind("export.run", "app.services.exports.run_export", "default", 1800),
        JobKind("open_platform.authorized", "app.jobs.open_platform.record_authorization", "wechat", 300),
    )
}


@dataclass(frozen=True)
class CronEntry:
    func: str  # a plain function run by the worker with the app context (not a Job row)
    queue: str
    interval: int | str | None = None  # seconds, or the name of the setting that holds them
    cron: str | None = None  # or a crontab line, in the worker's local time

    def seconds(self) -> int | None:
        """The interval in seconds (a setting's value read from the environment, when it names one)."""
        if isinstance(self.interval, str):
            from config import config_from_env

            return getattr(config_from_env(), self.interval)
        return self.interval


CRON = [
    CronEntry("app.jobs.maintenance.reap_stale_jobs", "default", interval=600),
    CronEntry("app.jobs.open_platform.poll_audits_cron", "wechat", interval=600),  # audits under review
    CronEntry("app.jobs.maintenance.purge_operation_log", "default", cron="30 3 * * *"),  # OPERATION_LOG_DAYS
    # the customer hot path's Redis buffer (app/services/hot_buffer.py) written to the database
    CronEntry("app.jobs.maintenance.flush_hot_buffer", "default", interval="HOT_FLUSH_INTERVAL"),
]


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
            interval=entry.seconds(),
            cron=entry.cron,
        )
