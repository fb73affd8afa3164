"""5.6 mini-program codes of radar users' cards: `getwxacodeunlimit` with the company's authorizer token,
`scene` = the radar user id, saved under statics/zhugeleida/imgs/xiaochengxu/qr_code/, the path kept on the user.
One user at once (the request), or every radar user of a company in a job.
"""

import io

from flask import current_app
from PIL import Image
from sqlalchemy import select

from app import storage
from app.extensions import db
from app.jobs import Enqueued, enqueue, set_progress
from app.jobs.registry import WXA_QRCODE_BULK
from app.models.admin import AdminUser
from app.models.jobs import Job
from app.models.radar import RadarUser
from app.services.open_platform import XCX, authorized_app, authorizer_client
from app.tenancy import Tenant
from app.timefmt import to_local, utcnow
from app.wechat import wxa
from app.wechat.component import AuthorizerClient

QR_DIR = "zhugeleida/imgs/xiaochengxu/qr_code"
RELEASE = "release"  # env_version: release (default), trial, develop
CHUNK = 50


def bulk_lock(company_id: int) -> str:
    return f"{WXA_QRCODE_BULK}:{company_id}"


def check_path(env_version: str) -> bool:
    """WeChat checks the page against the released version only when asked to (check_path=true); a code opening
    the trial or develop version is made with check_path=false, as WeChat allows before any release."""
    return env_version == RELEASE and current_app.config["XCX_QRCODE_CHECK_PATH"]


def save_card_code(user: RadarUser, client: AuthorizerClient, env_version: str = RELEASE) -> str:
    """Ask WeChat for the user's code and keep it as a JPEG: e.g. …/qr_code/73_20180828_133844_qrcode.jpg."""
    config = current_app.config
    image = wxa.wxacode_unlimited(
        client,
        str(user.id),
        config["XCX_QRCODE_PAGE"],
        config["XCX_QRCODE_WIDTH"],
        check_path(env_version),
        env_version,
    )
    name = f"{user.id}_{to_local(utcnow()).strftime('%Y%m%d_%H%M%S')}_qrcode.jpg"
    out = io.BytesIO()
    Image.open(io.BytesIO(image)).convert("RGB").save(out, format="JPEG", quality=90)
    user.qr_code = storage.save_public(f"{QR_DIR}/{name}", out.getvalue())
    return user.qr_code


def create_user_code(user_id: int, tenant: Tenant, env_version: str = RELEASE) -> str:
    """5.6 for one radar user of the caller's company (302 for another company's)."""
    user = tenant.get(RadarUser, user_id, "用户")
    path = save_card_code(user, authorizer_client(authorized_app(XCX, user.company_id)), env_version)
    db.session.flush()
    return path


def start_bulk(company_id: int, admin: AdminUser, tenant: Tenant, env_version: str = RELEASE) -> Enqueued:
    """5.6 for every radar user of a company (0 = the caller's own), as one job per company at a time."""
    company_id = tenant.resolve(company_id or None).id
    authorized_app(XCX, company_id)
    args, lock = {"company_id": company_id, "env_version": env_version}, bulk_lock(company_id)
    return enqueue(WXA_QRCODE_BULK, company_id=company_id, args=args, lock=lock, created_by_id=admin.id)


def bulk_codes(job: Job, company_id: int, env_version: str = RELEASE) -> dict:
    """Every user's code. A WeChat error here is the account's (permission, page, token), not a user's: the job
    stops with it; a re-run makes the codes again (same result)."""
    client = authorizer_client(authorized_app(XCX, company_id))
    stmt = select(RadarUser.id).where(RadarUser.company_id == company_id).order_by(RadarUser.id)
    ids = list(db.session.scalars(stmt))
    for start in range(0, len(ids), CHUNK):
        for user in db.session.scalars(select(RadarUser).where(RadarUser.id.in_(ids[start : start + CHUNK]))):
            save_card_code(user, client, env_version)
        done = min(start + CHUNK, len(ids))
        set_progress(job, min(99, done * 100 // max(len(ids), 1)), f"生成小程序二维码：{done}/{len(ids)}")
    return {"company_id": company_id, "users": len(ids)}
