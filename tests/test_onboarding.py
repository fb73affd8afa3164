"""Onboarding cannot be abused (docs/security.md "Onboarding and sign-ups"): invites are revoked with the
inviter's credentials, pending join requests are capped, admin creation does not reveal login names."""

import hashlib
import time

from sqlalchemy import func, select

from app.extensions import db
from app.models.admin import AdminUser
from app.models.radar import TempUser
from tests.conftest import PASSWORD, body

JOIN = "/zhugeleida/admin/user/scan_code_to_add_user/0"
PROFILES = "/zhugeleida/admin/admin_userprofile"
NEW_PASSWORD = "Newpass1234"


def _invite(admin) -> dict:
    """The query of a QR code made now (5.9.1 signs it with the admin's invite secret)."""
    ts = str(int(time.time() * 1000))
    return {
        "rand_str": hashlib.md5((ts + admin.invite_secret).encode()).hexdigest(),
        "timestamp": ts,
        "user_id": admin.id,
    }


def _join(api, invite, username="隔壁老王") -> dict:
    form = {"username": username, "position": "销售", "wechat": "w", "wechat_phone": "13290563972"}
    form["mingpian_phone"] = "13290563972"
    return body(api.client.post(JOIN, data=form, query_string=invite))


def _profile_form(admin, **overrides) -> dict:
    form = {"login_user": admin.login_user, "password": "", "role_id": admin.role_id, "company_id": admin.company_id}
    form.update(username=admin.username or "名字", position="销售", **overrides)
    return form


def test_own_password_change_revokes_the_invites(api, make):
    admin = make.admin()
    invite = _invite(admin)
    assert _join(api, invite, "改密前")["code"] == 200
    payload = body(
        api.as_(admin).post("/zhugeleida/admin/modify_password", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    )
    assert payload["code"] == 200
    assert _join(api, invite, "改密后")["code"] == 400
    db.session.refresh(admin)
    assert _join(api, _invite(admin), "新二维码")["code"] == 200  # a QR code made after the change works


def test_password_set_by_another_admin_revokes_the_invites(api, make):
    boss = make.admin()
    member = make.member(boss.company)
    invite = _invite(member)
    payload = body(api.as_(boss).post(f"{PROFILES}/update/{member.id}", _profile_form(member, password=NEW_PASSWORD)))
    assert payload["code"] == 200, payload
    assert _join(api, invite)["code"] == 400


def test_update_without_password_keeps_the_invites(api, make):
    boss = make.admin()
    member = make.member(boss.company)
    invite = _invite(member)
    assert body(api.as_(boss).post(f"{PROFILES}/update/{member.id}", _profile_form(member)))["code"] == 200
    assert _join(api, invite)["code"] == 200


def test_disabling_revokes_the_invites_for_good(api, make):
    boss = make.admin()
    member = make.member(boss.company)
    invite = _invite(member)
    client = api.as_(boss)
    assert body(client.post(f"{PROFILES}/update_status/{member.id}", {"status": 2}))["code"] == 200
    assert body(client.post(f"{PROFILES}/update_status/{member.id}", {"status": 1}))["code"] == 200
    assert _join(api, invite)["code"] == 400  # enabled again, but the old QR code stays dead


def test_pending_join_requests_are_capped_per_company(app, api, make):
    admin, other = make.admin(), make.admin()
    app.config["SCAN_JOIN_MAX_PENDING"] = 2
    try:
        codes = [_join(api, _invite(admin), f"人{i}")["code"] for i in range(2)]
        refused = _join(api, _invite(admin), "第三人")
        elsewhere = _join(api, _invite(other), "别家的人")
    finally:
        app.config["SCAN_JOIN_MAX_PENDING"] = 200
    assert codes == [200, 200]
    assert refused["code"] == 403 and "已达上限（2个）" in refused["msg"], refused
    assert elsewhere["code"] == 200  # another company's requests do not count
    count = select(func.count()).select_from(TempUser).where(TempUser.company_id == admin.company_id)
    assert db.session.scalar(count) == 2


def test_admin_creation_checks_the_password_before_the_login_name(api, make):
    """A weak password is refused the same way whether the login name exists (in any company) or not,
    so another tenant's login names cannot be probed."""
    elsewhere = make.admin(login_user="someone-elses")
    admin = make.admin()
    client = api.as_(admin)
    form = {"password": "weak", "role_id": admin.role_id, "company_id": admin.company_id, "username": "x"}
    taken = body(client.post(f"{PROFILES}/add/0", {**form, "login_user": elsewhere.login_user}))
    free = body(client.post(f"{PROFILES}/add/0", {**form, "login_user": "nobody-has-this"}))
    assert (taken["code"], taken["msg"]) == (free["code"], free["msg"]) == (305, free["msg"])
    strong = body(client.post(f"{PROFILES}/add/0", {**form, "password": PASSWORD, "login_user": elsewhere.login_user}))
    assert strong["code"] == 300  # with a strong password the duplicate is still reported
    assert db.session.scalar(select(func.count()).select_from(AdminUser)) == 2


def test_admin_update_checks_the_password_before_the_login_name(api, make):
    elsewhere = make.admin(login_user="someone-elses")
    admin = make.admin()
    member = make.member(admin.company)
    form = _profile_form(member, login_user=elsewhere.login_user, password="weak")
    assert body(api.as_(admin).post(f"{PROFILES}/update/{member.id}", form))["code"] == 305
