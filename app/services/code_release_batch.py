"""Batch code release (12.3–12.8): one job per batch, one outcome per app — ok, refused by its state (docs/domain.md),
or failed with WeChat's errcode/errmsg — never stopping at the first app.

Each app is handled under a per-app lock and committed on its own (a checkpoint: the job's result lists the
outcomes so far). Network and busy errors are retried: the job is raised for RQ's backoff once every app had
its turn, and the re-run skips the apps that already have a final outcome.
"""

import json
import logging
import threading
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field

from flask import current_app

from app import storage
from app.extensions import db, redis_connection
from app.jobs import Enqueued, enqueue, locks, registry, set_progress
from app.models.jobs import Job
from app.models.open_platform import (
    AUDITING,
    RELEASED,
    REVERTED,
    STATUS_TEXT,
    UNDONE,
    UPLOADED,
    WX_AUDIT_WITHDRAWN,
    CodeRelease,
    MiniProgramApp,
)
from app.responses import ApiError, Code
from app.services import code_release as history
from app.services.open_platform import authorizer_client
from app.timefmt import to_local, utcnow
from app.wechat import wxa
from app.wechat.component import AuthorizerClient, ComponentClient
from app.wechat.errors import SYSTEM_BUSY, WeChatError

log = logging.getLogger(__name__)

OK, REFUSED, FAILED = "ok", "refused", "failed"
EXPERIENCE_QR_DIR = "zhugeleida/imgs/admin/qr_code"
AUDIT_TAG = "名片 雷达"
ALREADY_AUDITING, ALREADY_RELEASED = 85009, 85052
OPEN_AUDIT = (2, 4)


@dataclass
class Step:
    app: MiniProgramApp
    release: CodeRelease | None
    client: AuthorizerClient
    job: Job
    source: str
    params: dict = field(default_factory=dict)


# --- the operations (WeChat calls, then the new state; a WeChatError leaves the failure to the caller) ------


def ext_json(app: MiniProgramApp, user_version: str) -> str:
    ext = {"company_id": app.company_id, "user_version": user_version}
    return json.dumps({"extEnable": True, "extAppid": app.authorizer_appid, "ext": ext}, ensure_ascii=False)


def save_experience_qrcode(app: MiniProgramApp, image: bytes) -> str:
    """e.g. statics/zhugeleida/imgs/admin/qr_code/wx1add8692a23b5976_20180821_214737_QRCode.jpg."""
    stamp = to_local(utcnow()).strftime("%Y%m%d_%H%M%S")
    name = f"{app.authorizer_appid}_{stamp}_QRCode.jpg"
    return storage.save_public(f"{EXPERIENCE_QR_DIR}/{name}", image)


def upload(step: Step) -> None:
    """12.3: commit the template with our ext_json (company id, version), then fetch the experience QR code."""
    params, app = step.params, step.app
    step.release = CodeRelease(
        company_id=app.company_id,
        app_id=app.id,
        template_id=params["template_id"],
        user_version=params["user_version"],
        user_desc=params["user_desc"],
        ext_json=ext_json(app, params["user_version"]),
        status=UPLOADED,
        status_time=utcnow(),
        uploaded_by_id=step.job.created_by_id,
    )
    db.session.add(step.release)
    db.session.flush()
    wxa.commit(step.client, params["template_id"], step.release.ext_json, params["user_version"], params["user_desc"])
    note = None
    try:
        step.release.experience_qrcode = save_experience_qrcode(app, wxa.trial_qrcode(step.client))
    except WeChatError as err:  # the code is uploaded all the same
        note = f"体验二维码获取失败: {history.error_reason(err)}"
    history.set_status(step.release, UPLOADED, note)


def audit_items(pages: list[str], categories: list[dict]) -> list[dict]:
    """item_list from WeChat's own pages and categories: the first five pages, the account's first category."""
    if not pages or not categories:
        raise ApiError.invalid("小程序没有可提交审核的页面或服务类目，请先在微信公众平台设置服务类目")
    category = categories[0]
    keys = ("first_class", "second_class", "third_class", "first_id", "second_id", "third_id")
    items = [{"address": page, **{k: category[k] for k in keys if k in category}} for page in pages[:5]]
    items[0].update(tag=AUDIT_TAG, title="首页")
    return items


def submit(step: Step) -> None:
    """12.4: submit the uploaded version; an 85009 for this very version (a submit whose answer was lost) is
    adopted rather than reported."""
    items = audit_items(wxa.pages(step.client), wxa.categories(step.client))
    try:
        auditid = wxa.submit_audit(step.client, items)
    except WeChatError as err:
        if err.errcode != ALREADY_AUDITING:
            raise
        latest = wxa.latest_audit(step.client)
        if latest["status"] not in OPEN_AUDIT or latest["user_version"] != step.release.user_version:
            raise
        auditid = latest["auditid"]
    release = step.release
    release.auditid, release.submit_time = auditid, utcnow()
    release.audit_status = release.audit_reason = release.audit_time = release.audit_delay_reason = None
    history.set_status(release, AUDITING)


def poll(step: Step) -> None:
    """12.5 and the cron poll: WeChat's latest audit, recorded once (a push may have been first)."""
    latest = wxa.latest_audit(step.client)
    if latest["auditid"] != step.release.auditid:
        raise ApiError.invalid("微信最新的审核单不是本平台提交的版本")
    history.record_audit_result(step.release, latest["status"], latest["reason"], step.source, step.job.id)


def undo(step: Step) -> None:
    """12.6; a re-run after a lost answer finds this very audit already withdrawn and counts it as done."""
    try:
        wxa.undo_audit(step.client)
    except WeChatError:
        latest = wxa.latest_audit(step.client)
        if (latest["auditid"], latest["status"]) != (step.release.auditid, WX_AUDIT_WITHDRAWN):
            raise
    step.release.audit_status = WX_AUDIT_WITHDRAWN
    history.set_status(step.release, UNDONE)


def release(step: Step) -> None:
    """12.7; 85052 (already released) after a lost answer means it is online: done."""
    try:
        wxa.release(step.client)
    except WeChatError as err:
        if err.errcode != ALREADY_RELEASED:
            raise
    step.release.release_time, step.release.publisher_id = utcnow(), step.job.created_by_id
    history.set_status(step.release, RELEASED)


def revert(step: Step) -> None:
    """12.8: WeChat puts the previous version back online; the reverted one is marked."""
    wxa.revert_release(step.client)
    online = history.online_release(step.app.id)
    if online is not None:
        online.revert_time = utcnow()
    history.set_status(step.release, REVERTED)


OPERATIONS = {
    history.UPLOAD: upload,
    history.SUBMIT: submit,
    history.POLL: poll,
    history.UNDO: undo,
    history.RELEASE: release,
    history.REVERT: revert,
}


# --- one app, one batch ------------------------------------------------------------------------------


def outcome(app_id: int, app: MiniProgramApp | None, result: str, code: int, msg: str, retry: bool = False) -> dict:
    release = history.latest_release(app_id) if app is not None else None
    status = history.status_of(release)
    return {
        "id": app_id,
        "appid": app.authorizer_appid if app else None,
        "name": app.name if app else None,
        "company_id": app.company_id if app else None,
        "outcome": result,
        "code": int(code),
        "msg": msg,
        "status": status,
        "status_text": STATUS_TEXT[status],
        "retry": retry,
    }


_LOCAL_LOCKS: dict[int, threading.Lock] = defaultdict(threading.Lock)
APP_LOCK_SECONDS = 300  # the longest wait for another job's step on the same app
APP_LOCK_TTL = 15  # a dead holder's lock lapses this fast; a live holder renews it (app.jobs.locks)


@contextmanager
def app_lock(app_id: int, owner: str | None = None):
    """One step at a time per mini-program, across workers (Redis) or threads (no Redis: a single process).
    `owner` (the job id) lets the retry of a job that died holding the lock take it over at once."""
    redis = redis_connection()
    if redis is None:
        with _LOCAL_LOCKS[app_id]:
            yield
        return
    key = f"{current_app.config['WECHAT_TOKEN_PREFIX']}:lock:code_release:{app_id}"
    with locks.renewed_lock(redis, key, owner, ttl=APP_LOCK_TTL, wait=APP_LOCK_SECONDS):
        yield


def run_one(job: Job, action: str, app_id: int, component: ComponentClient, source: str, params: dict) -> dict:
    with app_lock(app_id, owner=job.id):
        app = db.session.get(MiniProgramApp, app_id)
        latest = history.latest_release(app_id) if app is not None else None
        reason = history.refusal(action, app, latest)
        if reason is not None:
            if app is not None:
                history.log_event(app, latest, action, source, reason=reason, job_id=job.id)
            db.session.commit()
            return outcome(app_id, app, REFUSED, Code.FORBIDDEN, reason)
        step = Step(app, latest, authorizer_client(app, component), job, source, params)
        try:
            OPERATIONS[action](step)
        except ApiError as err:  # WeChat's errcode/errmsg (WeChatError), or our own refusal after asking WeChat
            record_failure(step, action, err)
            db.session.commit()
            return outcome(app_id, app, FAILED, err.code, err.msg, isinstance(err, WeChatError) and err.retryable)
        history.log_event(app, step.release, action, source, status=step.release.status, job_id=job.id)
        db.session.commit()
        return outcome(app_id, app, OK, Code.OK, "成功")


def record_failure(step: Step, action: str, err: ApiError) -> None:
    """The status a failed step leaves (upload failed, submit error…), with `errcode: errmsg` as its reason."""
    failed = history.FAILED_STATUS.get(action)
    if failed is not None and step.release is not None:
        history.set_status(step.release, failed, f"{err.code}: {err.msg}")
    fields = {"status": failed, "errcode": err.code, "reason": err.msg, "job_id": step.job.id}
    history.log_event(step.app, step.release, action, step.source, **fields)


def auto_release_due(app_id: int) -> bool:
    release = history.latest_release(app_id)
    return release is not None and history.wants_auto_release(release)


def summary(action: str, outcomes: list[dict], total: int) -> dict:
    counts = {kind: sum(1 for o in outcomes if o["outcome"] == kind) for kind in (OK, REFUSED, FAILED)}
    return {"action": action, "action_text": history.ACTION_TEXT[action], "total": total, **counts, "apps": outcomes}


def run_batch(job: Job, action: str, app_ids: list[int], source: str = "job", **params) -> dict:
    """Every app gets its turn; apps that met a network/busy error are retried by re-running the job."""
    previous = {o["id"]: o for o in (job.result or {}).get("apps", []) if not o.get("retry")}
    component = ComponentClient()
    outcomes = []
    for n, app_id in enumerate(app_ids, 1):
        done = previous.get(app_id) or run_one(job, action, app_id, component, source, params)
        if action == history.POLL and app_id not in previous and auto_release_due(app_id):
            done["auto_release"] = run_one(job, history.RELEASE, app_id, component, "auto", {})
        outcomes.append(done)
        job.result = summary(action, outcomes, len(app_ids))
        set_progress(job, min(99, n * 100 // len(app_ids)), f"{history.ACTION_TEXT[action]}：{n}/{len(app_ids)}")
    retry = [o["id"] for o in outcomes if o["retry"]]
    if retry and job.attempts <= current_app.config["JOB_RETRY_MAX"]:
        raise WeChatError(SYSTEM_BUSY, f"{len(retry)} 个小程序遇到微信繁忙或网络错误，稍后自动重试", network=True)
    return summary(action, outcomes, len(app_ids))


# --- starting a batch (the 12.x endpoints) ----------------------------------------------------------------

JOB_KINDS = {
    history.UPLOAD: registry.CODE_RELEASE_UPLOAD,
    history.SUBMIT: registry.CODE_RELEASE_SUBMIT,
    history.POLL: registry.CODE_RELEASE_POLL,
    history.UNDO: registry.CODE_RELEASE_UNDO,
    history.RELEASE: registry.CODE_RELEASE_RELEASE,
    history.REVERT: registry.CODE_RELEASE_REVERT,
}
POLL_LOCK = registry.CODE_RELEASE_POLL


def start(action: str, app_ids: list[int] | None, admin_id: int, **params) -> Enqueued:
    """One platform job for the batch (302 first if an id names no mini-program); 12.5 polls every app in audit,
    one poll at a time (the cron poll shares its lock)."""
    ComponentClient.check_configured()
    args = dict(params)
    if app_ids is not None:
        history.check_apps_exist(app_ids)
        args["app_ids"] = list(dict.fromkeys(app_ids))
    lock = POLL_LOCK if action == history.POLL else None
    return enqueue(JOB_KINDS[action], company_id=None, args=args, lock=lock, created_by_id=admin_id)


def list_templates() -> list[dict]:
    """12.2: the platform's code template library."""
    return wxa.list_templates(ComponentClient())
