"""4.1–4.4 roles."""

import json

from sqlalchemy import select

from app.extensions import db
from app.models.admin import AccessRule, Role
from tests.conftest import body

BASE = "/zhugeleida/admin/admin_role"


def _rule_ids(*paths):
    return [db.session.scalar(select(AccessRule.id).where(AccessRule.url_path == p)) for p in paths]


def test_list_shape(api, make):
    payload = body(api.as_(make.superadmin()).get(BASE))
    assert payload["code"] == 200 and payload["msg"] == "查询成功"
    roles = payload["data"]["ret_data"]
    assert [r["role_id"] for r in roles][-3:] == [3, 2, 1]
    assert payload["data"]["data_count"] == len(roles)
    member = next(r for r in roles if r["role_id"] == 3)
    assert set(member) == {"role_id", "role_name", "rules_data", "create_date"}
    group = next(g for g in member["rules_data"] if g["parent_rule_name"] == "产品管理")
    assert set(group) == {"children_rule_list", "parent_rule_id", "selected", "parent_rule_name"}
    assert group["selected"] is True
    child = group["children_rule_list"][0]
    assert set(child) == {"children_rule_id", "selected", "children_rule_name"}
    perms = next(g for g in member["rules_data"] if g["parent_rule_name"] == "权限管理")
    assert perms["selected"] is False and not any(c["selected"] for c in perms["children_rule_list"])


def test_list_query_count_is_constant(api, make, count_queries):
    client = api.as_(make.superadmin())
    with count_queries() as few:
        client.get(BASE)
    rules = db.session.scalars(select(AccessRule)).all()
    db.session.add_all([Role(name=f"角色{i}", rules=list(rules)) for i in range(15)])
    db.session.commit()
    with count_queries() as many:
        client.get(BASE)
    assert many() == few()


def test_add_role_with_json_text_or_list(api, make):
    client = api.as_(make.superadmin())
    ids = _rule_ids("product", "article")
    payload = body(client.post(f"{BASE}/add/0/", {"name": "编辑", "rules_list": json.dumps([str(i) for i in ids])}))
    assert payload["code"] == 200
    role = db.session.scalar(select(Role).where(Role.name == "编辑"))
    assert sorted(r.id for r in role.rules) == sorted(ids)
    response = client.client.post(
        f"{BASE}/add/0", query_string=client.signed(), json={"name": "运营", "rules_list": ids}
    )
    assert body(response)["code"] == 200


def test_add_role_errors(api, make):
    client = api.as_(make.superadmin())
    assert body(client.post(f"{BASE}/add/0", {"name": "管理员", "rules_list": "[]"}))["code"] == 300
    assert body(client.post(f"{BASE}/add/0", {"name": "x"}))["code"] == 303
    assert body(client.post(f"{BASE}/add/0", {"name": "x", "rules_list": "not json"}))["code"] == 301
    assert body(client.post(f"{BASE}/add/0", {"name": "x", "rules_list": "[99999]"}))["code"] == 302


def test_update_role(api, make):
    client = api.as_(make.superadmin())
    ids = _rule_ids("product")
    assert body(client.post(f"{BASE}/update/3", {"name": "普通成员", "rules_list": json.dumps(ids)}))["code"] == 200
    role = db.session.get(Role, 3)
    db.session.refresh(role)
    assert role.name == "普通成员" and [r.id for r in role.rules] == ids
    assert body(client.post(f"{BASE}/update/99999", {"name": "y", "rules_list": "[]"}))["code"] == 302
    assert body(client.post(f"{BASE}/update/3", {"name": "管理员", "rules_list": "[]"}))["code"] == 300


def test_delete_role(api, make):
    client = api.as_(make.superadmin())
    role = Role(name="临时")
    db.session.add(role)
    db.session.commit()
    assert body(client.post(f"{BASE}/delete/{role.id}"))["code"] == 200
    assert body(client.post(f"{BASE}/delete/{role.id}"))["code"] == 302


def test_delete_role_in_use_is_304(api, make):
    client = api.as_(make.superadmin())
    role = Role(name="在用")
    db.session.add(role)
    db.session.commit()
    make.admin(role_id=role.id)
    assert body(client.post(f"{BASE}/delete/{role.id}"))["code"] == 304


def test_builtin_role_cannot_be_deleted(api, make):
    assert body(api.as_(make.superadmin()).post(f"{BASE}/delete/3"))["code"] == 403


def test_roles_2_and_3_get_403(api, make):
    company = make.company()
    for user in (make.admin(company), make.member(company)):
        assert body(api.as_(user).get(BASE))["code"] == 403
        assert body(api.as_(user).post(f"{BASE}/delete/3"))["code"] == 403
