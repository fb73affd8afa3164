"""Feedback marked handled with a reply, and deleted by roles 1 and 2."""

import re

import pytest

from app.extensions import db
from app.models.product import Feedback
from tests.conftest import body

BASE = "/zhugeleida/admin/product"
DATETIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")


def test_reply_marks_handled_and_shows_in_the_list(api, make, content_factory):
    admin = make.admin(username="客服小王")
    feedback = content_factory.feedback(content_factory.radar_user(admin.company))
    client = api.as_(admin)
    payload = body(client.post(f"{BASE}/reply_feedback/{feedback.id}", {"reply": "已修复，谢谢反馈"}))
    assert (payload["code"], payload["msg"]) == (200, "回复成功")
    assert payload["data"]["status"] == 2 and payload["data"]["status_text"] == "已处理"
    assert payload["data"]["reply"] == "已修复，谢谢反馈" and payload["data"]["reply_user"] == "客服小王"
    assert DATETIME.match(payload["data"]["reply_date"])
    item = body(client.get(f"{BASE}/feedback_list", {"status": 2}))["data"]["ret_data"][0]
    assert item == payload["data"]
    again = body(client.post(f"{BASE}/reply_feedback/{feedback.id}", {"reply": "补充说明"}))["data"]
    assert again["reply"] == "补充说明"  # a second reply replaces the first


def test_every_role_of_the_company_may_reply(api, make, content_factory):
    company = make.company()
    feedback = content_factory.feedback(content_factory.radar_user(company))
    for user in (make.member(company), make.admin(company), make.superadmin()):
        assert body(api.as_(user).post(f"{BASE}/reply_feedback/{feedback.id}", {"reply": "好"}))["code"] == 200


@pytest.mark.parametrize(("form", "code"), [({}, 303), ({"reply": ""}, 303), ({"reply": "长" * 2001}, 303)])
def test_reply_is_validated_and_nothing_written(api, make, content_factory, form, code):
    admin = make.admin()
    feedback = content_factory.feedback(content_factory.radar_user(admin.company))
    assert body(api.as_(admin).post(f"{BASE}/reply_feedback/{feedback.id}", form))["code"] == code
    db.session.rollback()
    stored = db.session.get(Feedback, feedback.id)
    assert (stored.status, stored.reply) == (1, None)


def test_reply_to_another_companys_feedback_is_302(api, make, content_factory):
    feedback = content_factory.feedback(content_factory.radar_user(make.company()))
    admin = api.as_(make.admin())
    assert body(admin.post(f"{BASE}/reply_feedback/{feedback.id}", {"reply": "x"}))["code"] == 302
    assert body(admin.post(f"{BASE}/reply_feedback/999999", {"reply": "x"}))["code"] == 302
    db.session.rollback()
    assert db.session.get(Feedback, feedback.id).reply is None


def test_delete_by_roles_1_and_2(api, make, content_factory):
    company = make.company()
    author = content_factory.radar_user(company)
    first, second = content_factory.feedback(author), content_factory.feedback(author)
    payload = body(api.as_(make.admin(company)).post(f"{BASE}/delete_feedback/{first.id}"))
    assert (payload["code"], payload["msg"], payload["data"]) == (200, "删除成功", {})
    assert body(api.as_(make.superadmin()).post(f"{BASE}/delete_feedback/{second.id}"))["code"] == 200
    db.session.rollback()
    assert db.session.get(Feedback, first.id) is None and db.session.get(Feedback, second.id) is None


def test_role_3_may_not_delete(api, make, content_factory):
    company = make.company()
    feedback = content_factory.feedback(content_factory.radar_user(company))
    assert body(api.as_(make.member(company)).post(f"{BASE}/delete_feedback/{feedback.id}"))["code"] == 403
    db.session.rollback()
    assert db.session.get(Feedback, feedback.id) is not None


def test_delete_another_companys_feedback_is_302(api, make, content_factory):
    feedback = content_factory.feedback(content_factory.radar_user(make.company()))
    assert body(api.as_(make.admin()).post(f"{BASE}/delete_feedback/{feedback.id}"))["code"] == 302
    db.session.rollback()
    assert db.session.get(Feedback, feedback.id) is not None


def test_list_query_count_is_constant_with_replies(api, make, content_factory, count_queries):
    admin = make.admin()
    author = content_factory.radar_user(admin.company)
    client = api.as_(admin)
    content_factory.feedback(author)
    with count_queries() as few:
        body(client.get(f"{BASE}/feedback_list"))
    for _ in range(6):
        feedback = content_factory.feedback(author)
        body(
            client.post(
                f"{BASE}/reply_feedback/{feedback.id}",
                {"reply": "好"},
            )
        )
    with count_queries() as many:
        assert len(body(client.get(f"{BASE}/feedback_list"))["data"]["ret_data"]) == 7
    assert many() == few()
