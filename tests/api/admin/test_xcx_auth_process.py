"""11.1–11.3, 11.5, 11.6 the mini-program authorization steps, always of the caller's company."""

from app.extensions import db
from app.models.open_platform import MiniProgramApp
from tests.conftest import body
from tests.fixtures.wechat import XCX_APPID, XCX_APPID_2

BASE = "/zhugeleida/admin/xcx_auth_process"
INFO = {
    "name": "诸葛营销",
    "head_img": "statics/wcx_head_image/a.jpg",
    "introduce": "医美名片",
    "service_category": "IT\\互联网",
}


def row(company_id: int) -> MiniProgramApp | None:
    db.session.rollback()
    return db.session.scalar(db.select(MiniProgramApp).filter_by(company_id=company_id))


def test_step_1_then_2_then_done(api, make, platform):
    admin = make.admin()
    answer = body(api.as_(admin).get(BASE))
    assert answer == {
        "code": 200,
        "msg": "请求成功.请先进行步骤1",
        "data": {"step": 1, "ret_data": {"authorization_appid": ""}},
    }
    assert body(api.as_(admin).post(f"{BASE}/update/app_id", {"authorization_appid": XCX_APPID})) == {
        "code": 200,
        "msg": "修改成功",
        "data": {},
    }
    answer = body(api.as_(admin).get(BASE))
    assert (answer["msg"], answer["data"]) == (
        "请求成功.请先进行步骤2",
        {"step": 2, "ret_data": {"authorization_appid": XCX_APPID}},
    )
    platform.driver.add_authorizer(XCX_APPID, "miniprogram", nick_name="诸葛雷达", verify_type=-1)
    assert platform.grant(admin, XCX_APPID)["code"] == 200
    answer = body(api.as_(admin).get(BASE))
    assert (answer["msg"], answer["data"]["step"]) == ("请求成功", "")
    details = answer["data"]["ret_data"]
    assert details["authorization_appid"] == XCX_APPID and details["name"] == "诸葛雷达"
    assert details["verify_type_info"] is False and details["service_category"] == "工具\\效率"
    for key in ("principal_name", "head_img", "version_num", "release_time", "stay_version_num", "stay_audit_time"):
        assert key in details


def test_step_3_while_details_are_missing(api, make, platform):
    _company, admin, _app = platform.authorized_xcx(make, signature="")  # WeChat has no introduction for it
    answer = body(api.as_(admin).get(BASE))
    assert (answer["msg"], answer["data"]["step"]) == ("请求成功.请先进行步骤3", 3)
    assert answer["data"]["ret_data"]["introduce"] is None and answer["data"]["ret_data"]["name"]
    assert body(api.as_(admin).post(f"{BASE}/update/info", INFO)) == {"code": 200, "msg": "修改成功", "data": {}}
    details = body(api.as_(admin).get(BASE))["data"]
    assert details["step"] == "" and {k: details["ret_data"][k] for k in INFO} == INFO


def test_update_app_id_validation_and_ownership(api, make, platform):
    first, second = make.admin(), make.admin()
    for bad in ("", "wx123", "ab1234567890123456", "wx1234567890abcdef0"):
        answer = body(api.as_(first).post(f"{BASE}/update/app_id", {"authorization_appid": bad}))
        assert answer["code"] == 303 and answer["msg"].startswith("授权方appid"), bad
    assert body(api.as_(first).post(f"{BASE}/update/app_id", {}))["code"] == 303
    assert body(api.as_(first).post(f"{BASE}/update/app_id", {"authorization_appid": XCX_APPID}))["code"] == 200
    # A claim blocks nobody: the second company may claim the same appid (docs/security.md); neither is bound.
    assert body(api.as_(second).post(f"{BASE}/update/app_id", {"authorization_appid": XCX_APPID}))["code"] == 200
    claims = [(r.pending_appid, r.authorizer_appid) for r in (row(first.company_id), row(second.company_id))]
    assert claims == [(XCX_APPID, None), (XCX_APPID, None)]
    assert body(api.as_(first).post(f"{BASE}/update/app_id", {"authorization_appid": XCX_APPID}))["code"] == 200


def test_another_appid_starts_the_authorization_over(api, make, platform):
    company, admin, _app = platform.authorized_xcx(make)
    assert body(api.as_(admin).post(f"{BASE}/update/app_id", {"authorization_appid": XCX_APPID_2}))["code"] == 200
    changed = row(company.id)
    assert (
        changed.pending_appid,
        changed.authorizer_appid,
        changed.authorized,
        changed.refresh_token,
        changed.name,
    ) == (
        XCX_APPID_2,
        None,
        False,
        None,
        None,
    )
    assert body(api.as_(admin).get(BASE))["data"]["step"] == 2


def test_refresh_basic_info(api, make, platform):
    company, admin, _app = platform.authorized_xcx(make)
    url = f"{BASE}/update/xcx_get_authorizer_info"
    platform.driver.update_authorizer(XCX_APPID, nick_name="新名字", head_img="http://wx.qlogo.cn/new", verify_type=-1)
    assert body(api.as_(admin).get(url)) == {
        "code": 200,
        "msg": "成功获取小程序帐号基本信息authorizer_info",
        "data": {},
    }
    refreshed = row(company.id)
    assert (refreshed.name, refreshed.head_img, refreshed.verify_type_info) == ("新名字", "http://wx.qlogo.cn/new", -1)
    unauthorised = make.admin()
    answer = body(api.as_(unauthorised).get(url))
    assert (answer["code"], answer["msg"]) == (303, "公司尚未授权小程序，请先完成小程序授权")


def test_update_info_validation(api, make, platform):
    _company, admin, app = platform.authorized_xcx(make)
    for field in INFO:
        answer = body(api.as_(admin).post(f"{BASE}/update/info", {k: v for k, v in INFO.items() if k != field}))
        assert answer["code"] == 303, field
    assert body(api.as_(admin).post(f"{BASE}/update/info", {**INFO, "name": "x" * 65}))["code"] == 303
    assert body(api.as_(admin).post(f"{BASE}/update/info", {**INFO, "auto_release": "maybe"}))["code"] == 301
    assert body(api.as_(admin).post(f"{BASE}/update/info", {**INFO, "auto_release": "true"}))["code"] == 200
    assert row(app.company_id).auto_release is True
    assert body(api.as_(make.admin()).post(f"{BASE}/update/info", INFO))["code"] == 303  # not authorised


def test_a_company_sees_only_its_own(api, make, platform):
    company, _admin, _app = platform.authorized_xcx(make)
    other = make.admin()
    assert body(api.as_(other).get(BASE))["data"]["step"] == 1
    root = make.superadmin()  # role 1 too acts on its own company here
    assert body(api.as_(root).get(BASE))["data"]["step"] == 1
    assert row(company.id).authorized is True


def test_role_without_the_rule_is_403(api, make):
    member = make.member()
    assert body(api.as_(member).get(BASE))["code"] == 403
    assert body(api.as_(member).post(f"{BASE}/update/app_id", {"authorization_appid": XCX_APPID}))["code"] == 403
    assert body(api.get(BASE))["code"] == 400
