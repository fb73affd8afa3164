"""The radar user's card page (H5): the card as on 15.1 and the company's activities; nothing is recorded."""

import pytest

from app.extensions import db
from app.models.plugin import Activity
from app.models.radar import RADAR_DISABLED
from tests.conftest import body

URL = "/zhugeleida/gongzhonghao/card/{}"


def test_card_page_shape(api, h5, pa_make):
    first = pa_make.activity(h5.admin, title="新品发布会")
    second = pa_make.activity(h5.admin, title="周年庆")
    payload = body(api.as_(h5.customer).get(URL.format(h5.user.id)))
    assert (payload["code"], payload["msg"]) == (200, "查询成功")
    data = payload["data"]["ret_data"]
    assert data["activities"] == [{"id": second.id, "title": "周年庆"}, {"id": first.id, "title": "新品发布会"}]
    card = data["user_card"]
    assert card["uid"] == h5.user.id and card["username"] == "雷达甲"
    assert set(card) == {
        "uid", "username", "avatar", "position", "mingpian_phone", "wechat", "email", "qr_code", "company_name",
    }  # fmt: skip
    assert card["company_name"] == h5.user.company.name


def test_viewing_a_card_records_nothing(api, h5, pa_make):
    activity = pa_make.activity(h5.admin)
    assert body(api.as_(h5.customer).get(URL.format(h5.user.id)))["code"] == 200
    db.session.expire_all()
    assert db.session.get(Activity, activity.id).read_count == 0


def test_another_companys_unknown_or_disabled_radar_user_is_302(api, make, radar, pa_make, h5):
    other_admin = make.admin()
    pa_make.activity(other_admin, title="乙的活动")
    client = api.as_(h5.customer)
    assert body(client.get(URL.format(radar.user(other_admin.company).id)))["code"] == 302
    assert body(client.get(URL.format(999999)))["code"] == 302
    h5.user.status = RADAR_DISABLED
    db.session.commit()
    assert body(client.get(URL.format(h5.user.id)))["code"] == 302


def test_only_the_customers_company_activities(api, make, pa_make, h5):
    pa_make.activity(make.admin(), title="乙的活动")
    data = body(api.as_(h5.customer).get(URL.format(h5.user.id)))["data"]["ret_data"]
    assert data["activities"] == []


def test_query_count_is_constant(api, h5, pa_make, count_queries):
    client = api.as_(h5.customer)
    pa_make.activity(h5.admin, title="一")
    with count_queries() as few:
        assert body(client.get(URL.format(h5.user.id)))["code"] == 200
    for n in range(6):
        pa_make.activity(h5.admin, title=f"活动{n}")
    with count_queries() as many:
        assert len(body(client.get(URL.format(h5.user.id)))["data"]["ret_data"]["activities"]) == 7
    assert many() == few()


@pytest.mark.parametrize("who", [None, "admin", "user"])
def test_card_page_needs_a_customer(api, h5, who):
    client = api if who is None else api.as_(getattr(h5, who))
    assert body(client.get(URL.format(h5.user.id)))["code"] == 400
