"""8.1–8.4 plugin business cards, with tenancy."""

from datetime import datetime

from app.extensions import db
from app.models.plugin import MingpianCard
from tests.conftest import body

BASE = "/zhugeleida/admin/plugin_mingpian"
FORM = {
    "name": "高老庄团体",
    "avatar": "statics/zhugeleida/imgs/admin/plugin/a.jpg",
    "username": "猪八戒",
    "phone": "13020006631",
    "webchat_code": "statics/zhugeleida/imgs/admin/plugin/qr.jpg",
    "position": "打呼噜",
}


def test_index_shape_and_date_format(api, make, pa_make):
    admin = make.admin()
    card = pa_make.card(admin, create_date=datetime(2018, 8, 2, 7, 46, 2))
    payload = body(api.as_(admin).get(BASE))
    assert payload["code"] == 200 and payload["data"]["data_count"] == 1
    item = payload["data"]["ret_data"][0]
    assert item == {
        "mingpian_id": card.id,
        "name": card.name,
        "username": card.username,
        "phone": "13800000000",
        "create_date": "2018-08-02T15:46:02.000",
        "avatar": None,
        "webchat_code": None,
        "position": "销售",
    }


def test_index_scoped_paged_and_superadmin_sees_all(api, make, pa_make):
    a, b = make.admin(), make.admin()
    for _ in range(3):
        pa_make.card(a)
    pa_make.card(b)
    payload = body(api.as_(a).get(BASE, {"current_page": 2, "length": 2}))
    assert payload["data"]["data_count"] == 3 and len(payload["data"]["ret_data"]) == 1
    root = make.superadmin()
    assert body(api.as_(root).get(BASE))["data"]["data_count"] == 4
    assert body(api.as_(root).get(BASE, {"company_id": b.company_id}))["data"]["data_count"] == 1
    # a company admin cannot widen its view with company_id
    assert body(api.as_(a).get(BASE, {"company_id": b.company_id}))["data"]["data_count"] == 3
    assert body(api.as_(a).get(BASE, {"length": 101}))["code"] == 303
    assert body(api.as_(a).get(BASE, {"current_page": "x"}))["code"] == 301


def test_index_query_count_is_constant(api, make, pa_make, count_queries):
    admin = make.admin()
    client = api.as_(admin)
    pa_make.card(admin)
    with count_queries() as few:
        client.get(BASE)
    for _ in range(8):
        pa_make.card(admin)
    with count_queries() as many:
        client.get(BASE)
    assert many() == few()


def test_add_card(api, make):
    admin = make.admin()
    payload = body(api.as_(admin).post(f"{BASE}/add/0", FORM))
    assert (payload["code"], payload["msg"]) == (200, "添加成功")
    card = db.session.get(MingpianCard, payload["data"]["id"])
    assert (card.company_id, card.owner_id, card.username, card.phone) == (
        admin.company_id,
        admin.id,
        "猪八戒",
        "13020006631",
    )


def test_add_card_errors(api, make):
    client = api.as_(make.admin())
    missing = body(client.post(f"{BASE}/add/0", {**FORM, "username": "  "}))
    assert missing["code"] == 303 and missing["msg"].startswith("姓名")
    assert body(client.post(f"{BASE}/add/0", {k: v for k, v in FORM.items() if k != "name"}))["code"] == 303
    assert body(client.post(f"{BASE}/add/0", {**FORM, "phone": "call me"}))["code"] == 303
    assert body(client.post(f"{BASE}/add/0", {**FORM, "position": "x" * 65}))["code"] == 303
    assert body(client.post(f"{BASE}/add/0", json={**FORM, "username": 12}))["code"] == 301
    assert db.session.query(MingpianCard).count() == 0


def test_update_card_changes_only_given_fields(api, make, pa_make):
    admin = make.admin()
    card = pa_make.card(admin)
    payload = body(api.as_(admin).post(f"{BASE}/update/{card.id}", {"username": "孙悟空", "phone": ""}))
    assert (payload["code"], payload["msg"]) == (200, "修改成功")
    db.session.refresh(card)
    assert (card.username, card.phone, card.position) == ("孙悟空", "", "销售")


def test_update_card_errors_and_tenancy(api, make, pa_make):
    admin, other = make.admin(), make.admin()
    mine, theirs = pa_make.card(admin), pa_make.card(other, username="别人")
    client = api.as_(admin)
    assert body(client.post(f"{BASE}/update/{mine.id}", {"username": ""}))["code"] == 303
    assert body(client.post(f"{BASE}/update/99999", FORM))["code"] == 302
    assert body(client.post(f"{BASE}/update/{theirs.id}", FORM))["code"] == 302
    db.session.refresh(theirs)
    assert theirs.username == "别人"
    assert body(api.as_(make.superadmin()).post(f"{BASE}/update/{theirs.id}", FORM))["code"] == 200


def test_delete_card_and_tenancy(api, make, pa_make):
    admin, other = make.admin(), make.admin()
    mine, theirs = pa_make.card(admin), pa_make.card(other)
    client = api.as_(admin)
    assert body(client.post(f"{BASE}/delete/{theirs.id}"))["code"] == 302
    assert body(client.post(f"{BASE}/delete/99999"))["code"] == 302
    assert body(client.post(f"{BASE}/delete/{mine.id}"))["code"] == 200
    assert db.session.query(MingpianCard.id).all() == [(theirs.id,)]


def test_member_role_may_use_cards(api, make):
    member = make.member()
    assert body(api.as_(member).get(BASE))["code"] == 200
    assert body(api.as_(member).post(f"{BASE}/add/0", FORM))["code"] == 200


def test_delete_is_post_only(api, make, pa_make):
    admin = make.admin()
    card = pa_make.card(admin)
    response = api.as_(admin).get(f"{BASE}/delete/{card.id}")
    assert response.status_code == 405 and body(response)["code"] == 402
    assert db.session.get(MingpianCard, card.id) is not None
