"""Signed requests, the replay window, disabled accounts, rules, and the URL map."""

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.access import ALL_CHILD_RULES
from app.auth import required_rule
from app.extensions import db
from app.models.admin import STATUS_DISABLED
from app.security import sign
from tests.conftest import body, fresh_timestamp

ADMIN_PREFIX = "/zhugeleida/admin"
# Routes that need none of the three credential kinds (admin, radar user, customer), and why.
PUBLIC_ENDPOINTS = {
    "admin.account.login",  # 1.0 login
    "admin.export.download",  # an export's file: the link is signed by the server (tests/api/admin/test_export.py)
    "admin.user.scan_code_to_add_user",  # signed by the QR code's invite secret instead (tested below)
    "admin.user.scan_code_check",  # the same invite signature (tests/api/admin/test_user_invite.py)
    "admin.user.scan_code_departments",
    "admin.open_weixin.auth_code",  # WeChat's authorization page sends the admin's browser back here
    "open_weixin.event.receive",  # WeChat's callbacks: verified by the component token / AES key
    "open_weixin.message.receive",
    "gongzhonghao.work_gongzhonghao_auth.login",  # 16.1 the customer's OAuth login
    "gongzhonghao.work_gongzhonghao_auth.entry_url",  # WeChat's OAuth URL of an activity/card page: no caller yet
    "qiyeweixin.work_weixin_auth.login",  # the radar user's WeChat Work OAuth login
    "health.healthz",
    "health.healthz_live",
    "health.healthz_ready",
    "health.metrics_view",  # a METRICS_TOKEN or an allow-listed address instead (tests/test_monitoring.py)
    "docs.openapi_json",
    "docs.docs_page",
    "docs.docs_assets",
    "console.root",  # the operator web console's files (it signs its own API calls)
    "console.index",
    "console.page",
    "h5.index",  # the mobile H5 pages' files (they sign their own API calls)
    "h5.page",
    "static",
}


def test_missing_signature_is_400(api, make):
    response = api.get("/zhugeleida/admin/login_rules")
    assert body(response)["code"] == 400


def test_wrong_signature_is_400(api, make):
    user = make.admin()
    response = api.get("/zhugeleida/admin/login_rules", query={})
    assert body(response)["code"] == 400
    ts = str(int(time.time() * 1000))
    response = api.client.get(
        "/zhugeleida/admin/login_rules", query_string={"timestamp": ts, "user_id": user.id, "rand_str": "0" * 32}
    )
    assert body(response)["code"] == 400


def test_unknown_user_is_400(api, make):
    user = make.admin()
    ghost = type("Ghost", (), {"id": user.id + 1000, "token": user.token})()
    assert body(api.as_(ghost).get("/zhugeleida/admin/login_rules"))["code"] == 400


@pytest.mark.parametrize("offset_seconds", [-301, 301, -3600 * 24])
def test_timestamp_outside_window_is_400(api, make, offset_seconds):
    """Is a captured URL refused once its timestamp is older (or newer) than the window?"""
    user = make.admin()
    stale = int((time.time() + offset_seconds) * 1000)
    response = api.as_(user).get("/zhugeleida/admin/login_rules", timestamp=stale)
    assert body(response)["code"] == 400


def test_timestamp_inside_window_is_accepted(api, make):
    user = make.admin()
    recent = int((time.time() - 200) * 1000)
    assert body(api.as_(user).get("/zhugeleida/admin/login_rules", timestamp=recent))["code"] == 200


def test_disabled_account_is_306(api, make):
    user = make.admin()
    user.status = STATUS_DISABLED
    db.session.commit()
    assert body(api.as_(user).get("/zhugeleida/admin/login_rules"))["code"] == 306


def test_role_without_rule_gets_403(api, make):
    member = make.member()
    response = api.as_(member).get("/zhugeleida/admin/admin_userprofile")
    assert body(response)["code"] == 403


def _admin_endpoints(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(ADMIN_PREFIX):
            yield rule


def test_every_admin_endpoint_has_a_seeded_rule(app):
    for rule in _admin_endpoints(app):
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        view = app.view_functions[rule.endpoint]
        assert required_rule(rule.endpoint, view) in ALL_CHILD_RULES, rule.rule


def _routes(app):
    """(endpoint, method, url) of the whole URL map; path parameters are 0: no row has that id, so a signed call
    changes nothing."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, re.sub(r"<[^>]+>", "0", rule.rule)


def _signed(principal, secret=None) -> dict:
    ts = fresh_timestamp()
    return {"timestamp": ts, "user_id": principal.id, "rand_str": sign(ts, secret or principal.token)}


def test_public_endpoints_exist(app):
    assert set(app.view_functions) >= PUBLIC_ENDPOINTS, PUBLIC_ENDPOINTS - set(app.view_functions)


def test_every_route_requires_credentials_or_is_allow_listed(app, api):
    """Without credentials, or with a bad signature, every route off the allow-list answers the auth error."""
    user = type("Someone", (), {"id": 1, "token": "0" * 32})()
    refused = []
    for endpoint, method, url in _routes(app):
        if endpoint in PUBLIC_ENDPOINTS:
            continue
        for query in (
            {},
            _signed(user),
            {"timestamp": "x", "user_id": "1", "rand_str": "y"},
            {**_signed(user), "user_id": "²"},
        ):
            response = api.client.open(url, method=method, query_string=query)
            if response.status_code != 200 or body(response)["code"] != 400:
                refused.append((method, url, query, response.status_code, response.get_data(as_text=True)[:80]))
    assert refused == []


def _principals(make, radar):
    company = make.company()
    return {
        "admin": make.superadmin(company),
        "radar_user": radar.user(company),
        "customer": radar.customer(company),
    }


def test_each_route_takes_only_its_own_principal(app, api, make, radar):
    """A route signed by one kind refuses the others' signatures (400) and lets its own through; the kinds
    agree with the OpenAPI description (`x-principal`, `security`)."""
    principals = _principals(make, radar)
    principals["invite"] = principals["admin"]
    spec = app.test_client().get("/openapi.json").get_json()
    mismatches = []
    for endpoint, method, url in _routes(app):
        path = next(r.rule for r in app.url_map.iter_rules() if r.endpoint == endpoint)
        operation = spec["paths"][re.sub(r"<(?:[^>:]+:)?(\w+)>", r"{\1}", path)][method.lower()]
        kind = operation["x-principal"]
        if (kind in ("public", "invite")) != (endpoint in PUBLIC_ENDPOINTS):
            mismatches.append((endpoint, "allow-list and description disagree", kind))
        if kind in ("public", "invite"):
            continue
        for other, principal in principals.items():
            if other in (kind, "invite"):
                continue
            code = body(api.client.open(url, method=method, query_string=_signed(principal)))["code"]
            if code != 400:
                mismatches.append((method, url, f"{other}'s signature answered {code}"))
        own = api.client.open(url, method=method, query_string=_signed(principals[kind]))
        if own.status_code >= 500 or (own.is_json and body(own)["code"] == 400):
            mismatches.append((method, url, f"{kind}'s own signature refused", own.get_data(as_text=True)[:80]))
    assert mismatches == [], "\n".join(map(str, mismatches))


def test_scan_to_join_takes_only_an_invite_signature(app, api, make):
    """The invite-signed endpoint: nothing, the admin's own token or a forged secret → 400; the invite passes."""
    admin = make.admin()
    url = "/zhugeleida/admin/user/scan_code_to_add_user/1"
    for query in ({}, _signed(admin), _signed(admin, "f" * 32)):
        assert body(api.client.post(url, query_string=query))["code"] == 400
    assert body(api.client.post(url, query_string=_signed(admin, admin.invite_secret)))["code"] == 303


def test_signature_parameters_never_crash(app, api, make, radar, monkeypatch):
    """Any text in rand_str / timestamp / user_id — near-valid signatures of every principal kind included —
    answers the envelope (400 or 306 when refused), never a 500."""
    monkeypatch.setitem(app.config, "SCAN_JOIN_RATE_LIMIT", "100000 per minute")
    principals = _principals(make, radar)
    urls = {
        "admin": "/zhugeleida/admin/login_rules",
        "radar_user": "/zhugeleida/qiyeweixin/article/create_share_url/0",
        "customer": "/zhugeleida/gongzhonghao/article/myarticle/0",
        "invite": "/zhugeleida/admin/user/scan_code_to_add_user/0",
    }
    digits = st.text(st.characters(categories=["Nd", "No"]), min_size=1, max_size=20)
    any_text = st.text(max_size=40)

    @settings(max_examples=300, deadline=None, database=None, derandomize=True)
    @given(st.data())
    def check(data):
        kind = data.draw(st.sampled_from(sorted(urls)))
        principal = principals["admin" if kind == "invite" else kind]
        valid = _signed(principal, principal.invite_secret if kind == "invite" else None)
        query = {
            "timestamp": data.draw(st.one_of(st.just(valid["timestamp"]), digits, any_text)),
            "user_id": data.draw(st.one_of(st.just(str(principal.id)), digits, any_text)),
            "rand_str": data.draw(st.one_of(st.just(valid["rand_str"]), any_text, st.text(min_size=32, max_size=32))),
        }
        method = "POST" if kind == "invite" else "GET"
        response = api.client.open(urls[kind], method=method, query_string=query)
        assert response.status_code == 200, (kind, query, response.get_data(as_text=True)[:200])
        code = body(response)["code"]
        assert code in (400, 306) or query == {**valid, "user_id": str(principal.id)}, (kind, query, code)

    check()


def test_requests_carry_no_cookie_session(app, api, make):
    """Requests are signed, never a cookie session: `flask.session` is a null one (a write raises) and no answer
    sets or varies on a cookie."""
    import flask

    with app.test_request_context("/zhugeleida/admin/login_rules"):
        assert app.session_interface.is_null_session(flask.session)
        with pytest.raises(RuntimeError):
            flask.session["user_id"] = 1
    response = api.as_(make.admin()).get("/zhugeleida/admin/login_rules")
    assert body(response)["code"] == 200
    assert "Set-Cookie" not in response.headers and "Cookie" not in response.headers.get("Vary", "")
