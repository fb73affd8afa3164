"""The scan-to-join H5 page's reads before its form: check the invite, the inviting company's departments."""

import time
from datetime import UTC, datetime, timedelta

import pytest

from app.auth import invite_params
from app.extensions import db
from app.models.admin import STATUS_DISABLED
from app.security import new_token, sign
from app.timefmt import fmt_datetime
from tests.conftest import body

BASE = "/zhugeleida/admin/user"
CHECK = f"{BASE}/scan_code_check"
DEPARTMENTS = f"{BASE}/scan_code_departments"
JOIN = f"{BASE}/scan_code_to_add_user/0"
DAY_MS = 86_400_000


def _get(api, url, query):
    return body(api.client.get(url, query_string=query))


def test_check_invite_answers_company_inviter_expiry_and_seats(app, api, make, radar):
    company = make.company(name="甲公司", mingpian_available_num=3)
    admin = make.admin(company, username="张经理")
    radar.user(company)
    radar.user(company, status=2)  # disabled: holds no seat
    signed_ms = int(time.time() * 1000) - DAY_MS
    payload = _get(api, CHECK, invite_params(admin, signed_ms))
    assert (payload["code"], payload["msg"]) == (200, "查询成功")
    data = payload["data"]
    assert (data["company_name"], data["inviter_name"], data["seats_left"]) == ("甲公司", "张经理", 2)
    signed = datetime.fromtimestamp(signed_ms / 1000, UTC).replace(tzinfo=None)
    assert data["expire_date"] == fmt_datetime(signed + timedelta(days=app.config["INVITE_TTL_DAYS"]))


def test_check_invite_seats_never_negative_and_name_falls_back(api, make, radar):
    company = make.company(mingpian_available_num=1)
    admin = make.admin(company, username=None, login_user="boss")
    radar.user(company)
    radar.user(company)
    data = _get(api, CHECK, invite_params(admin))["data"]
    assert data["seats_left"] == 0 and data["inviter_name"] == "boss"


@pytest.mark.parametrize("url", [CHECK, DEPARTMENTS])
def test_only_a_valid_invite_passes(api, make, url):
    """No signature, the admin's login token, a forged secret, an expired code → 400; a disabled inviter → 306."""
    admin = make.admin()
    ts = str(int(time.time() * 1000))

    for query in ({}, {"timestamp": ts, "user_id": admin.id, "rand_str": sign(ts, admin.token)},
                  {"timestamp": ts, "user_id": admin.id, "rand_str": sign(ts, new_token())},
                  invite_params(admin, int(time.time() * 1000) - 8 * DAY_MS)):  # fmt: skip
        assert _get(api, url, query)["code"] == 400, query
    assert _get(api, url, invite_params(admin))["code"] == 200
    admin.status = STATUS_DISABLED
    db.session.commit()
    assert _get(api, url, invite_params(admin))["code"] == 306


@pytest.mark.parametrize("url", [CHECK, DEPARTMENTS])
def test_a_rotated_invite_secret_ends_the_invite(api, make, url):
    """Changing the password rotates the invite secret: the old QR code stops working."""
    admin = make.admin()
    old = invite_params(admin)
    admin.invite_secret = new_token()
    db.session.commit()
    assert _get(api, url, old)["code"] == 400


def test_departments_are_the_inviting_companys_only(api, make, radar):
    company, other = make.company(), make.company()
    sales, tech = radar.department(company, name="销售部"), radar.department(company, name="技术部")
    radar.department(other, name="别家部门")
    payload = _get(api, DEPARTMENTS, invite_params(make.admin(company)))
    assert payload["code"] == 200
    assert payload["data"] == {
        "ret_data": [{"id": sales.id, "name": "销售部"}, {"id": tech.id, "name": "技术部"}],
        "data_count": 2,
    }
    assert _get(api, DEPARTMENTS, invite_params(make.admin(other)))["data"]["ret_data"][0]["name"] == "别家部门"


def test_a_listed_department_is_accepted_by_the_form_and_another_companys_is_302(api, make, radar):
    company, other = make.company(), make.company()
    admin = make.admin(company)
    radar.department(company, name="销售部")
    theirs = radar.department(other, name="别家部门")
    mine = _get(api, DEPARTMENTS, invite_params(admin))["data"]["ret_data"]
    form = {"username": "新人", "position": "销售", "wechat": "xinren", "wechat_phone": "13290563972",
            "mingpian_phone": "13290563972"}  # fmt: skip
    query = invite_params(admin)
    answer = body(api.client.post(JOIN, query_string=query, data={**form, "department_id": f"[{theirs.id}]"}))
    assert answer["code"] == 302
    answer = body(api.client.post(JOIN, query_string=query, data={**form, "department_id": f"[{mine[0]['id']}]"}))
    assert answer["code"] == 200


def test_reads_are_rate_limited(app, api, make):
    admin = make.admin()
    app.config["SCAN_JOIN_RATE_LIMIT"] = "2 per minute"
    try:
        codes = [_get(api, CHECK, invite_params(admin))["code"] for _ in range(3)]
    finally:
        app.config["SCAN_JOIN_RATE_LIMIT"] = "30 per minute"
    assert codes == [200, 200, 429]
