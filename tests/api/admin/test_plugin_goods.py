"""8.10–8.13 goods, served at /plugin_goods and /plugin_goods/plugin_goods_list, with tenancy."""

import json
from datetime import datetime

import pytest

from app.extensions import db
from app.models.plugin import Goods
from tests.conftest import body
from tests.fixtures.articles import GOODS_CONTENT

BASE = "/zhugeleida/admin/plugin_goods"
CONTENT = {
    "goods_data": [
        {"price": 128, "introduce": "7月26日开售", "inventory_num": 10, "person_limit_num": 2},
        {"price": 500.5, "introduce": "7月28日开售", "inventory_num": 0, "person_limit_num": 1},
    ],
    "cover_data": [{"type": "picture_url", "data": ["statics/zhugeleida/imgs/qiyeweixin/product/pbmh_s1.png"]}],
}


def _form(**overrides):
    form = {"title": "林俊杰演唱会套票", "content": json.dumps(CONTENT)}
    form.update(overrides)
    return form


@pytest.mark.parametrize("path", [BASE, f"{BASE}/plugin_goods_list"])
def test_index_shape_at_both_urls(api, make, pa_make, path):
    admin = make.admin()
    goods = pa_make.goods(admin, create_date=datetime(2018, 8, 2, 9, 24, 2))
    payload = body(api.as_(admin).get(path))
    assert (payload["code"], payload["msg"]) == (200, "查询成功")
    assert payload["data"] == {
        "ret_data": [
            {
                "goods_id": goods.id,
                "title": goods.title,
                "content": GOODS_CONTENT,
                "create_date": "2018-08-02T17:24:02.000",
            }
        ],
        "data_count": 1,
    }


def test_index_scoped_and_paged(api, make, pa_make):
    a, b = make.admin(), make.admin()
    for _ in range(3):
        pa_make.goods(a)
    pa_make.goods(b)
    payload = body(api.as_(a).get(BASE, {"current_page": 2, "length": 2}))
    assert payload["data"]["data_count"] == 3 and len(payload["data"]["ret_data"]) == 1
    assert body(api.as_(make.superadmin()).get(BASE))["data"]["data_count"] == 4


def test_index_query_count_is_constant(api, make, pa_make, count_queries):
    admin = make.admin()
    client = api.as_(admin)
    pa_make.goods(admin)
    with count_queries() as few:
        client.get(BASE)
    for _ in range(6):
        pa_make.goods(admin)
    with count_queries() as many:
        client.get(BASE)
    assert many() == few()


def test_add_goods_from_form_and_json(api, make):
    admin = make.admin()
    client = api.as_(admin)
    payload = body(client.post(f"{BASE}/add/0", _form()))
    assert (payload["code"], payload["msg"]) == (200, "添加成功")
    goods = db.session.get(Goods, payload["data"]["id"])
    assert (goods.company_id, goods.owner_id, goods.content) == (admin.company_id, admin.id, CONTENT)
    as_json = body(client.post(f"{BASE}/add/0", json={"title": "套票2", "content": CONTENT}))
    assert as_json["code"] == 200
    assert db.session.get(Goods, as_json["data"]["id"]).content["goods_data"][0]["price"] == 128


def _with_item(**item):
    return json.dumps({"goods_data": [{**CONTENT["goods_data"][0], **item}]})


@pytest.mark.parametrize(
    ("content", "code", "where"),
    [
        (_with_item(price=-1), 303, "商品内容.goods_data[0].price"),
        (_with_item(price=1.234), 303, "goods_data[0].price"),
        (_with_item(price="abc"), 301, "goods_data[0].price"),
        (_with_item(inventory_num=-1), 303, "goods_data[0].inventory_num"),
        (_with_item(person_limit_num=0), 303, "goods_data[0].person_limit_num"),
        (_with_item(inventory_num="many"), 301, "goods_data[0].inventory_num"),
        (json.dumps({"goods_data": [{"price": 1, "inventory_num": 1}]}), 303, "person_limit_num"),
        (json.dumps({"goods_data": []}), 303, "goods_data"),
        (json.dumps({"cover_data": []}), 303, "goods_data"),
        (json.dumps({"goods_data": "x"}), 301, "goods_data"),
        (
            json.dumps({"goods_data": CONTENT["goods_data"], "cover_data": [{"type": "video", "data": []}]}),
            303,
            "cover_data[0].type",
        ),
        ("{not json", 301, "商品内容"),
        ("[1, 2]", 301, "商品内容"),
    ],
)
def test_add_goods_content_validation(api, make, content, code, where):
    payload = body(api.as_(make.admin()).post(f"{BASE}/add/0", _form(content=content)))
    assert payload["code"] == code and where in payload["msg"], payload
    assert db.session.query(Goods).count() == 0


def test_add_goods_missing_fields(api, make):
    client = api.as_(make.admin())
    assert body(client.post(f"{BASE}/add/0", {"content": json.dumps(CONTENT)}))["code"] == 303
    assert body(client.post(f"{BASE}/add/0", {"title": "x"}))["code"] == 303
    assert db.session.query(Goods).count() == 0


def test_update_goods(api, make, pa_make):
    admin = make.admin()
    goods = pa_make.goods(admin)
    payload = body(api.as_(admin).post(f"{BASE}/update/{goods.id}", _form(title="新标题")))
    assert (payload["code"], payload["msg"]) == (200, "修改成功")
    db.session.refresh(goods)
    assert (goods.title, goods.content) == ("新标题", CONTENT)
    assert body(api.as_(admin).post(f"{BASE}/update/{goods.id}", {"title": "只改标题"}))["code"] == 200
    db.session.refresh(goods)
    assert (goods.title, goods.content) == ("只改标题", CONTENT)


def test_update_goods_errors_and_tenancy(api, make, pa_make):
    admin = make.admin()
    mine, theirs = pa_make.goods(admin), pa_make.goods(make.admin(), title="别人的")
    client = api.as_(admin)
    assert body(client.post(f"{BASE}/update/{mine.id}", _form(content=_with_item(price=-5))))["code"] == 303
    db.session.refresh(mine)
    assert mine.content == GOODS_CONTENT
    assert body(client.post(f"{BASE}/update/99999", _form()))["code"] == 302
    assert body(client.post(f"{BASE}/update/{theirs.id}", _form()))["code"] == 302
    db.session.refresh(theirs)
    assert theirs.title == "别人的"


def test_delete_goods_and_tenancy(api, make, pa_make):
    admin = make.admin()
    mine, theirs = pa_make.goods(admin), pa_make.goods(make.admin())
    client = api.as_(admin)
    assert body(client.post(f"{BASE}/delete/{theirs.id}"))["code"] == 302
    assert body(client.post(f"{BASE}/delete/99999"))["code"] == 302
    assert body(client.post(f"{BASE}/delete/{mine.id}"))["code"] == 200
    assert db.session.query(Goods.id).all() == [(theirs.id,)]
