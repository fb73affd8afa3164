"""3.1–3.4 access rules."""

from sqlalchemy import select

from app.extensions import db
from app.models.admin import AccessRule, Role
from tests.conftest import body

BASE = "/zhugeleida/admin/access_rules"


def _rule(url_path):
    return db.session.scalar(select(AccessRule).where(AccessRule.url_path == url_path))


def test_list_shape_and_parent_filter(api, make):
    client = api.as_(make.superadmin())
    payload = body(client.get(BASE))
    assert payload["code"] == 200
    item = next(r for r in payload["data"]["ret_data"] if r["url_path"] == "product")
    assert set(item) == {"id", "name", "url_path", "title", "super_id", "super_name", "create_date"}
    assert item["title"] == "product" and item["super_name"] == "产品管理"
    assert payload["data"]["data_count"] == len(payload["data"]["ret_data"])
    parents = body(client.get(BASE, {"super_id_id__isnull": "True"}))["data"]["ret_data"]
    assert parents and all(r["super_id"] is None and r["super_name"] == "" for r in parents)


def test_list_query_count_is_constant(api, make, count_queries):
    client = api.as_(make.superadmin())
    with count_queries() as few:
        client.get(BASE)
    parent = _rule("product_manage")
    db.session.add_all([AccessRule(name=f"r{i}", url_path=f"extra{i}", super_id=parent.id) for i in range(20)])
    db.session.commit()
    with count_queries() as many:
        client.get(BASE)
    assert many() == few()


def test_add_child_and_accept_title_synonym(api, make):
    client = api.as_(make.superadmin())
    parent = _rule("product_manage")
    payload = body(client.post(f"{BASE}/add/0/", {"name": "导出", "title": "product_export", "super_id_id": parent.id}))
    assert payload["code"] == 200
    assert _rule("product_export").super_id == parent.id
    payload = body(client.post(f"{BASE}/add/0", {"name": "顶级", "url_path": "top", "super_id_id": ""}))
    assert payload["code"] == 200 and _rule("top").super_id is None


def test_add_duplicate_url_path_is_300(api, make):
    client = api.as_(make.superadmin())
    assert body(client.post(f"{BASE}/add/0", {"name": "x", "url_path": "product"}))["code"] == 300


def test_add_missing_or_bad_input(api, make):
    client = api.as_(make.superadmin())
    assert body(client.post(f"{BASE}/add/0", {"name": "x"}))["code"] == 303
    assert body(client.post(f"{BASE}/add/0", {"name": "x", "url_path": "y", "super_id_id": "abc"}))["code"] == 301
    assert body(client.post(f"{BASE}/add/0", {"name": "x", "url_path": "y", "super_id_id": 99999}))["code"] == 302


def test_add_under_a_child_is_303(api, make):
    client = api.as_(make.superadmin())
    child = _rule("product")
    assert body(client.post(f"{BASE}/add/0", {"name": "x", "url_path": "y", "super_id_id": child.id}))["code"] == 303


def test_update_rule(api, make):
    client = api.as_(make.superadmin())
    rule = _rule("product")
    payload = body(
        client.post(f"{BASE}/update/{rule.id}", {"name": "产品", "url_path": "product", "super_id_id": rule.super_id})
    )
    assert payload["code"] == 200
    db.session.refresh(rule)
    assert rule.name == "产品"
    assert body(client.post(f"{BASE}/update/99999", {"name": "a", "url_path": "b"}))["code"] == 302
    assert body(client.post(f"{BASE}/update/{rule.id}", {"name": "a", "url_path": "company"}))["code"] == 300


def test_delete_rule_with_children_or_in_use_is_304(api, make):
    client = api.as_(make.superadmin())
    assert body(client.post(f"{BASE}/delete/{_rule('product_manage').id}"))["code"] == 304
    assert body(client.post(f"{BASE}/delete/{_rule('product').id}"))["code"] == 304


def test_delete_unused_rule(api, make):
    client = api.as_(make.superadmin())
    rule = AccessRule(name="tmp", url_path="tmp")
    db.session.add(rule)
    db.session.commit()
    assert body(client.post(f"{BASE}/delete/{rule.id}"))["code"] == 200
    assert _rule("tmp") is None
    assert body(client.post(f"{BASE}/delete/{rule.id}"))["code"] == 302


def test_roles_2_and_3_get_403(api, make):
    company = make.company()
    for user in (make.admin(company), make.member(company)):
        client = api.as_(user)
        assert body(client.get(BASE))["code"] == 403
        assert body(client.post(f"{BASE}/add/0", {"name": "x", "url_path": "y"}))["code"] == 403
    assert db.session.get(Role, 2) is not None
