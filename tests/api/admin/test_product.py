"""2.1–2.5, 2.9 products: shapes, filters, validation, roles and tenancy."""

import json
import re

import pytest

from app.extensions import db
from app.models.product import Product
from tests.conftest import body
from tests.fixtures.content import sample_content

BASE = "/zhugeleida/admin/product"


def _form(**overrides):
    form = {"name": "门票", "price": "280-1280", "reason": "一起度过美好时光", "content": json.dumps(sample_content())}
    form.update(overrides)
    return form


def _count(**filters) -> int:
    db.session.expire_all()
    return db.session.query(Product).filter_by(**filters).count()


# --- 2.1 product_list -----------------------------------------------------------------------


def test_product_list_company_products_shape(api, make, content_factory):
    admin = make.admin()
    product = content_factory.product(admin.company, name="门票2", price="128")
    payload = body(api.as_(admin).get(f"{BASE}/product_list", {"product_type": 1}))
    assert payload["code"] == 200 and payload["data"]["data_count"] == 1
    item = payload["data"]["ret_data"][0]
    assert item["product_id"] == product.id and item["name"] == "门票2" and item["price"] == "128"
    assert item["content"] == {"cover_data": sample_content()["cover_data"]}
    assert item["publisher"] == admin.company.name
    assert (item["status"], item["status_code"]) == ("已发布", 1)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", item["publisher_date"])


def test_product_list_personal_products_show_owner(api, make, content_factory):
    admin = make.admin()
    owner = content_factory.radar_user(admin.company, username="张聪")
    content_factory.product(owner=owner)
    content_factory.product(admin.company)
    payload = body(api.as_(admin).get(f"{BASE}/product_list", {"product_type": 2}))
    assert payload["data"]["data_count"] == 1
    assert payload["data"]["ret_data"][0]["publisher"] == "张聪"


def test_product_list_status_filter(api, make, content_factory):
    admin = make.admin()
    published = content_factory.product(admin.company, status=1)
    recommended = content_factory.product(admin.company, status=3)
    off = content_factory.product(admin.company, status=2)
    client = api.as_(admin)

    def ids(**query):
        return {
            i["product_id"]
            for i in body(client.get(f"{BASE}/product_list", {"product_type": 1, **query}))["data"]["ret_data"]
        }

    assert ids() == {published.id, recommended.id}
    assert ids(status=1) == {published.id, recommended.id}
    assert ids(status=2) == {off.id}


def test_product_list_name_search_and_order(api, make, content_factory):
    admin = make.admin()
    low = content_factory.product(admin.company, name="篮球门票", recommend_index=1)
    high = content_factory.product(admin.company, name="足球门票", recommend_index=9)
    newest = content_factory.product(admin.company, name="新门票", recommend_index=1)
    content_factory.product(admin.company, name="演唱会")
    content_factory.product(admin.company, name="100%_门")
    client = api.as_(admin)
    items = body(client.get(f"{BASE}/product_list", {"product_type": 1, "product_name": "门票"}))["data"]["ret_data"]
    assert [i["product_id"] for i in items] == [high.id, newest.id, low.id]
    wildcard = body(client.get(f"{BASE}/product_list", {"product_type": 1, "product_name": "%_"}))["data"]
    assert wildcard["data_count"] == 1  # LIKE wildcards are searched for literally


def test_product_list_pages(api, make, content_factory):
    admin = make.admin()
    for _ in range(5):
        content_factory.product(admin.company)
    data = body(api.as_(admin).get(f"{BASE}/product_list", {"product_type": 1, "current_page": 2, "length": 2}))["data"]
    assert data["data_count"] == 5 and len(data["ret_data"]) == 2


def test_product_list_errors(api, make):
    client = api.as_(make.admin())
    assert body(client.get(f"{BASE}/product_list"))["code"] == 303
    assert body(client.get(f"{BASE}/product_list", {"product_type": 3}))["code"] == 303
    assert body(client.get(f"{BASE}/product_list", {"product_type": "x"}))["code"] == 301
    assert body(client.get(f"{BASE}/product_list", {"product_type": 1, "status": 5}))["code"] == 303
    assert body(client.get(f"{BASE}/product_list", {"product_type": 1, "length": 101}))["code"] == 303


def test_product_list_tenancy(api, make, content_factory):
    one, two = make.company(), make.company()
    content_factory.product(one)
    mine = content_factory.product(two)
    admin = make.admin(two)
    payload = body(api.as_(admin).get(f"{BASE}/product_list", {"product_type": 1}))
    assert [i["product_id"] for i in payload["data"]["ret_data"]] == [mine.id]
    other = body(api.as_(admin).get(f"{BASE}/product_list", {"product_type": 1, "company_id": one.id}))
    assert other["code"] == 302


def test_product_list_superadmin_sees_all_or_filters(api, make, content_factory):
    one, two = make.company(), make.company()
    a = content_factory.product(one)
    b = content_factory.product(two)
    client = api.as_(make.superadmin())
    everything = body(client.get(f"{BASE}/product_list", {"product_type": 1}))["data"]["ret_data"]
    assert {i["product_id"] for i in everything} == {a.id, b.id}
    only_two = body(client.get(f"{BASE}/product_list", {"product_type": 1, "company_id": two.id}))["data"]
    assert [i["product_id"] for i in only_two["ret_data"]] == [b.id]


def test_product_list_query_count_is_constant(api, make, content_factory, count_queries):
    admin = make.admin()
    client = api.as_(admin)
    owner = content_factory.radar_user(admin.company)
    content_factory.product(owner=owner)
    with count_queries() as few:
        client.get(f"{BASE}/product_list", {"product_type": 2})
    for _ in range(8):
        content_factory.product(owner=content_factory.radar_user(admin.company))
    with count_queries() as many:
        payload = body(client.get(f"{BASE}/product_list", {"product_type": 2}))
    assert payload["data"]["data_count"] == 9
    assert many() == few()


# --- 2.2 product_single ---------------------------------------------------------------------


def test_product_single_full_content(api, make, content_factory):
    admin = make.admin()
    owner = content_factory.radar_user(admin.company, username="张炬", avatar="statics/a.jpg")
    product = content_factory.product(owner=owner, reason="有理想")
    query = {"product_id": product.id, "product_type": 2}
    payload = body(api.as_(admin).get(f"{BASE}/product_single", query))
    assert payload["code"] == 200 and payload["data"]["data_count"] == 1
    item = payload["data"]["ret_data"][0]
    assert item["id"] == product.id and item["content"] == sample_content() and item["reason"] == "有理想"
    assert item["publisher"] == "张炬添加的" and item["user_avatar"] == "statics/a.jpg"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?", item["publisher_date"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", item["create_date"])
    assert (item["status"], item["status_code"]) == ("已发布", 1)


def test_product_single_publisher_is_relative_to_viewer(api, make, content_factory):
    admin = make.admin()
    mine = content_factory.product(admin.company, creator_id=admin.id)
    company = content_factory.product(admin.company)
    client = api.as_(admin)

    def publisher(product):
        query = {"product_id": product.id, "product_type": 1}
        return body(client.get(f"{BASE}/product_single", query))["data"]["ret_data"][0]["publisher"]

    assert publisher(mine) == "我添加的"
    assert publisher(company) == "企业发布"


def test_product_single_errors(api, make, content_factory):
    admin = make.admin()
    product = content_factory.product(admin.company)
    client = api.as_(admin)
    assert body(client.get(f"{BASE}/product_single", {"product_type": 1}))["code"] == 303
    assert body(client.get(f"{BASE}/product_single", {"product_id": "x", "product_type": 1}))["code"] == 301
    assert body(client.get(f"{BASE}/product_single", {"product_id": 999999, "product_type": 1}))["code"] == 302
    # a company product asked for as a personal one does not exist as such
    assert body(client.get(f"{BASE}/product_single", {"product_id": product.id, "product_type": 2}))["code"] == 302


def test_product_single_other_company_is_302(api, make, content_factory):
    product = content_factory.product(make.company())
    intruder = make.admin()
    query = {"product_id": product.id, "product_type": 1}
    assert body(api.as_(intruder).get(f"{BASE}/product_single", query))["code"] == 302


# --- 2.3 add --------------------------------------------------------------------------------


def test_add_company_product_with_type_in_query(api, make):
    admin = make.admin()
    payload = body(api.as_(admin).post(f"{BASE}/add/0", _form(), query={"product_type": 1}))
    assert payload["code"] == 200 and payload["msg"] == "添加成功"
    product = db.session.get(Product, payload["data"]["id"])
    assert product.company_id == admin.company_id and product.owner_id is None and product.creator_id == admin.id
    assert product.content == sample_content() and product.status == 1 and product.recommend_index == 0


def test_add_with_type_in_form_and_json_body(api, make, content_factory):
    admin = make.admin()
    owner = content_factory.radar_user(admin.company)
    client = api.as_(admin)
    payload = body(client.post(f"{BASE}/add/0", _form(product_type=2, owner_id=owner.id)))
    assert payload["code"] == 200
    assert db.session.get(Product, payload["data"]["id"]).owner_id == owner.id
    as_json = {"name": "球票", "price": 228, "reason": "好", "content": sample_content(), "product_type": 1}
    payload = body(client.post(f"{BASE}/add/0", json=as_json))
    assert payload["code"] == 200
    assert db.session.get(Product, payload["data"]["id"]).price == "228"


def test_add_without_content_stores_empty_blocks(api, make):
    admin = make.admin()
    form = _form(product_type=1)
    form.pop("content")
    payload = body(api.as_(admin).post(f"{BASE}/add/0", form))
    assert db.session.get(Product, payload["data"]["id"]).content == {"cover_data": [], "article_data": []}


def test_add_errors(api, make, content_factory):
    admin = make.admin()
    content_factory.product(admin.company, name="门票")
    client = api.as_(admin)
    assert body(client.post(f"{BASE}/add/0", _form(product_type=1)))["code"] == 300
    assert body(client.post(f"{BASE}/add/0", _form(name="新", product_type=3)))["code"] == 303
    assert body(client.post(f"{BASE}/add/0", _form(name="新")))["code"] == 303  # no product_type
    assert body(client.post(f"{BASE}/add/0", {"product_type": 1, "name": "新"}))["code"] == 303
    assert body(client.post(f"{BASE}/add/0", _form(name="新", product_type=1, content="{bad")))["code"] == 301
    personal = body(client.post(f"{BASE}/add/0", _form(name="新", product_type=2)))
    assert personal["code"] == 303 and "owner_id" in personal["msg"]
    assert body(client.post(f"{BASE}/add/0", _form(name="新", product_type=2, owner_id=999999)))["code"] == 302
    assert _count(name="新") == 0


@pytest.mark.parametrize(
    ("content", "where"),
    [
        ({"cover_data": [{"type": "video", "data": ["x"]}]}, "产品内容.cover_data[0].type"),
        ({"cover_data": "nope"}, "产品内容.cover_data"),
        ({"article_data": [{"type": "title", "data": "not a list"}]}, "产品内容.article_data[0].data"),
        ({"article_data": [{"type": "title", "data": ["ok", 5]}]}, "产品内容.article_data[0].data[1]"),
        ({"article_data": [{"type": "title", "data": ["ok"], "extra": 1}]}, "产品内容.article_data[0].extra"),
        ({"article_data": ["just text"]}, "产品内容.article_data[0]"),
        ({"cover_data": [{"type": "picture_url", "data": ["javascript:alert(1)"]}]}, "产品内容.cover_data[0].data[0]"),
        (
            {"cover_data": [{"type": "picture_url", "data": ["statics/../../etc/passwd"]}]},
            "产品内容.cover_data[0].data[0]",
        ),
        ({"other": []}, "产品内容.other"),
    ],
)
def test_add_bad_content_is_303_naming_the_element(api, make, content, where):
    admin = make.admin()
    payload = body(api.as_(admin).post(f"{BASE}/add/0", _form(product_type=1, content=json.dumps(content))))
    assert payload["code"] == 303
    assert payload["msg"].startswith(where + " ")
    assert _count() == 0


def test_add_accepts_http_picture_urls(api, make):
    content = {"cover_data": [{"type": "picture_url", "data": ["https://cdn.example.com/a.png"]}]}
    payload = body(api.as_(make.admin()).post(f"{BASE}/add/0", _form(product_type=1, content=json.dumps(content))))
    assert payload["code"] == 200


def test_add_for_another_company(api, make, content_factory):
    other = make.company()
    owner = content_factory.radar_user(other)
    admin = make.admin()
    client = api.as_(admin)
    assert body(client.post(f"{BASE}/add/0", _form(product_type=1, company_id=other.id)))["code"] == 302
    # a radar user of another company cannot own this company's product
    assert body(client.post(f"{BASE}/add/0", _form(product_type=2, owner_id=owner.id)))["code"] == 302
    assert _count() == 0
    root = api.as_(make.superadmin())
    payload = body(root.post(f"{BASE}/add/0", _form(product_type=2, company_id=other.id, owner_id=owner.id)))
    assert payload["code"] == 200
    assert db.session.get(Product, payload["data"]["id"]).company_id == other.id


def test_same_name_in_another_company_is_fine(api, make, content_factory):
    content_factory.product(make.company(), name="门票")
    assert body(api.as_(make.admin()).post(f"{BASE}/add/0", _form(product_type=1)))["code"] == 200


# --- 2.4 update -----------------------------------------------------------------------------


def test_update_product(api, make, content_factory):
    admin = make.admin()
    product = content_factory.product(admin.company)
    new_content = sample_content("statics/zhugeleida/imgs/qiyeweixin/product/new.png")
    form = _form(name="改名", price="99", reason="更好", content=json.dumps(new_content))
    payload = body(api.as_(admin).post(f"{BASE}/update/{product.id}", form))
    assert payload["code"] == 200
    db.session.refresh(product)
    assert (product.name, product.price, product.reason, product.content) == ("改名", "99", "更好", new_content)


def test_update_errors_change_nothing(api, make, content_factory):
    admin = make.admin()
    content_factory.product(admin.company, name="已有")
    product = content_factory.product(admin.company, name="原名")
    client = api.as_(admin)
    assert body(client.post(f"{BASE}/update/{product.id}", _form(name="已有")))["code"] == 300
    no_content = _form(name="新名")
    no_content.pop("content")
    assert body(client.post(f"{BASE}/update/{product.id}", no_content))["code"] == 303
    bad = _form(name="新名", content=json.dumps({"cover_data": [{"type": "x", "data": ["a"]}]}))
    assert body(client.post(f"{BASE}/update/{product.id}", bad))["code"] == 303
    assert body(client.post(f"{BASE}/update/999999", _form()))["code"] == 302
    db.session.refresh(product)
    assert product.name == "原名"


def test_update_keeping_own_name(api, make, content_factory):
    admin = make.admin()
    product = content_factory.product(admin.company, name="门票")
    assert body(api.as_(admin).post(f"{BASE}/update/{product.id}", _form(price="1")))["code"] == 200


# --- 2.4 delete -----------------------------------------------------------------------------


def test_delete_by_company_admin(api, make, content_factory):
    admin = make.admin()
    company_product = content_factory.product(admin.company)
    personal = content_factory.product(owner=content_factory.radar_user(admin.company))
    client = api.as_(admin)
    assert body(client.post(f"{BASE}/delete/{company_product.id}"))["code"] == 200
    assert body(client.post(f"{BASE}/delete/{personal.id}"))["code"] == 200
    assert _count() == 0
    assert body(client.post(f"{BASE}/delete/{personal.id}"))["code"] == 302


def test_delete_by_superadmin_any_company(api, make, content_factory):
    product = content_factory.product(make.company())
    assert body(api.as_(make.superadmin()).post(f"{BASE}/delete/{product.id}"))["code"] == 200
    assert _count() == 0


def test_delete_by_member_only_own_personal_products(api, make, content_factory):
    member = make.member()
    owner = content_factory.radar_user(member.company)
    own = content_factory.product(owner=owner, creator_id=member.id)
    someone_elses = content_factory.product(owner=owner)
    company_product = content_factory.product(member.company, creator_id=member.id)
    client = api.as_(member)
    assert body(client.post(f"{BASE}/delete/{someone_elses.id}"))["code"] == 403
    assert body(client.post(f"{BASE}/delete/{company_product.id}"))["code"] == 403
    assert _count() == 3
    assert body(client.post(f"{BASE}/delete/{own.id}"))["code"] == 200
    assert _count() == 2


def test_member_changes_only_what_it_may_delete(api, make, content_factory):
    """Role 3 may update, list/unlist and reorder exactly the products it may delete: its own personal ones."""
    member = make.member()
    owner = content_factory.radar_user(member.company)
    own = content_factory.product(owner=owner, creator_id=member.id)
    someone_elses = content_factory.product(owner=owner)
    company_product = content_factory.product(member.company, creator_id=member.id)
    client = api.as_(member)
    writes = (
        ("update", _form(name="改名")),
        ("change_status", {"status": 2}),
        ("recommend_index", {"index": 9}),
    )
    for product in (someone_elses, company_product):
        before = (product.name, product.status, product.recommend_index)
        for endpoint, form in writes:
            payload = body(client.post(f"{BASE}/{endpoint}/{product.id}", form))
            assert payload["code"] == 403 and "自己添加的个人产品" in payload["msg"], (endpoint, payload)
        db.session.refresh(product)
        assert (product.name, product.status, product.recommend_index) == before
    for endpoint, form in writes:
        assert body(client.post(f"{BASE}/{endpoint}/{own.id}", form))["code"] == 200, endpoint
    db.session.refresh(own)
    assert (own.name, own.status, own.recommend_index) == ("改名", 2, 9)


# --- 2.5 change_status / 2.9 recommend_index ---------------------------------------------------


def test_change_status(api, make, content_factory):
    admin = make.admin()
    product = content_factory.product(admin.company)
    payload = body(api.as_(admin).post(f"{BASE}/change_status/{product.id}", {"status": 2}))
    assert payload["code"] == 200
    assert payload["data"] == {"product_id": product.id, "status": "已下架", "status_code": 2}
    db.session.refresh(product)
    assert product.status == 2


def test_change_status_errors(api, make, content_factory):
    admin = make.admin()
    product = content_factory.product(admin.company)
    client = api.as_(admin)
    assert body(client.post(f"{BASE}/change_status/{product.id}", {"status": 4}))["code"] == 303
    assert body(client.post(f"{BASE}/change_status/{product.id}", {"status": "up"}))["code"] == 301
    assert body(client.post(f"{BASE}/change_status/{product.id}", {}))["code"] == 303
    assert body(client.post(f"{BASE}/change_status/999999", {"status": 1}))["code"] == 302


@pytest.mark.parametrize("key", ["index", "recommend_index"])
def test_recommend_index(api, make, content_factory, key):
    admin = make.admin()
    product = content_factory.product(admin.company)
    assert body(api.as_(admin).post(f"{BASE}/recommend_index/{product.id}", {key: 10}))["code"] == 200
    db.session.refresh(product)
    assert product.recommend_index == 10


def test_recommend_index_errors(api, make, content_factory):
    admin = make.admin()
    product = content_factory.product(admin.company, recommend_index=3)
    client = api.as_(admin)
    assert body(client.post(f"{BASE}/recommend_index/{product.id}", {"index": 11}))["code"] == 303
    assert body(client.post(f"{BASE}/recommend_index/{product.id}", {"index": -1}))["code"] == 303
    assert body(client.post(f"{BASE}/recommend_index/{product.id}", {"index": "top"}))["code"] == 301
    assert body(client.post(f"{BASE}/recommend_index/{product.id}", {}))["code"] == 303
    assert body(client.post(f"{BASE}/recommend_index/999999", {"index": 1}))["code"] == 302
    db.session.refresh(product)
    assert product.recommend_index == 3


# --- tenancy and roles ------------------------------------------------------------------------


def test_other_company_product_ids_answer_302(api, make, content_factory):
    """Does a company-2 admin get 302 for every company-1 product id, with nothing changed?"""
    victim = content_factory.product(make.company(), name="原名")
    client = api.as_(make.admin())
    assert body(client.post(f"{BASE}/update/{victim.id}", _form(name="hijack")))["code"] == 302
    assert body(client.post(f"{BASE}/delete/{victim.id}"))["code"] == 302
    assert body(client.post(f"{BASE}/change_status/{victim.id}", {"status": 2}))["code"] == 302
    assert body(client.post(f"{BASE}/recommend_index/{victim.id}", {"index": 9}))["code"] == 302
    db.session.refresh(victim)
    assert (victim.name, victim.status, victim.recommend_index) == ("原名", 1, 0)


def test_role_without_product_rule_gets_403(api, make):
    from app.models.admin import Role

    role = Role(id=9, name="无产品权限")
    db.session.add(role)
    db.session.commit()
    user = make.admin(role_id=9)
    assert body(api.as_(user).get(f"{BASE}/product_list", {"product_type": 1}))["code"] == 403
    assert body(api.as_(user).post(f"{BASE}/add/0", _form(product_type=1)))["code"] == 403
