"""1.8/1.9 and 5.9.x scan-to-join: the invite QR code and its secret, pending requests, approval."""

import hashlib
import json
import re
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from PIL import Image
from sqlalchemy import func, select

from app.extensions import db
from app.models.admin import STATUS_DISABLED
from app.models.radar import RADAR_ENABLED, RadarUser, TempUser
from app.services.scan_join import REFUSED_PHONE
from tests.conftest import body
from tests.fixtures.wechat import CORP_ID, wait_for_jobs

BASE = "/zhugeleida/admin/user"
JOIN = f"{BASE}/scan_code_to_add_user/0"
APPROVE = f"{BASE}/approval_storage_user_info/0"
TEMP = {"type": "temp_user"}
DAY_MS = 86_400_000


def _invite(admin, timestamp_ms=None) -> dict:
    """The query a scanned QR code hands to the H5 page, as the console's H5 page forwards it."""
    ts = str(timestamp_ms if timestamp_ms is not None else int(time.time() * 1000))
    return {
        "rand_str": hashlib.md5((ts + admin.invite_secret).encode()).hexdigest(),
        "timestamp": ts,
        "user_id": admin.id,
    }


def _join_form(**overrides) -> dict:
    form = {
        "username": "隔壁老王",
        "position": "销售",
        "wechat": "laowang",
        "wechat_phone": "13290563972",
        "mingpian_phone": "13290563972",
    }
    form.update(overrides)
    return form


def _join(api, admin, form=None, **invite_kwargs):
    return body(api.client.post(JOIN, data=form or _join_form(), query_string=_invite(admin, **invite_kwargs)))


# --- 1.8 create_scan_code --------------------------------------------------------------------------


def test_create_scan_code_saves_a_qr_image_signed_with_the_invite_secret(app, api, make):
    admin = make.admin()
    payload = body(api.as_(admin).get(f"{BASE}/create_scan_code/0"))
    assert payload["code"] == 200
    path = payload["data"]["qrcode_url"]
    assert re.fullmatch(
        rf"statics/zhugeleida/imgs/admin/qrcode/admin_uid_{admin.id}_\d{{8}}_\d{{6}}_\w+_qrCode\.jpg", path
    )
    with Image.open(Path(app.config["STATICS_DIR"]) / path.removeprefix("statics/")) as image:
        assert image.format == "JPEG" and image.width > 100
    url = payload["data"]["url"]
    assert url.startswith(app.config["H5_BASE_URL"] + "?")
    query = {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
    assert query["user_id"] == str(admin.id)
    assert query["rand_str"] == hashlib.md5((query["timestamp"] + admin.invite_secret).encode()).hexdigest()
    assert query["rand_str"] != hashlib.md5((query["timestamp"] + admin.token).encode()).hexdigest()
    # What the QR code carries is exactly what scan_code_to_add_user accepts.
    assert body(api.client.post(JOIN, data=_join_form(), query_string=query))["code"] == 200


def test_create_scan_code_needs_the_user_rule(api, make):
    assert body(api.as_(make.member()).get(f"{BASE}/create_scan_code/0"))["code"] == 403


# --- 1.9 scan_code_to_add_user and the invite secret ---------------------------------------------


def test_join_creates_a_pending_request_in_the_inviters_company(api, make, radar):
    admin = make.admin()
    dept = radar.department(admin.company)
    payload = _join(api, admin, _join_form(department_id=json.dumps([dept.id])))
    assert payload == {"code": 200, "msg": "添加成功", "data": {}}
    temp = db.session.scalar(select(TempUser))
    assert temp.company_id == admin.company_id and temp.inviter_id == admin.id
    assert temp.username == "隔壁老王" and [d.id for d in temp.departments] == [dept.id]


def test_join_accepts_a_json_body(api, make):
    admin = make.admin()
    response = api.client.post(JOIN, json={**_join_form(), "department_id": []}, query_string=_invite(admin))
    assert body(response)["code"] == 200


def test_admin_token_signature_does_not_authenticate_join(api, make):
    admin = make.admin()
    response = api.as_(admin).post(JOIN, _join_form())  # signed with the login token, not the invite secret
    assert body(response)["code"] == 400
    assert db.session.scalar(select(func.count()).select_from(TempUser)) == 0


def test_invite_does_not_authenticate_any_other_endpoint(app, api, make):
    """Is a rand_str from a QR code worthless everywhere but scan_code_to_add_user?"""
    admin = make.superadmin()  # the widest rights, were the invite accepted
    invite = _invite(admin)
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/zhugeleida/") or rule.endpoint in {"admin.user.scan_code_to_add_user"}:
            continue
        view = app.view_functions[rule.endpoint]
        if getattr(view, "is_public", False):
            continue
        url = re.sub(r"<[^>]+>", "1", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            payload = body(api.client.open(url, method=method, query_string=invite))
            assert payload["code"] == 400, (method, url, payload)
            checked += 1
    assert checked > 10


def test_expired_invite_is_refused(app, api, make):
    admin = make.admin()
    ttl_ms = app.config["INVITE_TTL_DAYS"] * DAY_MS
    now = int(time.time() * 1000)
    expired = _join(api, admin, timestamp_ms=now - ttl_ms - 60_000)
    assert expired["code"] == 400 and "过期" in expired["msg"]
    assert _join(api, admin, timestamp_ms=now - ttl_ms + 60_000)["code"] == 200  # still inside the period
    future = _join(api, admin, _join_form(username="未来"), timestamp_ms=now + 3_600_000)
    assert future["code"] == 400


def test_forged_or_incomplete_invites_are_refused(api, make):
    admin = make.admin()
    query = _invite(admin)
    assert body(api.client.post(JOIN, data=_join_form(), query_string={**query, "rand_str": "0" * 32}))["code"] == 400
    assert body(api.client.post(JOIN, data=_join_form(), query_string={**query, "user_id": 9999}))["code"] == 400
    assert body(api.client.post(JOIN, data=_join_form(), query_string={**query, "user_id": "9" * 40}))["code"] == 400
    assert body(api.client.post(JOIN, data=_join_form()))["code"] == 400
    admin.invite_secret = "f" * 32  # rotating the secret revokes every QR code made with the old one
    db.session.commit()
    assert body(api.client.post(JOIN, data=_join_form(), query_string=query))["code"] == 400


def test_disabled_inviter_is_306(api, make):
    admin = make.admin(status=STATUS_DISABLED)
    assert _join(api, admin)["code"] == 306


def test_join_validation(api, make, radar):
    admin = make.admin()
    foreign = radar.department(make.company())
    assert _join(api, admin, _join_form(wechat_phone="12345678901"))["code"] == 303
    assert _join(api, admin, _join_form(mingpian_phone="1329056397"))["code"] == 303
    missing = _join_form()
    missing.pop("wechat")
    assert _join(api, admin, missing)["code"] == 303
    assert _join(api, admin, _join_form(department_id="[1"))["code"] == 301
    assert _join(api, admin, _join_form(department_id='["a"]'))["code"] == 301
    assert _join(api, admin, _join_form(department_id=json.dumps([foreign.id])))["code"] == 302
    assert db.session.scalar(select(func.count()).select_from(TempUser)) == 0


def test_join_username_is_unique_among_the_companys_pending_requests(api, make):
    admin, other = make.admin(), make.admin()
    assert _join(api, admin)["code"] == 200
    assert _join(api, admin)["code"] == 300
    assert _join(api, other)["code"] == 200  # another company's pending requests do not count


def test_join_is_rate_limited(app, api, make):
    admin = make.admin()
    app.config["SCAN_JOIN_RATE_LIMIT"] = "2 per minute"
    try:
        codes = [_join(api, admin, _join_form(username=f"人{i}"))["code"] for i in range(3)]
    finally:
        app.config["SCAN_JOIN_RATE_LIMIT"] = "30 per minute"
    assert codes == [200, 200, 429]


# --- 5.9.3 list, 5.9.4 update, 5.9.5 delete ------------------------------------------------------


def test_temp_user_list_shape_and_scope(api, make, radar):
    admin = make.admin()
    dept = radar.department(admin.company, name="技术部")
    temp = radar.temp_user(admin.company, departments=[dept], inviter=admin)
    radar.temp_user(make.company())
    radar.user(admin.company)  # a radar user is not a pending request
    payload = body(api.as_(admin).get(BASE, TEMP))
    assert payload["code"] == 200
    data = payload["data"]
    assert data["data_count"] == 1 and data["department_list"] == [{"id": dept.id, "name": "技术部"}]
    item = data["ret_data"][0]
    assert item["temp_user_id"] == temp.id and item["department"] == "技术部" and item["department_id"] == [dept.id]
    for key in (
        "username",
        "create_date",
        "position",
        "wechat",
        "mingpian_phone",
        "wechat_phone",
        "company",
        "company_id",
    ):
        assert key in item
    assert "T" in item["create_date"]


def test_temp_user_list_filters_and_query_count(api, make, radar, count_queries):
    admin = make.admin()
    client = api.as_(admin)
    radar.temp_user(admin.company, username="张大爷")
    assert body(client.get(BASE, {**TEMP, "username": "大爷"}))["data"]["data_count"] == 1
    assert body(client.get(BASE, {**TEMP, "username": "老王"}))["data"]["data_count"] == 0
    with count_queries() as few:
        client.get(BASE, TEMP)
    departments = [radar.department(admin.company) for _ in range(2)]
    for _ in range(12):
        radar.temp_user(admin.company, departments=departments)
    with count_queries() as many:
        client.get(BASE, TEMP)
    assert many() == few() + 1  # + the count: a full page does not tell the total (app/pagination.py)


def test_update_temp_user(api, make, radar):
    admin = make.admin()
    dept = radar.department(admin.company)
    temp = radar.temp_user(admin.company)
    form = _join_form(username="改过", department_id=json.dumps([dept.id]))
    assert body(api.as_(admin).post(f"{BASE}/update/{temp.id}", form, query=TEMP))["code"] == 200
    db.session.refresh(temp)
    assert temp.username == "改过" and [d.id for d in temp.departments] == [dept.id]


def test_update_temp_user_errors(api, make, radar):
    admin = make.admin()
    temp, taken = radar.temp_user(admin.company), radar.temp_user(admin.company)
    theirs = radar.temp_user(make.company())
    client = api.as_(admin)
    url = f"{BASE}/update/{temp.id}"
    assert body(client.post(url, _join_form(username=taken.username), query=TEMP))["code"] == 300
    assert body(client.post(url, _join_form(username=temp.username), query=TEMP))["code"] == 200  # its own name
    assert body(client.post(url, _join_form(wechat_phone="1"), query=TEMP))["code"] == 303
    assert body(client.post(url, {**_join_form(), "type": "temp_user", "department_id": "x"}))["code"] == 301
    assert body(client.post(f"{BASE}/update/{theirs.id}", _join_form(), query=TEMP))["code"] == 302
    assert body(client.post(f"{BASE}/update/9999", _join_form(), query=TEMP))["code"] == 302
    db.session.refresh(theirs)
    assert theirs.username != "隔壁老王"


def test_delete_temp_user(api, make, radar):
    admin = make.admin()
    temp, theirs = radar.temp_user(admin.company), radar.temp_user(make.company())
    client = api.as_(admin)
    assert body(client.post(f"{BASE}/delete/{theirs.id}", query=TEMP))["code"] == 302
    assert body(client.post(f"{BASE}/delete/{temp.id}", query=TEMP))["code"] == 200
    assert body(client.post(f"{BASE}/delete/{temp.id}", query=TEMP))["code"] == 302
    assert db.session.get(TempUser, theirs.id) is not None
    # The same id without type=temp_user names a radar user, not the request.
    assert body(client.post(f"{BASE}/delete/{theirs.id}"))["code"] == 302


# --- 5.9.6 approval ---------------------------------------------------------------------------------


def _approve(api, admin, ids):
    return body(api.as_(admin).post(APPROVE, {"user_id_list": json.dumps(ids)}))


def test_approve_turns_requests_into_radar_users(api, make, radar):
    admin = make.admin()
    dept = radar.department(admin.company)
    a, b = radar.temp_user(admin.company, departments=[dept]), radar.temp_user(admin.company)
    payload = _approve(api, admin, [a.id, b.id])
    assert payload["code"] == 200 and payload["msg"] == "添加成功"
    assert payload["data"]["approved"] == [a.id, b.id] and payload["data"]["refused"] == []
    users = db.session.scalars(select(RadarUser).order_by(RadarUser.id)).all()
    assert [u.id for u in users] == payload["data"]["radar_user_ids"]
    first = users[0]
    assert first.username == a.username and first.wechat_phone == a.wechat_phone and first.position == a.position
    assert first.status == RADAR_ENABLED and [d.id for d in first.departments] == [dept.id]
    assert len(first.token) == 32 and first.userid.startswith("zgld_")
    assert db.session.scalar(select(func.count()).select_from(TempUser)) == 0


def _enabled_count() -> int:
    return db.session.scalar(select(func.count()).where(RadarUser.status == RADAR_ENABLED))


def test_approve_refuses_a_known_phone_on_its_own(api, make, radar):
    """A phone already a radar user of the company (or twice in the batch) is a per-request refusal."""
    admin = make.admin(make.company(mingpian_available_num=3))
    radar.user(admin.company, wechat_phone="13300000000")
    dup = radar.temp_user(admin.company, wechat_phone="13300000000")
    ok1 = radar.temp_user(admin.company, wechat_phone="13300000001")
    twice = radar.temp_user(admin.company, wechat_phone="13300000001")
    payload = _approve(api, admin, [dup.id, ok1.id, twice.id, ok1.id])
    assert payload["code"] == 200 and payload["msg"] == "添加成功1人，未通过2人"
    assert payload["data"]["approved"] == [ok1.id]
    assert payload["data"]["refused"] == [
        {"temp_user_id": dup.id, "reason": REFUSED_PHONE},
        {"temp_user_id": twice.id, "reason": REFUSED_PHONE},
    ]
    assert db.session.get(TempUser, dup.id) is not None and _enabled_count() == 2


def test_approve_with_an_unknown_or_foreign_id_approves_nothing(api, make, radar):
    """All or nothing: another company's request or an unknown id makes the whole batch a 302."""
    admin = make.admin()
    mine = radar.temp_user(admin.company)
    theirs = radar.temp_user(make.company())
    for bad in (theirs.id, 9999):
        payload = _approve(api, admin, [mine.id, bad])
        assert payload["code"] == 302 and payload["msg"] == "临时用户ID不存在", payload
    db.session.expire_all()
    assert db.session.get(TempUser, mine.id) is not None and db.session.get(TempUser, theirs.id) is not None
    assert _enabled_count() == 0


def test_approve_beyond_the_free_seats_approves_nothing(api, make, radar):
    admin = make.admin(make.company(mingpian_available_num=2))
    radar.user(admin.company)
    temps = [radar.temp_user(admin.company) for _ in range(2)]
    payload = _approve(api, admin, [t.id for t in temps])
    assert payload["code"] == 403 and payload["msg"].startswith("可开通名片数已用完"), payload
    assert "本次需开通2个，剩余1个" in payload["msg"]
    db.session.expire_all()
    assert all(db.session.get(TempUser, t.id) is not None for t in temps) and _enabled_count() == 1
    assert _approve(api, admin, [temps[0].id])["code"] == 200  # a batch that fits is approved


def test_disabled_radar_users_do_not_hold_seats(api, make, radar):
    admin = make.admin(make.company(mingpian_available_num=1))
    radar.user(admin.company, status=2)
    temp = radar.temp_user(admin.company)
    assert _approve(api, admin, [temp.id])["data"]["approved"] == [temp.id]


def test_approve_validation(api, make):
    admin = make.admin()
    client = api.as_(admin)
    assert body(client.post(APPROVE, {}))["code"] == 303
    assert body(client.post(APPROVE, {"user_id_list": "[]"}))["code"] == 303
    assert body(client.post(APPROVE, {"user_id_list": "1,2"}))["code"] == 301
    assert body(client.post(APPROVE, {"user_id_list": '["x"]'}))["code"] == 301
    assert body(api.as_(make.member()).post(APPROVE, {"user_id_list": "[1]"}))["code"] == 403


def test_superadmin_approves_across_companies(api, make, radar):
    root = make.superadmin()
    a, b = radar.temp_user(make.company()), radar.temp_user(make.company())
    payload = _approve(api, root, [a.id, b.id])
    assert payload["data"]["approved"] == [a.id, b.id]
    companies = set(db.session.scalars(select(RadarUser.company_id)))
    assert companies == {a.company_id, b.company_id}


def test_approved_users_reach_wechat_work(api, make, radar, linked_company, sandbox):
    """With the address book connected, approval pushes the new radar users there (the hooks seam)."""
    admin = make.admin(linked_company)
    temp = radar.temp_user(linked_company, username="扫码新人", wechat_phone="13912345678")
    payload = _approve(api, admin, [temp.id])
    assert payload["data"]["approved"] == [temp.id]
    wait_for_jobs()  # the push to WeChat Work
    user = db.session.get(RadarUser, payload["data"]["radar_user_ids"][0])
    members = {m["userid"]: m for m in sandbox.corp(CORP_ID)["members"]}
    assert members[user.userid]["name"] == "扫码新人" and members[user.userid]["mobile"] == "13912345678"


def test_oversized_ids_are_missing_not_a_server_error(api, make):
    admin = make.admin()
    huge = 10**20
    assert _join(api, admin, _join_form(department_id=json.dumps([huge])))["code"] == 302
    payload = _approve(api, admin, [huge])
    assert payload["code"] == 302, payload
    client = api.as_(admin)
    assert body(client.get(BASE, {"department": huge}))["code"] == 303
    assert body(client.get(BASE, {"company_id": huge, "type": "temp_user"}))["code"] == 303
