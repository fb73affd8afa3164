"""6.1–6.2 a company's website content."""

import json
import re

import pytest

from app.extensions import db
from tests.conftest import body

BASE = "/zhugeleida/admin/website"
CONTENT = [
    {
        "type": "guntu",
        "data": [
            {"picture_url": "statics/zhugeleida/imgs/xiaochengxu/website/Website_scroll_1.png"},
            {"picture_url": "statics/zhugeleida/imgs/xiaochengxu/website/Website_scroll_2.png"},
        ],
    },
    {"type": "content", "data": [{"picture_url": "statics/zhugeleida/imgs/xiaochengxu/website/Content_1.png"}]},
]


def test_website_shape(api, make):
    company = make.company(name="北京春秋永乐", website_content=CONTENT)
    admin = make.admin(company)
    payload = body(api.as_(admin).get(BASE, {"company_id": company.id}))
    assert payload["code"] == 200 and payload["data"]["data_count"] == 1
    item = payload["data"]["ret_data"][0]
    assert (item["id"], item["name"], item["website_content"]) == (company.id, "北京春秋永乐", CONTENT)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?", item["create_date"])


def test_website_defaults_to_own_company_and_empty_content(api, make):
    member = make.member()
    item = body(api.as_(member).get(BASE))["data"]["ret_data"][0]
    assert item["id"] == member.company_id and item["website_content"] == []


def test_website_of_other_company(api, make):
    other = make.company()
    assert body(api.as_(make.admin()).get(BASE, {"company_id": other.id}))["code"] == 302
    assert body(api.as_(make.member()).get(BASE, {"company_id": other.id}))["code"] == 302
    root = body(api.as_(make.superadmin()).get(BASE, {"company_id": other.id}))
    assert root["code"] == 200 and root["data"]["ret_data"][0]["id"] == other.id
    assert body(api.as_(make.superadmin()).get(BASE, {"company_id": 999999}))["code"] == 302
    assert body(api.as_(make.admin()).get(BASE, {"company_id": "x"}))["code"] == 301


def test_edit_website(api, make):
    admin = make.admin()
    payload = body(api.as_(admin).post(f"{BASE}/edit/{admin.company_id}", {"website_content": json.dumps(CONTENT)}))
    assert (payload["code"], payload["msg"]) == (200, "保存成功")
    db.session.refresh(admin.company)
    assert admin.company.website_content == CONTENT


def test_edit_website_as_json_body_by_member(api, make):
    member = make.member()
    payload = body(api.as_(member).post(f"{BASE}/edit/{member.company_id}", json={"website_content": CONTENT}))
    assert payload["code"] == 200
    db.session.refresh(member.company)
    assert member.company.website_content == CONTENT


@pytest.mark.parametrize(
    ("content", "code", "where"),
    [
        ("[1,", 301, "官网内容"),
        (json.dumps({"type": "guntu"}), 301, "官网内容"),
        (json.dumps([{"type": "", "data": []}]), 303, "官网内容[0].type"),
        (json.dumps([{"type": "guntu", "data": "x"}]), 303, "官网内容[0].data"),
        (json.dumps([{"type": "guntu", "data": [{"url": "statics/a.png"}]}]), 303, "官网内容[0].data[0]"),
        (
            json.dumps([{"type": "guntu", "data": [{"picture_url": "javascript:x"}]}]),
            303,
            "官网内容[0].data[0].picture_url",
        ),
        (json.dumps(["guntu"]), 303, "官网内容[0]"),
    ],
)
def test_edit_website_bad_content(api, make, content, code, where):
    company = make.company(website_content=CONTENT)
    admin = make.admin(company)
    payload = body(api.as_(admin).post(f"{BASE}/edit/{company.id}", {"website_content": content}))
    assert payload["code"] == code and payload["msg"].startswith(where)
    db.session.refresh(company)
    assert company.website_content == CONTENT


def test_edit_website_errors(api, make):
    admin = make.admin()
    client = api.as_(admin)
    assert body(client.post(f"{BASE}/edit/{admin.company_id}", {}))["code"] == 303
    assert body(client.post(f"{BASE}/edit/999999", {"website_content": "[]"}))["code"] == 302


def test_edit_other_company_website_is_302(api, make):
    victim = make.company(website_content=CONTENT)
    client = api.as_(make.admin())
    assert body(client.post(f"{BASE}/edit/{victim.id}", {"website_content": "[]"}))["code"] == 302
    db.session.refresh(victim)
    assert victim.website_content == CONTENT
    root = api.as_(make.superadmin())
    assert body(root.post(f"{BASE}/edit/{victim.id}", {"website_content": "[]"}))["code"] == 200
