"""The customer's activity page: the activity, its form fields and counts, the radar user's card; a view is
counted on 8.5's read_count."""

import pytest

from app.extensions import db
from app.models.plugin import Activity
from tests.conftest import body

URL = "/zhugeleida/gongzhonghao/plugin_report/activity/{}"


def _read(activity_id):
    db.session.expire_all()
    return db.session.get(Activity, activity_id).read_count


@pytest.fixture
def activity(h5, pa_make):
    return pa_make.activity(
        h5.admin,
        title="新品发布会",
        introduce="欢迎参加",
        activity_time="2026-12-01 14:00-17:00",
        place="深圳南山",
        leave_message="想了解什么？",
        skip_link="https://example.com/next",
    )


def test_activity_page_shape(api, h5, pa_make, activity):
    pa_make.sign_up(activity)
    payload = body(api.as_(h5.customer).get(URL.format(activity.id), {"uid": h5.user.id}))
    assert (payload["code"], payload["msg"]) == (200, "查询成功")
    data = payload["data"]["ret_data"]
    card = data.pop("user_card")
    assert data == {
        "id": activity.id,
        "title": "新品发布会",
        "ad_slogan": "你值得拥有",
        "introduce": "欢迎参加",
        "activity_time": "2026-12-01 14:00-17:00",
        "place": "深圳南山",
        "sign_up_button": "点我报名",
        "is_get_phone_code": False,
        "leave_message": "想了解什么？",
        "skip_link": "https://example.com/next",
        "read_count": 1,
        "join_num": 1,
        "signed_up": False,
        "form_fields": [
            {"name": "customer_name", "label": "姓名", "required": True, "max_length": 64},
            {"name": "phone", "label": "手机号", "required": True, "max_length": 11},
            {"name": "leave_message", "label": "想了解什么？", "required": False, "max_length": 500},
        ],
    }
    assert card["uid"] == h5.user.id and card["username"] == "雷达甲"


def test_phone_code_field_when_the_activity_needs_it(api, h5, pa_make):
    activity = pa_make.activity(h5.admin, is_get_phone_code=True)
    data = body(api.as_(h5.customer).get(URL.format(activity.id)))["data"]["ret_data"]
    assert data["is_get_phone_code"] is True
    assert [f["name"] for f in data["form_fields"]] == ["customer_name", "phone", "phone_verify_code", "leave_message"]
    assert data["user_card"] is None  # no uid: no card


def test_each_view_counts_a_read_shown_in_8_5(api, h5, activity):
    client = api.as_(h5.customer)
    for expected in (1, 2, 3):
        assert body(client.get(URL.format(activity.id)))["data"]["ret_data"]["read_count"] == expected
    assert _read(activity.id) == 3
    listed = body(api.as_(h5.admin).get("/zhugeleida/admin/plugin_report"))["data"]["ret_data"][0]
    assert listed["read_count"] == 3 and listed["place"] == "深圳南山"


def test_signed_up_after_the_customers_own_sign_up(api, h5, activity):
    client = api.as_(h5.customer)
    form = {"customer_name": "王五", "phone": "13020002341"}
    sign_up = "/zhugeleida/gongzhonghao/plugin_report/sign_up_activity/{}"
    assert body(client.post(sign_up.format(activity.id), form))["code"] == 200
    data = body(client.get(URL.format(activity.id)))["data"]["ret_data"]
    assert data["signed_up"] is True and data["join_num"] == 1
    other = h5.customer_()
    assert body(api.as_(other).get(URL.format(activity.id)))["data"]["ret_data"]["signed_up"] is False


def test_another_companys_activity_or_radar_user_is_302_and_not_counted(api, make, radar, pa_make, h5, activity):
    other_admin = make.admin()
    foreign = pa_make.activity(other_admin)
    client = api.as_(h5.customer)
    assert body(client.get(URL.format(foreign.id)))["code"] == 302
    assert body(client.get(URL.format(999999)))["code"] == 302
    assert body(client.get(URL.format(activity.id), {"uid": radar.user(other_admin.company).id}))["code"] == 302
    assert _read(foreign.id) == 0 and _read(activity.id) == 0


@pytest.mark.parametrize(("query", "code"), [({"uid": "x"}, 301), ({"uid": "0"}, 303)])
def test_bad_uid(api, h5, activity, query, code):
    assert body(api.as_(h5.customer).get(URL.format(activity.id), query))["code"] == code


def test_activity_page_needs_a_customer(api, h5, activity):
    assert body(api.get(URL.format(activity.id)))["code"] == 400
    assert body(api.as_(h5.admin).get(URL.format(activity.id)))["code"] == 400
    assert body(api.as_(h5.user).get(URL.format(activity.id)))["code"] == 400


def test_admin_can_set_time_and_place(api, h5):
    client = api.as_(h5.admin)
    form = {"title": "周年庆", "activity_time": "12月1日下午", "place": "总部"}
    assert body(client.post("/zhugeleida/admin/plugin_report/add/0", form))["code"] == 200
    listed = body(client.get("/zhugeleida/admin/plugin_report"))["data"]["ret_data"][0]
    assert (listed["activity_time"], listed["place"]) == ("12月1日下午", "总部")
    too_long = {"title": "x", "place": "地" * 256}
    assert body(client.post("/zhugeleida/admin/plugin_report/add/0", too_long))["code"] == 303
