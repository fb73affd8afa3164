"""1.0 login, 1.1 modify_password, 1.2 login_rules."""

from app.extensions import db
from app.models.admin import STATUS_DISABLED
from tests.conftest import PASSWORD, body

LOGIN = "/zhugeleida/admin/login"


def test_login_returns_documented_shape(api, make):
    user = make.admin(login_user="zhangcong")
    payload = body(api.post(LOGIN, {"username": "zhangcong", "password": PASSWORD}))
    assert payload["code"] == 200 and payload["msg"] == "登录成功"
    data = payload["data"]
    assert set(data) == {
        "token",
        "user_id",
        "set_avatar",
        "company_name",
        "company_id",
        "role_id",
        "role_name",
        "avatar",
        "last_login_date",
        "is_reset_password",
    }
    assert data["token"] == user.token and data["user_id"] == user.id
    assert data["company_name"] == user.company.name and data["role_name"] == "管理员"
    assert data["last_login_date"] is None and data["is_reset_password"] is False


def test_login_reports_the_previous_login_date(api, make):
    make.admin(login_user="zhangcong")
    body(api.post(LOGIN, {"username": "zhangcong", "password": PASSWORD}))
    second = body(api.post(LOGIN, {"username": "zhangcong", "password": PASSWORD}))["data"]
    assert len(second["last_login_date"]) == 19  # 'YYYY-MM-DD HH:MM:SS'


def test_login_accepts_json_body(api, make):
    make.admin(login_user="zhangcong")
    response = api.client.post(LOGIN, json={"username": "zhangcong", "password": PASSWORD})
    assert body(response)["code"] == 200


def test_login_wrong_password_is_401(api, make):
    make.admin(login_user="zhangcong")
    assert body(api.post(LOGIN, {"username": "zhangcong", "password": "nope"}))["code"] == 401
    assert body(api.post(LOGIN, {"username": "nobody", "password": PASSWORD}))["code"] == 401


def test_login_missing_field_is_303(api):
    payload = body(api.post(LOGIN, {"username": "x"}))
    assert payload["code"] == 303 and "密码" in payload["msg"]


def test_login_disabled_is_306(api, make):
    make.admin(login_user="zhangcong", status=STATUS_DISABLED)
    assert body(api.post(LOGIN, {"username": "zhangcong", "password": PASSWORD}))["code"] == 306


def test_login_is_rate_limited_with_an_envelope(app, api, make):
    make.admin(login_user="zhangcong")
    limit = int(app.config["LOGIN_RATE_LIMIT"].split()[0])
    for _ in range(limit):
        api.post(LOGIN, {"username": "zhangcong", "password": "wrong"})
    response = api.post(LOGIN, {"username": "zhangcong", "password": PASSWORD})
    assert response.status_code == 429
    assert body(response)["code"] == 429 and body(response)["msg"]


def test_modify_password_rotates_token(api, make):
    user = make.admin()
    old_token = user.token
    client = api.as_(user)
    payload = body(
        client.post("/zhugeleida/admin/modify_password", {"password1": "1234qwerQWER", "password2": "1234qwerQWER"})
    )
    assert payload["code"] == 200 and payload["msg"] == "修改密码成功"
    db.session.refresh(user)
    assert payload["data"]["token"] == user.token != old_token
    assert user.is_reset_password is True
    # the old signature no longer works; the new password does
    assert (
        body(api.as_(type("Old", (), {"id": user.id, "token": old_token})()).get("/zhugeleida/admin/login_rules"))[
            "code"
        ]
        == 400
    )
    assert body(api.post(LOGIN, {"username": user.login_user, "password": "1234qwerQWER"}))["code"] == 200


def test_modify_password_weak_is_305(api, make):
    user = make.admin()
    for weak in ("short1A", "alllowercase1", "ALLUPPERCASE1", "NoDigitsHere"):
        payload = body(api.as_(user).post("/zhugeleida/admin/modify_password", {"password1": weak, "password2": weak}))
        assert payload["code"] == 305, weak


def test_modify_password_mismatch_or_missing_is_303(api, make):
    user = make.admin()
    client = api.as_(user)
    assert (
        body(client.post("/zhugeleida/admin/modify_password", {"password1": "1234qwerQWER", "password2": "x"}))["code"]
        == 303
    )
    assert body(client.post("/zhugeleida/admin/modify_password", {"password1": "1234qwerQWER"}))["code"] == 303


def test_modify_password_requires_authentication(api):
    payload = body(
        api.post("/zhugeleida/admin/modify_password", {"password1": "1234qwerQWER", "password2": "1234qwerQWER"})
    )
    assert payload["code"] == 400


def test_login_rules_lists_role_rules(api, make):
    member = make.member()
    rules = body(api.as_(member).get("/zhugeleida/admin/login_rules"))["data"]["rules_list"]
    assert "product" in rules and "account" in rules
    assert "admin_role" not in rules


def test_login_rules_superadmin_has_every_rule(api, make):
    from app.access import ALL_CHILD_RULES

    rules = body(api.as_(make.superadmin()).get("/zhugeleida/admin/login_rules"))["data"]["rules_list"]
    assert set(ALL_CHILD_RULES) <= set(rules)


LOGOUT = "/zhugeleida/admin/logout"


def test_logout_rotates_the_token(api, make):
    """After sign-out, is a request signed with the old token refused, and does a new login sign again?"""
    user = make.admin(login_user="zhangcong")
    old = api.as_(type("Old", (), {"id": user.id, "token": user.token})())
    payload = body(old.post(LOGOUT))
    assert payload == {"code": 200, "msg": "已退出登录", "data": {}}
    assert body(old.get("/zhugeleida/admin/login_rules"))["code"] == 400
    assert body(old.post(LOGOUT))["code"] == 400  # a second sign-out with the old token is refused too
    session = body(api.post(LOGIN, {"username": "zhangcong", "password": PASSWORD}))["data"]
    assert session["token"] != old.user.token
    fresh = api.as_(type("New", (), {"id": user.id, "token": session["token"]})())
    assert body(fresh.get("/zhugeleida/admin/login_rules"))["code"] == 200


def test_logout_signs_out_only_the_caller(api, make):
    user, other = make.admin(), make.admin()
    other_token = other.token
    assert body(api.as_(user).post(LOGOUT))["code"] == 200
    db.session.refresh(other)
    assert other.token == other_token
    assert body(api.as_(other).get("/zhugeleida/admin/login_rules"))["code"] == 200


def test_logout_every_role_may_sign_out(api, make):
    for user in (make.superadmin(), make.admin(), make.member()):
        assert body(api.as_(user).post(LOGOUT))["code"] == 200


def test_logout_needs_a_signature(api, make):
    assert body(api.post(LOGOUT))["code"] == 400


def test_switch_back_keeps_the_operators_session(api, make):
    """5.8 hands role 1 the target's session without touching its own: the console keeps the operator's session
    and restores it to switch back (docs/console.md), so the operator's signature still works throughout."""
    root = make.superadmin()
    target = make.admin()
    root_token = root.token
    switched = body(api.as_(root).post(f"/zhugeleida/admin/admin_userprofile/switch_admin_user/{target.id}"))["data"]
    acting = api.as_(type("Acting", (), {"id": switched["user_id"], "token": switched["token"]})())
    assert body(acting.get("/zhugeleida/admin/login_rules"))["code"] == 200
    db.session.refresh(root)
    assert root.token == root_token
    rules = body(api.as_(root).get("/zhugeleida/admin/login_rules"))["data"]["rules_list"]
    assert "access_rules" in rules  # back as role 1, without signing in again
