"""Sandboxed mini-program code management (api.weixin.qq.com/wxa) and mini-program codes (docs/wechat.md).

Served under /api/wxa/. Every call but gettemplatelist takes a mini-program's authorizer token; the state
machine is WeChat's: commit makes the trial version, submit_audit opens an audit (85009 while one is open), the
driver decides its result, release needs an approved audit (85019/85020), undo is limited to 5 a day and 10 a
month (87013), revert goes back one version once (87012).
"""

import io
import re
import time

import qrcode
from flask import Blueprint, Response, request

from app.inputs import parse_json
from app.wechat.sandbox.common import WxError, before_wechat_call, json_body, state, wx_json
from app.wechat.sandbox.open_platform import authorizer_caller, component_caller, error_response, platform, wx
from app.wechat.sandbox.open_platform_state import Audit, Authorizer

bp = Blueprint("sandbox_wxa", __name__, url_prefix="/api/wxa")
bp.before_request(before_wechat_call)
bp.register_error_handler(WxError, error_response)

CODE_MANAGEMENT, ACCOUNT_MANAGEMENT = 18, 17  # permission sets granted with the authorization
SCENE_RULE = re.compile(r"^[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]{1,32}$")
AUDITING = (2, 4)
DAY = 86400


def ok(**fields) -> Response:
    return wx_json({"errcode": 0, "errmsg": "ok", **fields})


def jpeg(content: str) -> Response:
    image = qrcode.make(content, border=2).get_image().convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    headers = {"Content-disposition": 'attachment; filename="QRCode.jpg"'}
    return Response(buffer.getvalue(), mimetype="image/jpeg", headers=headers)


@bp.route("/gettemplatelist", methods=["GET", "POST"])
def gettemplatelist():
    if request.method == "POST":
        raise wx(43001)
    with state().lock:
        component_caller()
        templates = [t.public() for t in sorted(platform().templates.values(), key=lambda t: t.template_id)]
    return ok(template_list=templates)


@bp.post("/commit")
def commit():
    body = json_body()
    with state().lock:
        app = authorizer_caller(CODE_MANAGEMENT)
        template_id = body.get("template_id")
        if not isinstance(template_id, int) or isinstance(template_id, bool):
            raise wx(47001)
        template = platform().templates.get(template_id)
        if template is None:
            raise wx(85014)
        ext_json = body.get("ext_json")
        if not isinstance(ext_json, str):
            raise wx(47001)  # an object instead of a JSON string
        try:
            if not isinstance(parse_json(ext_json), dict):
                raise ValueError
        except ValueError:
            raise wx(85013) from None
        app.committed = {
            "template_id": template_id,
            "ext_json": ext_json,
            "user_version": str(body.get("user_version") or ""),
            "user_desc": str(body.get("user_desc") or ""),
            "pages": list(template.pages),
        }
    return ok()


@bp.get("/get_qrcode")
def get_qrcode():
    with state().lock:
        app = authorizer_caller(CODE_MANAGEMENT)
        if app.committed is None:
            raise wx(86001)
        content = f"https://sandbox.weixin.qq.com/experience/{app.appid}/{app.committed['user_version']}"
    return jpeg(content)


@bp.get("/get_category")
def get_category():
    with state().lock:
        return ok(category_list=[dict(c) for c in authorizer_caller(CODE_MANAGEMENT).category_list])


@bp.get("/get_page")
def get_page():
    with state().lock:
        app = authorizer_caller(CODE_MANAGEMENT)
        if app.committed is None:
            raise wx(86001)
        return ok(page_list=list(app.committed["pages"]))


def check_items(app: Authorizer, items) -> None:
    if not isinstance(items, list) or not 1 <= len(items) <= 5:
        raise wx(85023)
    categories = {(c["first_id"], c["second_id"]) for c in app.category_list}
    for item in items:
        if not isinstance(item, dict):
            raise wx(47001)
        if item.get("address") not in app.committed["pages"]:
            raise wx(85007)
        if (item.get("first_id"), item.get("second_id")) not in categories:
            raise wx(85077)
        tags = str(item.get("tag") or "").split()
        if len(tags) > 10 or any(len(tag) > 20 for tag in tags):
            raise wx(85006)
        if len(str(item.get("title") or "")) > 32:
            raise wx(85011)


@bp.post("/submit_audit")
def submit_audit():
    body = json_body()
    sandbox = platform()
    with state().lock:
        app = authorizer_caller(CODE_MANAGEMENT)
        if app.committed is None:
            raise wx(85086)
        if app.latest_audit is not None and app.latest_audit.status in AUDITING:
            raise wx(85009)
        if "item_list" in body:
            check_items(app, body["item_list"])
        version, desc, pages = (app.committed[key] for key in ("user_version", "user_desc", "pages"))
        audit = Audit(sandbox.new_auditid(), version, desc, pages, int(time.time()))
        app.audits.append(audit)
    return ok(auditid=audit.auditid)


@bp.post("/get_auditstatus")
def get_auditstatus():
    body = json_body()
    with state().lock:
        app = authorizer_caller(CODE_MANAGEMENT)
        audit = next((a for a in app.audits if a.auditid == body.get("auditid")), None)
        if audit is None:
            raise wx(85012)
        return ok(status=audit.status, reason=audit.reason, screenshot=audit.screenshot)


@bp.get("/get_latest_auditstatus")
def get_latest_auditstatus():
    with state().lock:
        audit = authorizer_caller(CODE_MANAGEMENT).latest_audit
        if audit is None:
            raise wx(85058)
        return ok(
            auditid=audit.auditid,
            status=audit.status,
            reason=audit.reason,
            ScreenShot=audit.screenshot,  # the spelling of WeChat's sample answer
            user_version=audit.user_version,
            user_desc=audit.user_desc,
            submit_audit_time=audit.submit_time,
        )


@bp.get("/undocodeaudit")
def undocodeaudit():
    with state().lock:
        app = authorizer_caller(CODE_MANAGEMENT)
        audit = app.latest_audit
        if audit is None or audit.status not in AUDITING:
            raise wx(85019)  # WeChat documents no code for "nothing to undo"
        now = time.time()
        today = [t for t in app.undo_times if t > now - DAY]
        month = [t for t in app.undo_times if t > now - 30 * DAY]
        if len(today) >= 5 or len(month) >= 10:
            raise wx(87013)
        audit.status = 3
        app.undo_times.append(now)
    return ok()


@bp.post("/release")
def release():
    json_body()  # the body must be `{}`: empty is 44002, not JSON 47001
    with state().lock:
        app = authorizer_caller(CODE_MANAGEMENT)
        audit = app.latest_audit
        if audit is None or audit.status == 3:
            raise wx(85019)
        if audit.released:
            raise wx(85052)
        if audit.status != 0:
            raise wx(85020)
        version = {
            "app_version": len(app.versions) + 1,
            "user_version": audit.user_version,
            "user_desc": audit.user_desc,
            "commit_time": int(time.time()),
            "pages": list(audit.pages),
        }
        app.versions.append(version)
        app.online_stack.append(len(app.versions) - 1)
        app.reverted, audit.released = False, True
    return ok()


@bp.get("/revertcoderelease")
def revertcoderelease():
    with state().lock:
        app = authorizer_caller(CODE_MANAGEMENT)
        if request.args.get("action") == "get_history_version":
            keys = ("app_version", "user_version", "user_desc", "commit_time")
            history = [{k: v[k] for k in keys} for v in reversed(app.versions[-5:])]
            return ok(version_list=history)
        if len(app.online_stack) < 2 or app.reverted:
            raise wx(87012)  # no version was online before this one, or it was just reverted to
        app.online_stack.pop()
        app.reverted = True
    return ok()


@bp.post("/getwxacodeunlimit")
def getwxacodeunlimit():
    body = json_body()
    with state().lock:
        app = authorizer_caller(ACCOUNT_MANAGEMENT)
        scene = body.get("scene")
        if not isinstance(scene, str) or not 1 <= len(scene) <= 32:
            raise wx(40169)
        if not SCENE_RULE.match(scene):
            raise wx(40129)
        env_version = body.get("env_version", "release")
        if env_version not in ("release", "trial", "develop"):
            raise wx(40097)
        online = app.online_version
        page = body.get("page") or (online["pages"][0] if online else "")
        check_path = body.get("check_path", True) is not False
        if check_path and (online is None or page not in online["pages"]):
            raise wx(41030)  # checked against the released version, whatever env_version (nothing released yet)
        app.wxacodes.append({"scene": scene, "page": page, "env_version": env_version, "check_path": check_path})
        content = f"https://sandbox.weixin.qq.com/wxacode/{app.appid}/{page}?scene={scene}&env_version={env_version}"
    return jpeg(content)
