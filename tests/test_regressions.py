"""Regressions found by schemathesis (tests/test_schemathesis.py) and the auth walk (tests/test_auth.py):
each was a 500 before its fix."""

import time

import pytest

from app.security import sign
from tests.conftest import body

HUGE = 10**28


@pytest.mark.parametrize(
    "payload",
    [{"json": [1, 2]}, {"json": {"username": [None, None], "password": "x"}}, {"json": 7}, {"json": "text"}],
)
def test_login_with_a_body_that_is_not_an_object_is_an_envelope_error(api, payload):
    """The login rate limit keyed on `username` read a list / non-dict JSON body as a dict (TypeError, 500)."""
    response = api.client.post("/zhugeleida/admin/login", **payload)
    assert response.status_code == 200
    assert body(response)["code"] in (301, 303)


@pytest.mark.parametrize("field", ["timestamp", "user_id"])
def test_signature_parameters_with_non_ascii_digits_are_400(api, make, field):
    """'²'.isdigit() is True but int('²') raises: a signed route and the invite-signed one answered 500."""
    admin = make.admin()
    ts = str(int(time.time() * 1000))
    query = {"timestamp": ts, "user_id": str(admin.id), "rand_str": sign(ts, admin.token), field: "²"}
    assert body(api.client.get("/zhugeleida/admin/login_rules", query_string=query))["code"] == 400
    invite = {**query, "rand_str": sign(ts, admin.invite_secret)}
    response = api.client.post("/zhugeleida/admin/user/scan_code_to_add_user/0", query_string=invite)
    assert body(response)["code"] == 400


def test_a_non_ascii_rand_str_is_400(api, make):
    """hmac.compare_digest raised TypeError on a non-ASCII rand_str (500) once the user and timestamp checked out."""
    admin = make.admin()
    ts = str(int(time.time() * 1000))
    query = {"timestamp": ts, "user_id": str(admin.id), "rand_str": "é" * 32}
    assert body(api.client.get("/zhugeleida/admin/login_rules", query_string=query))["code"] == 400
    response = api.client.post("/zhugeleida/admin/user/scan_code_to_add_user/0", query_string=query)
    assert body(response)["code"] == 400


@pytest.mark.parametrize(
    "url",
    [
        "/zhugeleida/admin/article_tag",
        "/zhugeleida/admin/plugin_goods",
        "/zhugeleida/admin/plugin_mingpian",
        "/zhugeleida/admin/plugin_report",
        "/zhugeleida/admin/admin_userprofile",
    ],
)
def test_a_page_number_beyond_any_offset_is_303(api, make, url):
    """current_page=10**28 made an OFFSET MariaDB refuses (ProgrammingError, 500) and SQLite cannot bind."""
    admin = make.superadmin()
    payload = body(api.as_(admin).get(url, {"current_page": HUGE}))
    assert payload["code"] == 303 and "current_page" in payload["data"]


def test_integer_inputs_beyond_an_integer_column_are_303(api, make):
    """An agent id of 2**40 passed `Range(min=1)` and reached an INTEGER column (MariaDB: out of range, 500)."""
    admin = make.superadmin()
    company = admin.company
    form = {"app_type": 1, "agent_id": 2**40, "app_secret": "secret"}
    payload = body(api.as_(admin).post(f"/zhugeleida/admin/company/update_agent/{company.id}", form))
    assert payload["code"] == 303 and "agent_id" in payload["data"]
    payload = body(api.as_(admin).get("/zhugeleida/admin/company", {"length": -(2**40)}))
    assert payload["code"] == 303


def test_a_share_link_sign_with_non_ascii_characters_is_refused(api, h5, gzh):
    """16.1 (public): compare_digest raised TypeError on a non-ASCII `sign` (500); it is a forged link (403)."""
    from tests.fixtures.wechat import GZH_APPID

    query = {"code": "c", "appid": GZH_APPID, "article_id": h5.article.id, "uid": h5.user.id}
    query.update(company_id=h5.company.id, level=1, sign="é" * 8)
    response = api.client.get("/zhugeleida/gongzhonghao/work_gongzhonghao_auth", query_string=query)
    assert response.status_code == 200 and body(response)["code"] == 403


def test_the_sandbox_answers_wechat_errors_for_non_ascii_secrets(wechat_sandbox_server, wechat_corp, open_platform):
    """The sandbox's own compare_digest calls answered 500 to a non-ASCII secret (schemathesis: update_agent)."""
    import requests

    from tests.fixtures.wechat import COMPONENT_CONFIG, CORP_ID

    base = wechat_sandbox_server.url
    token = requests.get(f"{base}/qyapi/cgi-bin/gettoken", params={"corpid": CORP_ID, "corpsecret": "é"}, timeout=10)
    assert token.status_code == 200 and token.json()["errcode"] == 40001
    body_ = {"component_appid": COMPONENT_CONFIG["COMPONENT_APPID"], "component_appsecret": "é"}
    component = requests.post(f"{base}/api/cgi-bin/component/api_component_token", json=body_, timeout=10)
    assert component.status_code == 200 and component.json()["errcode"] == 40125
