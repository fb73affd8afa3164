"""SPEC §4: signed requests, the replay window, disabled accounts, rules, and the URL map."""

import re
import time

import pytest

from app.access import ALL_CHILD_RULES
from app.auth import required_rule
from app.extensions import db
from app.models.admin import STATUS_DISABLED
from tests.conftest import body

ADMIN_PREFIX = "/zhugeleida/admin"
PUBLIC_ENDPOINTS = {"admin.account.login", "admin.user.scan_code_to_add_user", "admin.open_weixin.auth_code"}


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


@pytest.mark.parametrize("offset_seconds", [-901, 901, -3600 * 24])
def test_timestamp_outside_window_is_400(api, make, offset_seconds):
    """Is a captured URL refused once its timestamp is older (or newer) than the window?"""
    user = make.admin()
    stale = int((time.time() + offset_seconds) * 1000)
    response = api.as_(user).get("/zhugeleida/admin/login_rules", timestamp=stale)
    assert body(response)["code"] == 400


def test_timestamp_inside_window_is_accepted(api, make):
    user = make.admin()
    recent = int((time.time() - 600) * 1000)
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


def test_every_admin_endpoint_requires_authentication(app, api):
    for rule in _admin_endpoints(app):
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        url = re.sub(r"<[^>]+>", "1", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = api.client.open(url, method=method)
            assert response.status_code == 200, (method, url)
            assert body(response)["code"] == 400, (method, url)
