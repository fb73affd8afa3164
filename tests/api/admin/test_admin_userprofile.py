"""5.1–5.5, 5.8 admin users, with tenancy."""

from app.extensions import db
from app.models.admin import ROLE_ADMIN, ROLE_MEMBER, ROLE_SUPERADMIN, STATUS_DISABLED, AdminUser
from tests.conftest import PASSWORD, body

BASE = "/zhugeleida/admin/admin_userprofile"
NEW = "Newpass123"


def _form(company, **overrides):
    form = {
        "login_user": "newbie",
        "password": NEW,
        "role_id": ROLE_MEMBER,
        "company_id": company.id,
        "username": "新人",
        "position": "销售",
    }
    form.update(overrides)
    return form


def test_list_shape_scoped_to_company(api, make):
    a, b = make.company(), make.company()
    admin = make.admin(a)
    make.member(a)
    make.member(b)
    payload = body(api.as_(admin).get(BASE))
    assert payload["code"] == 200
    items = payload["data"]["ret_data"]
    assert payload["data"]["data_count"] == 2 and {i["company_id"] for i in items} == {a.id}
    item = items[0]
    for key in (
        "id",
        "avatar",
        "username",
        "company_name",
        "company_id",
        "role_id",
        "role_name",
        "status",
        "status_text",
        "create_date",
        "last_login_date",
    ):
        assert key in item
    assert "password" not in item and "password_hash" not in item and "token" not in item


def test_a_company_admins_full_page_counts_its_own_users_only(api, make):
    """A full page is counted (app/pagination.py): the count is confined to the caller's company as the page is,
    whatever company_id it names; role 1 naming a company gets that company's."""
    a, b = make.company(), make.company()
    admin = make.admin(a)
    for _ in range(2):
        make.member(a)
    for _ in range(3):
        make.member(b)
    for query in ({"length": 2}, {"length": 2, "company_id": b.id}):
        data = body(api.as_(admin).get(BASE, query))["data"]
        assert data["data_count"] == 3 and len(data["ret_data"]) == 2
        assert {i["company_id"] for i in data["ret_data"]} == {a.id}
    data = body(api.as_(make.superadmin()).get(BASE, {"length": 2, "company_id": b.id}))["data"]
    assert data["data_count"] == 3 and {i["company_id"] for i in data["ret_data"]} == {b.id}


def test_list_superadmin_sees_all_and_pages(api, make):
    root = make.superadmin()
    for _ in range(3):
        make.member()
    payload = body(api.as_(root).get(BASE, {"current_page": 2, "length": 2}))
    assert payload["data"]["data_count"] == 4 and len(payload["data"]["ret_data"]) == 2
    assert body(api.as_(root).get(BASE, {"length": 101}))["code"] == 303
    assert body(api.as_(root).get(BASE, {"order": "password_hash"}))["code"] == 303


def test_list_total_on_every_page(api, make, count_queries):
    """The total whether a page is full (counted), short (told by the page) or past the end (counted)."""
    root = make.superadmin()
    for _ in range(4):
        make.member()
    client = api.as_(root)
    for current_page, length, rows, statements in ((1, 5, 5, 3), (2, 3, 2, 2), (1, 10, 5, 2), (3, 3, 0, 3)):
        with count_queries() as n:
            data = body(client.get(BASE, {"current_page": current_page, "length": length}))["data"]
        assert (data["data_count"], len(data["ret_data"]), n()) == (5, rows, statements)


def test_list_query_count_is_constant(api, make, count_queries):
    """No statement per row: 1 user or 13 on the page (a page that is not full also tells the total)."""
    root = make.superadmin()
    client = api.as_(root)
    with count_queries() as few:
        client.get(BASE, {"length": 100})
    for _ in range(12):
        make.member()
    with count_queries() as many:
        client.get(BASE, {"length": 100})
    assert many() == few() == 2  # the caller, the page


def test_add_user(api, make):
    admin = make.admin()
    payload = body(api.as_(admin).post(f"{BASE}/add/0", _form(admin.company)))
    assert payload["code"] == 200
    user = db.session.get(AdminUser, payload["data"]["id"])
    assert user.company_id == admin.company_id and user.password_hash != NEW
    assert body(api.post("/zhugeleida/admin/login", {"username": "newbie", "password": NEW}))["code"] == 200


def test_add_user_errors(api, make):
    admin = make.admin()
    client = api.as_(admin)
    assert body(client.post(f"{BASE}/add/0", _form(admin.company, login_user=admin.login_user)))["code"] == 300
    assert body(client.post(f"{BASE}/add/0", _form(admin.company, password="123456")))["code"] == 305
    assert body(client.post(f"{BASE}/add/0", _form(admin.company, role_id="x")))["code"] == 301
    assert body(client.post(f"{BASE}/add/0", {"login_user": "a"}))["code"] == 303
    assert body(client.post(f"{BASE}/add/0", _form(admin.company, role_id=999)))["code"] == 302


def test_company_admin_cannot_create_superadmin_or_other_company_user(api, make):
    admin = make.admin()
    other = make.company()
    client = api.as_(admin)
    assert body(client.post(f"{BASE}/add/0", _form(admin.company, role_id=ROLE_SUPERADMIN)))["code"] == 403
    assert body(client.post(f"{BASE}/add/0", _form(other)))["code"] == 302
    assert db.session.query(AdminUser).filter_by(login_user="newbie").count() == 0


def test_update_user_and_password_rotates_token(api, make):
    admin = make.admin()
    member = make.member(admin.company)
    old_token = member.token
    payload = body(api.as_(admin).post(f"{BASE}/update/{member.id}", _form(admin.company, login_user="renamed")))
    assert payload["code"] == 200
    db.session.refresh(member)
    assert member.login_user == "renamed" and member.token != old_token


def test_update_without_password_keeps_it(api, make):
    admin = make.admin()
    member = make.member(admin.company)
    token = member.token
    form = _form(admin.company, login_user=member.login_user)
    form.pop("password")
    assert body(api.as_(admin).post(f"{BASE}/update/{member.id}", form))["code"] == 200
    db.session.refresh(member)
    assert member.token == token
    assert (
        body(api.post("/zhugeleida/admin/login", {"username": member.login_user, "password": PASSWORD}))["code"] == 200
    )


def test_update_errors(api, make):
    admin = make.admin()
    member = make.member(admin.company)
    client = api.as_(admin)
    assert (
        body(client.post(f"{BASE}/update/{member.id}", _form(admin.company, login_user=admin.login_user)))["code"]
        == 300
    )
    assert body(client.post(f"{BASE}/update/99999", _form(admin.company)))["code"] == 302
    assert body(client.post(f"{BASE}/update/{member.id}", _form(admin.company, role_id=ROLE_SUPERADMIN)))["code"] == 403


def test_company_admin_cannot_touch_superadmin_in_same_company(api, make):
    company = make.company()
    root = make.superadmin(company)
    admin = make.admin(company)
    client = api.as_(admin)
    assert body(client.post(f"{BASE}/update/{root.id}", _form(company, role_id=ROLE_ADMIN)))["code"] == 403
    assert body(client.post(f"{BASE}/delete/{root.id}"))["code"] == 403
    assert body(client.post(f"{BASE}/update_status/{root.id}", {"status": 2}))["code"] == 403


def test_delete_user(api, make):
    admin = make.admin()
    member = make.member(admin.company)
    assert body(api.as_(admin).post(f"{BASE}/delete/{member.id}"))["code"] == 200
    assert db.session.get(AdminUser, member.id) is None


def test_delete_self_is_305(api, make):
    admin = make.admin()
    assert body(api.as_(admin).post(f"{BASE}/delete/{admin.id}"))["code"] == 305


def test_update_status_disables_and_rotates_token(api, make):
    admin = make.admin()
    member = make.member(admin.company)
    token = member.token
    payload = body(api.as_(admin).post(f"{BASE}/update_status/{member.id}", {"status": 2}))
    assert payload["code"] == 200
    db.session.refresh(member)
    assert member.status == STATUS_DISABLED and member.token != token
    assert (
        body(api.post("/zhugeleida/admin/login", {"username": member.login_user, "password": PASSWORD}))["code"] == 306
    )
    assert body(api.as_(admin).post(f"{BASE}/update_status/{member.id}", {"status": 1}))["code"] == 200


def test_update_status_errors(api, make):
    admin = make.admin()
    member = make.member(admin.company)
    client = api.as_(admin)
    assert body(client.post(f"{BASE}/update_status/{admin.id}", {"status": 2}))["code"] == 305
    assert body(client.post(f"{BASE}/update_status/{member.id}", {"status": 3}))["code"] == 303
    assert body(client.post(f"{BASE}/update_status/{member.id}", {"status": "on"}))["code"] == 301
    assert body(client.post(f"{BASE}/update_status/99999", {"status": 1}))["code"] == 302


def test_other_company_ids_answer_302(api, make):
    """Does a company-2 admin get 302 for every company-1 user id, with nothing changed?"""
    one, two = make.company(), make.company()
    victim = make.member(one)
    intruder = make.admin(two)
    client = api.as_(intruder)
    assert body(client.post(f"{BASE}/update/{victim.id}", _form(two, login_user="hijack")))["code"] == 302
    assert body(client.post(f"{BASE}/delete/{victim.id}"))["code"] == 302
    assert body(client.post(f"{BASE}/update_status/{victim.id}", {"status": 2}))["code"] == 302
    db.session.refresh(victim)
    assert victim.login_user != "hijack" and victim.status == 1


def test_switch_admin_user(api, make):
    root = make.superadmin()
    target = make.admin()
    payload = body(api.as_(root).post(f"{BASE}/switch_admin_user/{target.id}"))
    assert payload["code"] == 200 and payload["msg"] == "获取成功"
    assert payload["data"] == {
        "token": target.token,
        "user_id": target.id,
        "company_name": target.company.name,
        "company_id": target.company_id,
        "role_id": ROLE_ADMIN,
        "role_name": "管理员",
        "avatar": target.avatar,
    }
    assert body(api.as_(root).post(f"{BASE}/switch_admin_user/99999"))["code"] == 302
    target.status = STATUS_DISABLED
    db.session.commit()
    assert body(api.as_(root).post(f"{BASE}/switch_admin_user/{target.id}"))["code"] == 306


def test_switch_admin_user_is_role_1_only(api, make):
    admin = make.admin()
    member = make.member(admin.company)
    assert body(api.as_(admin).post(f"{BASE}/switch_admin_user/{member.id}"))["code"] == 403
