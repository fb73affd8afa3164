"""10.1–10.4 article tags per company; a tag still on an article is not deleted (304)."""

from app.extensions import db
from app.models.article import ArticleTag
from tests.conftest import body

BASE = "/zhugeleida/admin/article_tag"


def test_index_shape_scoped_and_paged(api, make, pa_make):
    admin = make.admin()
    tags = [pa_make.tag(admin.company, name) for name in ("家装知识", "汽车", "金融")]
    pa_make.tag(make.company(), "家装知识")
    payload = body(api.as_(admin).get(BASE))
    assert payload["code"] == 200
    assert payload["data"] == {"ret_data": [{"id": t.id, "name": t.name} for t in tags], "data_count": 3}
    paged = body(api.as_(admin).get(BASE, {"length": 2, "current_page": 2}))["data"]
    assert (paged["data_count"], paged["ret_data"]) == (3, [{"id": tags[2].id, "name": "金融"}])
    assert body(api.as_(make.superadmin()).get(BASE))["data"]["data_count"] == 4


def test_index_query_count_is_constant(api, make, pa_make, count_queries):
    admin = make.admin()
    client = api.as_(admin)
    pa_make.tag(admin.company)
    with count_queries() as few:
        client.get(BASE)
    for _ in range(6):
        pa_make.tag(admin.company)
    with count_queries() as many:
        client.get(BASE)
    assert many() == few()


def test_add_tag(api, make):
    admin = make.admin()
    payload = body(api.as_(admin).post(f"{BASE}/add/0", {"tag_name": " 汽车保养 "}))
    assert (payload["code"], payload["msg"]) == (200, "添加成功")
    tag = db.session.query(ArticleTag).one()
    assert payload["data"] == [{"tag_id": tag.id, "tag_name": "汽车保养"}]
    assert tag.company_id == admin.company_id


def test_add_tag_errors(api, make, pa_make):
    admin = make.admin()
    pa_make.tag(admin.company, "汽车")
    client = api.as_(admin)
    assert body(client.post(f"{BASE}/add/0", {"tag_name": "汽车"}))["code"] == 300
    assert body(client.post(f"{BASE}/add/0", {"tag_name": ""}))["code"] == 303
    assert body(client.post(f"{BASE}/add/0", {}))["code"] == 303
    assert body(client.post(f"{BASE}/add/0", {"tag_name": "x" * 65}))["code"] == 303
    assert body(client.post(f"{BASE}/add/0", json={"tag_name": 5}))["code"] == 301
    assert db.session.query(ArticleTag).count() == 1
    # the same name in another company is fine
    assert body(api.as_(make.admin()).post(f"{BASE}/add/0", {"tag_name": "汽车"}))["code"] == 200


def test_update_tag(api, make, pa_make):
    admin = make.admin()
    tag = pa_make.tag(admin.company, "旧")
    payload = body(api.as_(admin).post(f"{BASE}/update/{tag.id}", {"tag_name": "新"}))
    assert (payload["code"], payload["data"]) == (200, [{"tag_id": tag.id, "tag_name": "新"}])
    assert body(api.as_(admin).post(f"{BASE}/update/{tag.id}", {"tag_name": "新"}))["code"] == 200


def test_update_tag_errors_and_tenancy(api, make, pa_make):
    admin = make.admin()
    tag = pa_make.tag(admin.company, "甲")
    pa_make.tag(admin.company, "乙")
    theirs = pa_make.tag(make.company(), "丙")
    client = api.as_(admin)
    assert body(client.post(f"{BASE}/update/{tag.id}", {"tag_name": "乙"}))["code"] == 300
    assert body(client.post(f"{BASE}/update/{tag.id}", {"tag_name": ""}))["code"] == 303
    assert body(client.post(f"{BASE}/update/99999", {"tag_name": "丁"}))["code"] == 302
    assert body(client.post(f"{BASE}/update/{theirs.id}", {"tag_name": "丁"}))["code"] == 302
    db.session.refresh(theirs)
    db.session.refresh(tag)
    assert (theirs.name, tag.name) == ("丙", "甲")


def test_delete_tag_in_use_is_304(api, make, pa_make):
    admin = make.admin()
    tag = pa_make.tag(admin.company)
    article = pa_make.article(admin, tags=[tag])
    client = api.as_(admin)
    assert body(client.post(f"{BASE}/delete/{tag.id}"))["code"] == 304
    assert db.session.get(ArticleTag, tag.id) is not None
    assert body(client.post(f"/zhugeleida/admin/article/update/{article.id}", {"tags_id_list": "[]"}))["code"] == 200
    payload = body(client.post(f"{BASE}/delete/{tag.id}"))
    assert (payload["code"], payload["data"]) == (200, [])
    assert db.session.query(ArticleTag).count() == 0


def test_delete_tag_missing_and_tenancy(api, make, pa_make):
    admin = make.admin()
    theirs = pa_make.tag(make.company())
    client = api.as_(admin)
    assert body(client.post(f"{BASE}/delete/99999"))["code"] == 302
    assert body(client.post(f"{BASE}/delete/{theirs.id}"))["code"] == 302
    assert db.session.get(ArticleTag, theirs.id) is not None
