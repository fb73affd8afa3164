"""1.3, 1.4 radar users, and their admin-side add/update/delete, with tenancy and the seat quota."""

from sqlalchemy import func, select

from app.extensions import db
from app.models.radar import RADAR_DISABLED, RADAR_ENABLED, AccessLog, FollowInfo, RadarUser, UserCustomer
from tests.conftest import body
from tests.fixtures.wechat import CORP_ID, wait_for_jobs

BASE = "/zhugeleida/admin/user"


def test_list_shape(api, make, radar):
    admin = make.admin()
    sales, tech = radar.department(admin.company, name="销售部"), radar.department(admin.company, name="技术部")
    user = radar.user(admin.company, departments=[sales, tech], mingpian_phone="18511125018", gender=1)
    payload = body(api.as_(admin).get(BASE))
    assert payload["code"] == 200 and payload["msg"] == "查询成功"
    data = payload["data"]
    assert data["data_count"] == 1 and data["mingpian_available_num"] == admin.company.mingpian_available_num
    assert data["department_list"] == [{"id": sales.id, "name": "销售部"}, {"id": tech.id, "name": "技术部"}]
    item = data["ret_data"][0]
    assert item["id"] == user.id and item["userid"] == user.userid and item["username"] == user.username
    assert item["department"] == "销售部,技术部" and item["department_id"] == [sales.id, tech.id]
    assert item["status"] == "启用" and item["status_code"] == 1
    assert item["company"] == admin.company.name and item["company_id"] == admin.company_id
    assert item["phone"] == user.wechat_phone and item["mingpian_phone"] == "18511125018" and item["gender"] == 1
    assert item["create_date"][10] == "T" and item["last_login_date"] is None
    assert "token" not in item


def test_list_filters(api, make, radar):
    admin = make.admin()
    dept = radar.department(admin.company)
    a = radar.user(admin.company, departments=[dept], username="张三", position="销售经理")
    b = radar.user(admin.company, username="张四", position="工程师", status=RADAR_DISABLED)
    radar.user(admin.company, username="李五", position="销售")
    client = api.as_(admin)

    def ids(query):
        payload = body(client.get(BASE, query))
        assert payload["code"] == 200, payload
        return {item["id"] for item in payload["data"]["ret_data"]}

    assert ids({"username": "张"}) == {a.id, b.id}
    assert ids({"position": "销售经"}) == {a.id}
    assert ids({"status": 2}) == {b.id}
    assert ids({"department": dept.id}) == {a.id}
    assert len(ids({"status": "", "department": "", "username": ""})) == 3  # blanks mean "no filter"
    assert ids({"username": "%"}) == set()  # LIKE wildcards are literal
    odd = radar.user(admin.company, username="甲_乙/丙%")
    assert ids({"username": "_"}) == ids({"username": "/"}) == ids({"username": "乙/丙%"}) == {odd.id}
    assert ids({"username": "甲%"}) == ids({"username": "丙/"}) == set()


def test_list_pages_and_orders(api, make, radar):
    admin = make.admin()
    users = [radar.user(admin.company, username=name) for name in ("c", "a", "b")]
    client = api.as_(admin)
    payload = body(client.get(BASE, {"order": "username", "length": 2}))
    assert [i["username"] for i in payload["data"]["ret_data"]] == ["a", "b"] and payload["data"]["data_count"] == 3
    payload = body(client.get(BASE, {"current_page": 2, "length": 2}))
    assert [i["id"] for i in payload["data"]["ret_data"]] == [users[0].id]  # newest first by default


def test_list_errors(api, make):
    client = api.as_(make.admin())
    assert body(client.get(BASE, {"status": "x"}))["code"] == 301
    assert body(client.get(BASE, {"status": 3}))["code"] == 303
    assert body(client.get(BASE, {"length": 101}))["code"] == 303
    assert body(client.get(BASE, {"order": "token"}))["code"] == 303
    assert body(client.get(BASE, {"type": "boss"}))["code"] == 303


def test_list_is_scoped_to_the_company(api, make, radar):
    admin, other = make.admin(), make.company()
    radar.user(admin.company)
    radar.user(other)
    radar.department(other)
    payload = body(api.as_(admin).get(BASE))
    assert payload["data"]["data_count"] == 1 and payload["data"]["department_list"] == []
    assert body(api.as_(admin).get(BASE, {"company_id": other.id}))["code"] == 302


def test_superadmin_lists_another_company(api, make, radar):
    root, other = make.superadmin(), make.company()
    radar.user(other)
    payload = body(api.as_(root).get(BASE, {"company_id": other.id}))
    assert payload["data"]["data_count"] == 1
    assert body(api.as_(root).get(BASE, {"company_id": 9999}))["code"] == 302


def test_member_role_gets_403(api, make):
    assert body(api.as_(make.member()).get(BASE))["code"] == 403


def test_list_query_count_is_constant(api, make, radar, count_queries):
    admin = make.admin()
    client = api.as_(admin)
    radar.user(admin.company, departments=[radar.department(admin.company)])
    with count_queries() as few:
        assert body(client.get(BASE))["code"] == 200
    departments = [radar.department(admin.company) for _ in range(3)]
    for _ in range(12):
        radar.user(admin.company, departments=departments)
    with count_queries() as many:
        payload = body(client.get(BASE))
    assert len(payload["data"]["ret_data"]) == 10 and all(
        len(i["department_id"]) == 3 for i in payload["data"]["ret_data"]
    )
    assert many() == few() + 1  # + the count: a full page does not tell the total (app/pagination.py)


# --- 1.3 update_status and the seat quota -------------------------------------------------------


def test_disable_rotates_token_and_frees_a_seat(api, make, radar):
    admin = make.admin(make.company(mingpian_available_num=1))
    user = radar.user(admin.company)
    token = user.token
    client = api.as_(admin)
    assert body(client.post(f"{BASE}/update_status/{user.id}", {"status": 2}))["code"] == 200
    db.session.refresh(user)
    assert user.status == RADAR_DISABLED and user.token != token
    other = radar.user(admin.company)  # takes the freed seat
    payload = body(client.post(f"{BASE}/update_status/{user.id}", {"status": 1}))
    assert payload["code"] == 403 and "可开通名片数已用完" in payload["msg"]
    db.session.refresh(user)
    assert user.status == RADAR_DISABLED
    assert body(client.post(f"{BASE}/update_status/{other.id}", {"status": 2}))["code"] == 200
    assert body(client.post(f"{BASE}/update_status/{user.id}", {"status": 1}))["code"] == 200
    db.session.refresh(user)
    assert user.status == RADAR_ENABLED


def test_enabling_an_enabled_user_at_full_quota_is_fine(api, make, radar):
    admin = make.admin(make.company(mingpian_available_num=1))
    user = radar.user(admin.company)
    assert body(api.as_(admin).post(f"{BASE}/update_status/{user.id}", {"status": 1}))["code"] == 200


def test_update_status_errors_and_tenancy(api, make, radar):
    admin = make.admin()
    mine, theirs = radar.user(admin.company), radar.user(make.company())
    client = api.as_(admin)
    assert body(client.post(f"{BASE}/update_status/{mine.id}", {"status": "x"}))["code"] == 301
    assert body(client.post(f"{BASE}/update_status/{mine.id}", {"status": 5}))["code"] == 303
    assert body(client.post(f"{BASE}/update_status/{mine.id}", {}))["code"] == 303
    assert body(client.post(f"{BASE}/update_status/9999", {"status": 2}))["code"] == 302
    assert body(client.post(f"{BASE}/update_status/{theirs.id}", {"status": 2}))["code"] == 302
    db.session.refresh(theirs)
    assert theirs.status == RADAR_ENABLED


# --- admin-side add / update / delete ----------------------------------------------------------------


def _form(**overrides):
    form = {"username": "王五", "position": "销售", "wechat_phone": "13800001111", "department_id": "[]"}
    form.update(overrides)
    return form


def test_add_radar_user(api, make, radar):
    admin = make.admin()
    dept = radar.department(admin.company)
    payload = body(api.as_(admin).post(f"{BASE}/add/0", _form(department_id=f"[{dept.id}]", userid="wang5")))
    assert payload["code"] == 200 and payload["data"]["userid"] == "wang5"
    user = db.session.get(RadarUser, payload["data"]["id"])
    assert user.company_id == admin.company_id and [d.id for d in user.departments] == [dept.id]
    assert user.status == RADAR_ENABLED and len(user.token) == 32
    generated = body(api.as_(admin).post(f"{BASE}/add/0", _form(username="赵六")))["data"]["userid"]
    assert generated.startswith("zgld_")


def test_add_radar_user_errors(api, make, radar):
    admin = make.admin(make.company(mingpian_available_num=1))
    client = api.as_(admin)
    foreign = radar.department(make.company())
    assert body(client.post(f"{BASE}/add/0", _form(username="")))["code"] == 303
    assert body(client.post(f"{BASE}/add/0", _form(wechat_phone="12345")))["code"] == 303
    assert body(client.post(f"{BASE}/add/0", _form(department_id="[1,")))["code"] == 301
    assert body(client.post(f"{BASE}/add/0", _form(department_id=f"[{foreign.id}]")))["code"] == 302
    assert body(client.post(f"{BASE}/add/0", _form(userid="bad id")))["code"] == 303
    assert body(client.post(f"{BASE}/add/0", _form(userid="dup")))["code"] == 200
    assert body(client.post(f"{BASE}/add/0", _form(userid="dup", status=2)))["code"] == 300
    assert body(client.post(f"{BASE}/add/0", _form(userid="full")))["code"] == 403  # the one seat is taken
    assert body(client.post(f"{BASE}/add/0", _form(userid="off", status=2)))["code"] == 200  # disabled: no seat
    assert db.session.scalar(select(func.count()).select_from(RadarUser)) == 2


def test_update_radar_user(api, make, radar):
    admin = make.admin()
    old, new = radar.department(admin.company), radar.department(admin.company)
    user = radar.user(admin.company, departments=[old])
    form = _form(username="改名", department_id=f"[{new.id}]", gender=2, email="a@b.cn")
    assert body(api.as_(admin).post(f"{BASE}/update/{user.id}", form))["code"] == 200
    db.session.refresh(user)
    assert user.username == "改名" and [d.id for d in user.departments] == [new.id]
    assert user.gender == 2 and user.email == "a@b.cn"


def test_update_radar_user_errors_and_tenancy(api, make, radar):
    admin = make.admin()
    mine, theirs = radar.user(admin.company), radar.user(make.company(), username="别人")
    client = api.as_(admin)
    assert body(client.post(f"{BASE}/update/{mine.id}", _form(gender="x")))["code"] == 301
    assert body(client.post(f"{BASE}/update/{mine.id}", _form(email="nope")))["code"] == 303
    assert body(client.post(f"{BASE}/update/9999", _form()))["code"] == 302
    assert body(client.post(f"{BASE}/update/{theirs.id}", _form()))["code"] == 302
    db.session.refresh(theirs)
    assert theirs.username == "别人"


def test_delete_radar_user_keeps_events(api, make, radar):
    admin = make.admin()
    user = radar.user(admin.company, departments=[radar.department(admin.company)])
    relation = radar.relation(user, radar.customer(admin.company))
    radar.follow(relation)
    radar.events(admin.company, 1, [relation.create_date], user=user)
    assert body(api.as_(admin).post(f"{BASE}/delete/{user.id}"))["code"] == 200
    assert db.session.get(RadarUser, user.id) is None
    assert db.session.scalar(select(func.count()).select_from(UserCustomer)) == 0
    assert db.session.scalar(select(func.count()).select_from(FollowInfo)) == 0
    event = db.session.scalar(select(AccessLog))
    assert event.radar_user_id is None and event.company_id == admin.company_id


def test_delete_radar_user_tenancy(api, make, radar):
    admin = make.admin()
    theirs = radar.user(make.company())
    assert body(api.as_(admin).post(f"{BASE}/delete/{theirs.id}"))["code"] == 302
    assert body(api.as_(admin).post(f"{BASE}/delete/9999"))["code"] == 302
    assert db.session.get(RadarUser, theirs.id) is not None


def test_added_and_updated_users_reach_wechat_work(api, make, linked_company, sandbox):
    """With the address book connected, admin-side changes are pushed there too (the hooks seam)."""
    admin = make.admin(linked_company)
    client = api.as_(admin)
    payload = body(client.post(f"{BASE}/add/0", _form(userid="pushed1", wechat_phone="13911112222")))
    assert payload["code"] == 200
    assert body(client.post(f"{BASE}/update/{payload['data']['id']}", _form(username="新名字")))["code"] == 200
    wait_for_jobs()  # the two pushes, in order
    member = {m["userid"]: m for m in sandbox.corp(CORP_ID)["members"]}["pushed1"]
    assert member["name"] == "新名字"
