"""5.6 mini-program codes of radar users' cards (getwxacodeunlimit, scene = the user id), one or in bulk."""

import re
from pathlib import Path

from PIL import Image

from app.extensions import db
from app.models.radar import RadarUser
from tests.conftest import body
from tests.fixtures.wechat import XCX_APPID, wait_for_job
from tests.open_platform.test_lifecycle import batch, poll

URL = "/zhugeleida/admin/user/create_small_program_qr_code/0"
PATH_RULE = r"^statics/zhugeleida/imgs/xiaochengxu/qr_code/{id}_\d{{8}}_\d{{6}}_qrcode\.jpg$"


def released(api, make, platform):
    """A company whose mini-program has a version online (its card page published)."""
    company, admin, app = platform.authorized_xcx(make)
    root = make.superadmin()
    batch(api, root, "upload_code", [app.id], user_version="v1", template_id=1, user_desc="d")
    batch(api, root, "submit_audit", [app.id])
    platform.driver.decide_audit(XCX_APPID, 0)
    poll(api, root)
    batch(api, root, "relase_code", [app.id])
    return company, admin


def saved_image(app, path: str) -> Image.Image:
    file = Path(app.config["STATICS_DIR"], path.removeprefix("statics/"))
    image = Image.open(file)
    assert image.format == "JPEG"
    return image


def test_one_user_code(api, make, platform, radar, app):
    company, admin = released(api, make, platform)
    user = radar.user(company)
    answer = body(api.as_(admin).post(URL, {"user_id": user.id}))
    assert (answer["code"], answer["msg"]) == (200, "生成用户二维码成功")
    path = answer["data"]["qr_code"]
    assert re.match(PATH_RULE.format(id=user.id), path), path
    saved_image(app, path)
    db.session.rollback()
    assert db.session.get(RadarUser, user.id).qr_code == path


def test_a_wechat_error_is_an_error_not_a_jpg(api, make, platform, radar, sandbox):
    company, admin, _app = platform.authorized_xcx(make)
    user = radar.user(company)
    answer = body(api.as_(admin).post(URL, {"user_id": user.id}))
    assert answer["code"] == 41030 and "invalid page" in answer["msg"]  # the card page is not published yet
    sandbox.fail_next("wxa/getwxacodeunlimit", http_status=200)  # a 200 that is not an image
    answer = body(api.as_(admin).post(URL, {"user_id": user.id}))
    assert (answer["code"], answer["msg"]) == (-1, "微信返回的不是图片")
    db.session.rollback()
    assert db.session.get(RadarUser, user.id).qr_code is None


def test_check_path_off_makes_codes_before_release(api, make, platform, radar, app):
    app.config["XCX_QRCODE_CHECK_PATH"] = False
    try:
        company, admin, _app = platform.authorized_xcx(make)
        user = radar.user(company)
        assert body(api.as_(admin).post(URL, {"user_id": user.id}))["code"] == 200
    finally:
        app.config["XCX_QRCODE_CHECK_PATH"] = True


def test_tenancy_and_missing_authorization(api, make, platform, radar):
    company, admin = released(api, make, platform)
    stranger = radar.user(make.company())
    assert body(api.as_(admin).post(URL, {"user_id": stranger.id}))["code"] == 302
    assert body(api.as_(admin).post(URL, {"user_id": 999999}))["code"] == 302
    assert body(api.as_(admin).post(URL, {"user_id": "x"}))["code"] == 301
    other_admin = make.admin(stranger.company)
    answer = body(api.as_(other_admin).post(URL, {"user_id": stranger.id}))
    assert (answer["code"], answer["msg"]) == (303, "公司尚未授权小程序，请先完成小程序授权")
    assert body(api.as_(make.member(company)).post(URL, {"user_id": 1}))["code"] == 403


def test_bulk_codes_for_every_user_of_the_company(api, make, platform, radar, app):
    company, admin = released(api, make, platform)
    users = [radar.user(company) for _ in range(3)]
    radar.user(make.company())  # another company's: untouched
    answer = body(api.as_(admin).post(URL))
    assert answer["code"] == 200
    job = wait_for_job(answer["data"]["job_id"])
    assert (job.status, job.result, job.company_id) == ("finished", {"company_id": company.id, "users": 3}, company.id)
    for user in users:
        path = db.session.get(RadarUser, user.id).qr_code
        assert re.match(PATH_RULE.format(id=user.id), path)
        saved_image(app, path)
    assert body(api.as_(admin).post(URL.replace("/0", f"/{company.id + 1}")))["code"] == 302  # another company
    root = make.superadmin()
    assert body(api.as_(root).post(URL.replace("/0", f"/{company.id}")))["code"] == 200  # role 1 names it


def test_trial_and_develop_codes_before_any_release(api, make, platform, radar):
    """41030 until a version is released (check_path=true); a code opening the trial or develop version is
    asked with check_path=false, which WeChat allows before a release."""
    company, admin, _app = platform.authorized_xcx(make)
    user = radar.user(company)
    assert body(api.as_(admin).post(URL, {"user_id": user.id}))["code"] == 41030
    for env in ("trial", "develop"):
        answer = body(api.as_(admin).post(URL, {"user_id": user.id, "env_version": env}))
        assert answer["code"] == 200 and answer["data"]["qr_code"]
    asked = platform.driver.authorizer(XCX_APPID)["wxacodes"]
    assert [(c["env_version"], c["check_path"], c["scene"]) for c in asked] == [
        ("trial", False, str(user.id)),
        ("develop", False, str(user.id)),
    ]
    assert body(api.as_(admin).post(URL, {"user_id": user.id, "env_version": "beta"}))["code"] == 303
    job_id = body(api.as_(admin).post(URL, {"env_version": "trial"}))["data"]["job_id"]
    assert wait_for_job(job_id).status == "finished"
    assert platform.driver.authorizer(XCX_APPID)["wxacodes"][-1]["env_version"] == "trial"


def test_a_released_code_checks_the_page(api, make, platform, radar):
    company, admin = released(api, make, platform)
    user = radar.user(company)
    assert body(api.as_(admin).post(URL, {"user_id": user.id}))["code"] == 200
    asked = platform.driver.authorizer(XCX_APPID)["wxacodes"][-1]
    assert (asked["env_version"], asked["check_path"]) == ("release", True)
