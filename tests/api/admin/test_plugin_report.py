"""8.5–8.9 activities and sign-ups, with tenancy."""

from datetime import datetime

from app.extensions import db
from app.models.plugin import Activity, ActivitySignUp
from tests.conftest import body

BASE = "/zhugeleida/admin/plugin_report"
FORM = {
    "ad_slogan": "你值得拥有",
    "sign_up_button": "点我报名",
    "title": "团购vue视频",
    "introduce": "犹豫就没了",
    "is_get_phone_code": "False",
    "leave_message": "留言提示",
    "skip_link": "http://api.zhugeyingxiao.com/zhugeleida/admin/company",
}
SIGN_UP = {"customer_name": "FFFFF", "phone": "13020002341", "leave_message": "不错哦!!!"}


def test_index_shape_counts_and_name_list(api, make, pa_make):
    admin = make.admin(username="张聪")
    activity = pa_make.activity(admin, read_count=19, create_date=datetime(2018, 7, 31, 5, 52, 30))
    customer = pa_make.customer(admin.company, nickname="微信昵称")
    pa_make.sign_up(activity, phone="13000000001", name="FFFFF", sign_up_time=datetime(2018, 7, 31, 8, 37))
    pa_make.sign_up(activity, phone="13000000002", customer=customer)
    for n in range(3, 5):
        pa_make.sign_up(activity, phone=f"1300000000{n}")
    payload = body(api.as_(admin).get(BASE))
    assert payload["code"] == 200 and payload["data"]["data_count"] == 1
    item = payload["data"]["ret_data"][0]
    assert item["id"] == activity.id
    assert (item["belong_user_id"], item["belong_user"]) == (admin.id, "张聪")
    assert (item["read_count"], item["join_num"], item["convert_pr"]) == (19, 4, "0.21")
    assert item["create_date"] == "2018-07-31 13:52"
    assert item["is_get_phone_code"] is False
    for key in ("ad_slogan", "sign_up_button", "title", "introduce", "skip_link", "leave_message"):
        assert key in item
    first, second = item["name_list"][:2]
    assert first == {
        "customer_name": "FFFFF",
        "customer_phone": "13000000001",
        "sign_up_time": "2018-07-31T16:37:00.000",
        "leave_message": "留言",
    }
    assert second["customer_name"] == "微信昵称"


def test_index_convert_pr_before_any_read(api, make, pa_make):
    admin = make.admin()
    pa_make.activity(admin)
    item = body(api.as_(admin).get(BASE))["data"]["ret_data"][0]
    assert (item["read_count"], item["join_num"], item["convert_pr"], item["name_list"]) == (0, 0, "0.00", [])


def test_index_scoped_and_paged(api, make, pa_make):
    a, b = make.admin(), make.admin()
    for _ in range(3):
        pa_make.activity(a)
    pa_make.activity(b)
    payload = body(api.as_(a).get(BASE, {"length": 2}))
    assert payload["data"]["data_count"] == 3 and len(payload["data"]["ret_data"]) == 2
    assert body(api.as_(make.superadmin()).get(BASE))["data"]["data_count"] == 4


def test_index_query_count_is_constant(api, make, pa_make, count_queries):
    admin = make.admin()
    client = api.as_(admin)
    pa_make.sign_up(pa_make.activity(admin))
    with count_queries() as few:
        client.get(BASE)
    for _ in range(5):
        activity = pa_make.activity(admin)
        pa_make.sign_up(activity)
        pa_make.sign_up(activity, customer=pa_make.customer(admin.company))
    with count_queries() as many:
        client.get(BASE)
    assert many() == few()


def test_add_activity(api, make):
    admin = make.admin()
    payload = body(api.as_(admin).post(f"{BASE}/add/0", FORM))
    assert (payload["code"], payload["msg"]) == (200, "添加成功")
    activity = db.session.get(Activity, payload["data"]["id"])
    assert (activity.company_id, activity.owner_id, activity.title) == (admin.company_id, admin.id, "团购vue视频")
    assert activity.is_get_phone_code is False and activity.leave_message == "留言提示"


def test_add_activity_errors(api, make, pa_make):
    admin = make.admin()
    pa_make.activity(admin, title="已有活动")
    client = api.as_(admin)
    assert body(client.post(f"{BASE}/add/0", {**FORM, "title": "已有活动"}))["code"] == 300
    assert body(client.post(f"{BASE}/add/0", {**FORM, "title": ""}))["code"] == 303
    assert body(client.post(f"{BASE}/add/0", {**FORM, "is_get_phone_code": "maybe"}))["code"] == 301
    assert body(client.post(f"{BASE}/add/0", {**FORM, "skip_link": "x" * 513}))["code"] == 303
    assert db.session.query(Activity).count() == 1


def test_same_title_in_another_company_is_fine(api, make, pa_make):
    pa_make.activity(make.admin(), title="团购vue视频")
    assert body(api.as_(make.admin()).post(f"{BASE}/add/0", FORM))["code"] == 200


def test_update_activity(api, make, pa_make):
    admin = make.admin()
    activity = pa_make.activity(admin, title="旧标题")
    payload = body(api.as_(admin).post(f"{BASE}/update/{activity.id}", {"title": "新标题", "is_get_phone_code": 1}))
    assert (payload["code"], payload["msg"]) == (200, "修改成功")
    db.session.refresh(activity)
    assert (activity.title, activity.is_get_phone_code, activity.ad_slogan) == ("新标题", True, "你值得拥有")
    # keeping its own title is not a duplicate
    assert body(api.as_(admin).post(f"{BASE}/update/{activity.id}", {"title": "新标题"}))["code"] == 200


def test_update_activity_errors_and_tenancy(api, make, pa_make):
    admin, other = make.admin(), make.admin()
    mine = pa_make.activity(admin)
    pa_make.activity(admin, title="占用")
    theirs = pa_make.activity(other, title="别人的")
    client = api.as_(admin)
    assert body(client.post(f"{BASE}/update/{mine.id}", {"title": "占用"}))["code"] == 300
    assert body(client.post(f"{BASE}/update/{mine.id}", {"title": " "}))["code"] == 303
    assert body(client.post(f"{BASE}/update/99999", FORM))["code"] == 302
    assert body(client.post(f"{BASE}/update/{theirs.id}", FORM))["code"] == 302
    db.session.refresh(theirs)
    assert theirs.title == "别人的"


def test_delete_activity_removes_sign_ups(api, make, pa_make):
    admin, other = make.admin(), make.admin()
    activity, theirs = pa_make.activity(admin), pa_make.activity(other)
    pa_make.sign_up(activity)
    client = api.as_(admin)
    assert body(client.post(f"{BASE}/delete/{theirs.id}"))["code"] == 302
    assert body(client.post(f"{BASE}/delete/99999"))["code"] == 302
    assert body(client.post(f"{BASE}/delete/{activity.id}"))["code"] == 200
    assert db.session.query(Activity.id).all() == [(theirs.id,)]
    assert db.session.query(ActivitySignUp).count() == 0


def test_sign_up_activity(api, make, pa_make):
    admin = make.admin()
    activity = pa_make.activity(admin)
    payload = body(api.as_(admin).post(f"{BASE}/sign_up_activity/{activity.id}", {**SIGN_UP, "phone_verify_code": 1}))
    assert (payload["code"], payload["msg"]) == (200, "报名成功")
    entry = db.session.get(ActivitySignUp, payload["data"]["id"])
    assert (entry.name, entry.phone, entry.leave_message) == ("FFFFF", "13020002341", "不错哦!!!")
    assert (entry.company_id, entry.recorder_id, entry.customer_id) == (admin.company_id, admin.id, None)
    item = body(api.as_(admin).get(BASE))["data"]["ret_data"][0]
    assert item["join_num"] == 1 and item["name_list"][0]["customer_name"] == "FFFFF"


def test_sign_up_activity_once_per_phone(api, make, pa_make):
    admin = make.admin()
    first, second = pa_make.activity(admin), pa_make.activity(admin)
    client = api.as_(admin)
    assert body(client.post(f"{BASE}/sign_up_activity/{first.id}", SIGN_UP))["code"] == 200
    repeat = body(client.post(f"{BASE}/sign_up_activity/{first.id}", {**SIGN_UP, "customer_name": "又来"}))
    assert repeat["code"] == 300
    assert body(client.post(f"{BASE}/sign_up_activity/{second.id}", SIGN_UP))["code"] == 200
    assert db.session.query(ActivitySignUp).count() == 2


def test_sign_up_activity_errors_and_tenancy(api, make, pa_make):
    admin = make.admin()
    activity = pa_make.activity(admin)
    theirs = pa_make.activity(make.admin())
    client = api.as_(admin)
    url = f"{BASE}/sign_up_activity/{activity.id}"
    bad_phone = body(client.post(url, {**SIGN_UP, "phone": "130200023412"}))
    assert bad_phone["code"] == 303 and bad_phone["msg"].startswith("手机号")
    assert body(client.post(url, {**SIGN_UP, "phone": "1302000234a"}))["code"] == 303
    assert body(client.post(url, {"phone": "13020002341"}))["code"] == 303
    assert body(client.post(url, {"customer_name": "FFFFF"}))["code"] == 303
    assert body(client.post(url, json={**SIGN_UP, "phone": 13020002341}))["code"] == 301
    assert body(client.post(f"{BASE}/sign_up_activity/99999", SIGN_UP))["code"] == 302
    assert body(client.post(f"{BASE}/sign_up_activity/{theirs.id}", SIGN_UP))["code"] == 302
    assert db.session.query(ActivitySignUp).count() == 0
    # leave_message is optional for an admin recording the sign-up
    no_message = {k: v for k, v in SIGN_UP.items() if k != "leave_message"}
    assert body(client.post(url, no_message))["code"] == 200
