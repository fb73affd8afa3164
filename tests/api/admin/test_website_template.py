"""6.3–6.5 global website templates, managed by role 1."""

import json
import re

from app.extensions import db
from app.models.website import WebsiteTemplate
from tests.conftest import body

BASE = "/zhugeleida/admin/website_template"
CONTENT = [{"type": "guntu", "data": [{"picture_url": "statics/zhugeleida/imgs/xiaochengxu/website/a.png"}]}]


def test_template_list_shape(api, make, content_factory):
    template = content_factory.template(name="简约", template_content=CONTENT)
    payload = body(api.as_(make.superadmin()).get(BASE))
    assert payload["code"] == 200 and payload["data"]["data_count"] == 1
    item = payload["data"]["ret_data"][0]
    assert (item["id"], item["name"], item["template_content"]) == (template.id, "简约", CONTENT)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?", item["create_date"])


def test_template_list_pages_and_query_count(api, make, content_factory, count_queries):
    client = api.as_(make.superadmin())
    content_factory.template()
    with count_queries() as few:
        client.get(BASE)
    for _ in range(6):
        content_factory.template()
    with count_queries() as many:
        data = body(client.get(BASE, {"length": 5, "current_page": 2}))["data"]
    assert data["data_count"] == 7 and len(data["ret_data"]) == 2
    assert many() == few()
    assert body(client.get(BASE, {"length": 0}))["code"] == 303


def test_templates_are_for_role_1(api, make, content_factory):
    template = content_factory.template()
    for user in (make.admin(), make.member()):
        client = api.as_(user)
        assert body(client.get(BASE))["code"] == 403
        assert body(client.post(f"{BASE}/add/0", {"template_content": "[]"}))["code"] == 403
        assert body(client.post(f"{BASE}/update/{template.id}", {"template_content": "[]"}))["code"] == 403
        assert body(client.post(f"{BASE}/delete/{template.id}"))["code"] == 403
    assert db.session.query(WebsiteTemplate).count() == 1


def test_add_template_name_optional(api, make):
    client = api.as_(make.superadmin())
    payload = body(client.post(f"{BASE}/add/0", {"template_content": json.dumps(CONTENT)}))
    assert (payload["code"], payload["msg"]) == (200, "保存成功")
    template = db.session.get(WebsiteTemplate, payload["data"]["id"])
    assert (template.name, template.template_content) == ("", CONTENT)
    named = body(client.post(f"{BASE}/add/0", json={"name": "商务", "template_content": CONTENT}))
    assert db.session.get(WebsiteTemplate, named["data"]["id"]).name == "商务"


def test_add_template_errors(api, make):
    client = api.as_(make.superadmin())
    assert body(client.post(f"{BASE}/add/0", {}))["code"] == 303
    assert body(client.post(f"{BASE}/add/0", {"template_content": "nope"}))["code"] == 301
    bad = json.dumps([{"type": "guntu", "data": [{"picture_url": "../x.png"}]}])
    assert body(client.post(f"{BASE}/add/0", {"template_content": bad}))["code"] == 303
    assert body(client.post(f"{BASE}/add/0", {"template_content": "[]", "name": "x" * 65}))["code"] == 303
    assert db.session.query(WebsiteTemplate).count() == 0


def test_update_template(api, make, content_factory):
    template = content_factory.template(name="旧")
    client = api.as_(make.superadmin())
    payload = body(client.post(f"{BASE}/update/{template.id}", {"template_content": json.dumps(CONTENT)}))
    assert (payload["code"], payload["msg"]) == (200, "修改成功")
    db.session.refresh(template)
    assert (template.name, template.template_content) == ("旧", CONTENT)  # name kept when absent
    assert body(client.post(f"{BASE}/update/{template.id}", {"template_content": "[]", "name": "新"}))["code"] == 200
    db.session.refresh(template)
    assert (template.name, template.template_content) == ("新", [])


def test_update_template_errors(api, make, content_factory):
    template = content_factory.template(template_content=CONTENT)
    client = api.as_(make.superadmin())
    assert body(client.post(f"{BASE}/update/999999", {"template_content": "[]"}))["code"] == 302
    assert body(client.post(f"{BASE}/update/{template.id}", {}))["code"] == 303
    assert body(client.post(f"{BASE}/update/{template.id}", {"template_content": "{"}))["code"] == 301
    db.session.refresh(template)
    assert template.template_content == CONTENT


def test_delete_template(api, make, content_factory):
    template = content_factory.template()
    client = api.as_(make.superadmin())
    assert body(client.post(f"{BASE}/delete/{template.id}"))["code"] == 200
    assert db.session.query(WebsiteTemplate).count() == 0
    assert body(client.post(f"{BASE}/delete/{template.id}"))["code"] == 302
