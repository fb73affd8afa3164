"""2.7–2.8 feedback: shape, filters, role 1 across companies, tenancy."""

from app.extensions import db
from app.models.product import Feedback
from tests.conftest import body

BASE = "/zhugeleida/admin/product"


def test_feedback_list_shape(api, make, content_factory):
    admin = make.admin()
    author = content_factory.radar_user(admin.company, username="张聪")
    content = [{"type": "phone", "data": "13020006631"}, {"type": "content", "data": "请优化"}]
    feedback = content_factory.feedback(author, problem_type=1, content=content)
    payload = body(api.as_(admin).get(f"{BASE}/feedback_list"))
    assert payload["code"] == 200 and payload["data"]["data_count"] == 1
    item = payload["data"]["ret_data"][0]
    assert item == {
        "id": feedback.id,
        "user_id": author.id,
        "user_name": "张聪",
        "problem_type": 1,
        "problem_type_text": "客户服务",
        "content": content,
        "company_name": admin.company.name,
        "company_id": admin.company_id,
        "status": 1,
        "status_text": "未处理",
        "create_date": item["create_date"],
        "reply": None,
        "reply_date": None,
        "reply_user": None,
    }


def test_feedback_list_status_filter_and_pages(api, make, content_factory):
    admin = make.admin()
    author = content_factory.radar_user(admin.company)
    for _ in range(3):
        content_factory.feedback(author)
    done = content_factory.feedback(author, status=2, problem_type=3)
    client = api.as_(admin)
    handled = body(client.get(f"{BASE}/feedback_list", {"status": 2}))["data"]
    assert [i["id"] for i in handled["ret_data"]] == [done.id]
    assert handled["ret_data"][0]["problem_type_text"] == "产品建议"
    page = body(client.get(f"{BASE}/feedback_list", {"status": 1, "length": 2, "current_page": 2}))["data"]
    assert page["data_count"] == 3 and len(page["ret_data"]) == 1


def test_feedback_list_errors(api, make):
    client = api.as_(make.admin())
    assert body(client.get(f"{BASE}/feedback_list", {"status": 3}))["code"] == 303
    assert body(client.get(f"{BASE}/feedback_list", {"status": "x"}))["code"] == 301
    assert body(client.get(f"{BASE}/feedback_list", {"order": "content"}))["code"] == 303


def test_feedback_list_is_confined_to_company(api, make, content_factory):
    one, two = make.company(), make.company()
    content_factory.feedback(content_factory.radar_user(one))
    mine = content_factory.feedback(content_factory.radar_user(two))
    admin = make.member(two)
    payload = body(api.as_(admin).get(f"{BASE}/feedback_list"))
    assert [i["id"] for i in payload["data"]["ret_data"]] == [mine.id]
    assert body(api.as_(admin).get(f"{BASE}/feedback_list", {"company_id": one.id}))["code"] == 302


def test_superadmin_sees_all_feedback_and_filters_by_company(api, make, content_factory):
    one, two = make.company(), make.company()
    a = content_factory.feedback(content_factory.radar_user(one))
    b = content_factory.feedback(content_factory.radar_user(two))
    client = api.as_(make.superadmin())
    assert {i["id"] for i in body(client.get(f"{BASE}/feedback_list"))["data"]["ret_data"]} == {a.id, b.id}
    filtered = body(client.get(f"{BASE}/feedback_list", {"company_id": one.id}))["data"]["ret_data"]
    assert [i["id"] for i in filtered] == [a.id]


def test_feedback_of_a_deleted_radar_user_stays(api, make, content_factory):
    admin = make.admin()
    author = content_factory.radar_user(admin.company)
    feedback = content_factory.feedback(author)
    db.session.delete(author)
    db.session.commit()
    item = body(api.as_(admin).get(f"{BASE}/feedback_list"))["data"]["ret_data"][0]
    # MariaDB sets the author to NULL; SQLite (no FK enforcement) keeps the dangling id
    assert item["id"] == feedback.id and item["user_name"] == ""


def test_feedback_list_query_count_is_constant(api, make, content_factory, count_queries):
    admin = make.admin()
    client = api.as_(admin)
    content_factory.feedback(content_factory.radar_user(admin.company))
    with count_queries() as few:
        client.get(f"{BASE}/feedback_list")
    for _ in range(8):
        content_factory.feedback(content_factory.radar_user(admin.company))
    with count_queries() as many:
        assert body(client.get(f"{BASE}/feedback_list"))["data"]["data_count"] == 9
    assert many() == few()


def test_change_feedback_status(api, make, content_factory):
    admin = make.admin()
    feedback = content_factory.feedback(content_factory.radar_user(admin.company))
    payload = body(api.as_(admin).post(f"{BASE}/change_feedback_status/{feedback.id}", {"status": 2}))
    assert (payload["code"], payload["msg"]) == (200, "修改状态成功")
    db.session.refresh(feedback)
    assert feedback.status == 2


def test_change_feedback_status_errors(api, make, content_factory):
    admin = make.admin()
    feedback = content_factory.feedback(content_factory.radar_user(admin.company))
    client = api.as_(admin)
    assert body(client.post(f"{BASE}/change_feedback_status/{feedback.id}", {"status": 3}))["code"] == 303
    assert body(client.post(f"{BASE}/change_feedback_status/{feedback.id}", {"status": "done"}))["code"] == 301
    assert body(client.post(f"{BASE}/change_feedback_status/{feedback.id}", {}))["code"] == 303
    assert body(client.post(f"{BASE}/change_feedback_status/999999", {"status": 2}))["code"] == 302
    db.session.refresh(feedback)
    assert feedback.status == 1


def test_change_feedback_status_of_other_company_is_302(api, make, content_factory):
    feedback = content_factory.feedback(content_factory.radar_user(make.company()))
    client = api.as_(make.admin())
    assert body(client.post(f"{BASE}/change_feedback_status/{feedback.id}", {"status": 2}))["code"] == 302
    db.session.expire_all()
    assert db.session.get(Feedback, feedback.id).status == 1
