"""The admin's customers: list with filters, one customer's detail, and an article's forwarding tree."""

from datetime import datetime, timedelta

import pytest

from app.models.article import STATUS_PUBLISHED
from app.models.radar import SOURCE_ARTICLE, SOURCE_SCAN
from app.timefmt import utcnow
from tests.conftest import body

BASE = "/zhugeleida/admin/customer"


def _ids(payload) -> list[int]:
    assert payload["code"] == 200, payload
    return [item["id"] for item in payload["data"]["ret_data"]]


@pytest.fixture
def shop(make, radar, pa_make):
    """A company with two radar users, three customers (related in different ways), a sign-up."""

    class Shop:
        company = make.company()
        admin = make.admin(company)
        alice, bob = radar.user(company, username="雷达甲"), radar.user(company, username="雷达乙")
        scanned = radar.customer(company, nickname="扫码客户", province="广东", city="深圳", sex=1)
        reader = radar.customer(company, nickname="读者")
        loner = radar.customer(company, nickname="独行侠")

    shop = Shop()
    radar.relation(shop.alice, shop.scanned, source=SOURCE_SCAN)
    radar.relation(shop.bob, shop.reader, source=SOURCE_ARTICLE)
    radar.relation(shop.alice, shop.reader, source=SOURCE_ARTICLE)
    shop.activity = pa_make.activity(shop.admin, title="开业活动")
    pa_make.sign_up(shop.activity, customer=shop.reader, phone="13911112222")
    return shop


# --- the list ---------------------------------------------------------------------------------------------


def test_list_shape(api, shop):
    payload = body(api.as_(shop.admin).get(BASE))
    assert payload["data"]["data_count"] == 3
    assert _ids(payload) == [shop.loner.id, shop.reader.id, shop.scanned.id]  # newest first
    scanned = payload["data"]["ret_data"][2]
    assert scanned == {
        "id": shop.scanned.id,
        "company_id": shop.company.id,
        "nickname": "扫码客户",
        "headimgurl": None,
        "sex": 1,
        "sex_text": "男",
        "area": "广东深圳",
        "phone": None,
        "create_date": scanned["create_date"],
        "radar_users": [
            {
                "uid": shop.alice.id,
                "username": "雷达甲",
                "source": SOURCE_SCAN,
                "source_text": "扫码",
                "referrer_customer_id": None,
                "last_follow_time": None,
                "last_activity_time": None,
                "create_date": scanned["radar_users"][0]["create_date"],
            }
        ],
        "sign_up_count": 0,
    }
    reader = payload["data"]["ret_data"][1]
    assert [r["uid"] for r in reader["radar_users"]] == [shop.bob.id, shop.alice.id] and reader["sign_up_count"] == 1


def test_list_filters(api, shop):
    client = api.as_(shop.admin)
    assert _ids(body(client.get(BASE, {"uid": shop.alice.id}))) == [shop.reader.id, shop.scanned.id]
    assert _ids(body(client.get(BASE, {"uid": shop.bob.id}))) == [shop.reader.id]
    assert _ids(body(client.get(BASE, {"source": SOURCE_SCAN}))) == [shop.scanned.id]
    assert _ids(body(client.get(BASE, {"uid": shop.bob.id, "source": SOURCE_SCAN}))) == []  # the same relation
    assert _ids(body(client.get(BASE, {"has_sign_up": "true"}))) == [shop.reader.id]
    assert _ids(body(client.get(BASE, {"has_sign_up": "false"}))) == [shop.loner.id, shop.scanned.id]
    assert _ids(body(client.get(BASE, {"nickname": "读"}))) == [shop.reader.id]


def test_list_date_range_is_in_local_days(api, make, radar):
    admin = make.admin()
    # 2026-03-01 16:30 UTC is 2026-03-02 00:30 in Asia/Shanghai
    late = radar.customer(admin.company, create_date=datetime(2026, 3, 1, 16, 30))
    early = radar.customer(admin.company, create_date=datetime(2026, 3, 1, 15, 30))  # 03-01 23:30 local
    client = api.as_(admin)
    assert _ids(body(client.get(BASE, {"start_date": "2026-03-02", "end_date": "2026-03-02"}))) == [late.id]
    assert _ids(body(client.get(BASE, {"end_date": "2026-03-01"}))) == [early.id]
    assert _ids(body(client.get(BASE, {"start_date": "2026-03-01"}))) == [late.id, early.id]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"source": 9}, 303),
        ({"start_date": "2026-13-01"}, 301),
        ({"start_date": "2026-03-02", "end_date": "2026-03-01"}, 303),
        ({"has_sign_up": "maybe"}, 301),
        ({"uid": "x"}, 301),
        ({"order": "phone"}, 303),
    ],
)
def test_list_bad_filters(api, make, query, code):
    assert body(api.as_(make.admin()).get(BASE, query))["code"] == code


def test_list_tenancy(api, make, radar, shop):
    other = make.company()
    stranger = radar.customer(other, nickname="别家客户")
    foreign_user = radar.user(other)
    client = api.as_(shop.admin)
    assert stranger.id not in _ids(body(client.get(BASE)))
    assert body(client.get(BASE, {"company_id": other.id}))["code"] == 302
    assert body(client.get(BASE, {"uid": foreign_user.id}))["code"] == 302
    root = api.as_(make.superadmin())
    assert _ids(body(root.get(BASE, {"company_id": other.id}))) == [stranger.id]
    assert len(_ids(body(root.get(BASE)))) == 4


def test_role_3_has_no_customer_rule(api, make, shop):
    member = make.member(shop.company)
    for url in (BASE, f"{BASE}/detail/{shop.reader.id}"):
        assert body(api.as_(member).get(url))["code"] == 403


def test_list_query_count_is_constant(api, make, radar, pa_make, count_queries):
    admin = make.admin()
    user = radar.user(admin.company)
    activity = pa_make.activity(admin)
    client = api.as_(admin)

    def add_customer():
        customer = radar.customer(admin.company)
        radar.relation(user, customer)
        pa_make.sign_up(activity, customer=customer)

    add_customer()
    with count_queries() as few:
        assert len(_ids(body(client.get(BASE, {"uid": user.id, "has_sign_up": "true"})))) == 1
    for _ in range(12):
        add_customer()
    with count_queries() as many:
        assert len(_ids(body(client.get(BASE, {"uid": user.id, "has_sign_up": "true", "length": 50})))) == 13
    assert many() == few()


# --- the detail -------------------------------------------------------------------------------------------


def test_detail(api, make, radar, pa_make, share_make, shop):
    article = pa_make.article(shop.admin, status=STATUS_PUBLISHED, title="好文章")
    share_make.row(article, shop.bob, shop.reader, read_count=3, stay_time=40, forward_friend_count=2)
    relation = radar.relation(shop.bob, shop.loner)
    radar.follow(relation, content="电话沟通过")
    bob_reader = next(r for r in _relations(shop) if r.radar_user_id == shop.bob.id)
    radar.follow(bob_reader, content="有意向", create_date=utcnow() - timedelta(hours=1))
    radar.events(shop.company, 14, [utcnow() - timedelta(minutes=m) for m in (1, 2, 3)], shop.bob, shop.reader)
    radar.events(shop.company, 17, [utcnow()], shop.bob, shop.reader)
    radar.events(shop.company, 14, [utcnow()], shop.bob, shop.loner)  # someone else's
    payload = body(api.as_(shop.admin).get(f"{BASE}/detail/{shop.reader.id}"))
    assert payload["code"] == 200
    data = payload["data"]["ret_data"]
    assert data["profile"]["id"] == shop.reader.id and data["profile"]["sign_up_count"] == 1
    assert data["visits"] == {
        "total": 4,
        "by_action": [
            {"action": 14, "action_text": "查看文章", "count": 3},
            {"action": 17, "action_text": "报名活动", "count": 1},
        ],
    }
    assert [e["action"] for e in data["recent_events"]] == [17, 14, 14, 14]
    assert data["stay_time"] == 40 and data["forward_count"] == 2
    assert data["articles"] == [
        {
            "article_id": article.id,
            "title": "好文章",
            "uid": shop.bob.id,
            "level": 1,
            "parent_customer_id": None,
            "read_count": 3,
            "stay_time": 40,
            "forward_friend_count": 2,
            "forward_moments_count": 0,
        }
    ]
    assert [(f["content"], f["username"]) for f in data["follow_ups"]] == [("有意向", "雷达乙")]
    assert [(s["title"], s["phone"]) for s in data["sign_ups"]] == [("开业活动", "13911112222")]


def _relations(shop):
    from sqlalchemy import select

    from app.extensions import db
    from app.models.radar import UserCustomer

    return db.session.scalars(select(UserCustomer).where(UserCustomer.customer_id == shop.reader.id)).all()


def test_detail_tenancy(api, make, radar, shop):
    stranger = radar.customer(make.company())
    assert body(api.as_(shop.admin).get(f"{BASE}/detail/{stranger.id}"))["code"] == 302
    assert body(api.as_(shop.admin).get(f"{BASE}/detail/999999"))["code"] == 302
    assert body(api.as_(make.superadmin()).get(f"{BASE}/detail/{stranger.id}"))["code"] == 200


def test_detail_query_count_is_constant(api, radar, pa_make, share_make, shop, count_queries):
    client = api.as_(shop.admin)
    with count_queries() as few:
        body(client.get(f"{BASE}/detail/{shop.reader.id}"))
    for n in range(5):
        article = pa_make.article(shop.admin, status=STATUS_PUBLISHED)
        share_make.row(article, shop.alice, shop.reader)
        pa_make.sign_up(pa_make.activity(shop.admin), customer=shop.reader)
        radar.events(shop.company, 14, [utcnow()], shop.alice, shop.reader)
        radar.follow(_relations(shop)[0], content=f"跟进{n}")
    with count_queries() as many:
        data = body(client.get(f"{BASE}/detail/{shop.reader.id}"))["data"]["ret_data"]
    assert len(data["articles"]) == 5 and len(data["sign_ups"]) == 6 and len(data["follow_ups"]) == 5
    assert many() == few()


# --- the forwarding tree ----------------------------------------------------------------------------------


@pytest.fixture
def tree(radar, pa_make, share_make, shop):
    """Alice's chain: c1 → c2 → c3 and c1 → c4; c2 → c1 (a forward back up); Bob's chain: c5 alone."""
    article = pa_make.article(shop.admin, status=STATUS_PUBLISHED, title="转发文章")
    c1, c2, c3, c4, c5 = (radar.customer(shop.company, nickname=f"c{n}") for n in range(1, 6))
    r1 = share_make.row(article, shop.alice, c1, stay_time=5)
    r2 = share_make.row(article, shop.alice, c2, r1, stay_time=50)
    share_make.row(article, shop.alice, c3, r2)
    share_make.row(article, shop.alice, c4, r1, read_count=2)
    share_make.row(article, shop.alice, c1, r2)  # c1 opened c2's link too
    share_make.row(article, shop.bob, c5, stay_time=99)
    return article, (c1, c2, c3, c4, c5)


def test_forward_tree(api, shop, tree):
    article, (c1, c2, c3, c4, c5) = tree
    payload = body(api.as_(shop.admin).get(f"{BASE}/forward_tree/{article.id}"))
    assert payload["code"] == 200
    data = payload["data"]
    assert (data["article_id"], data["title"], data["level_num"], data["count"], data["truncated"]) == (
        article.id, "转发文章", 3, 6, False
    )  # fmt: skip
    nodes = {(n["uid"], n["customer_id"], n["level"]): n for n in data["ret_data"]}
    assert nodes[(shop.alice.id, c1.id, 1)]["reach"] == 3  # c2, c3, c4 (the loop back to c1 is not counted)
    assert nodes[(shop.alice.id, c2.id, 2)]["reach"] == 3  # c3, and c1 with its own c4
    assert nodes[(shop.alice.id, c3.id, 3)]["reach"] == 0
    assert nodes[(shop.alice.id, c4.id, 2)]["parent_customer_id"] == c1.id
    assert nodes[(shop.bob.id, c5.id, 1)]["user_name"] == "雷达乙"
    ranking = [(n["customer_id"], n["reach"]) for n in data["ranking"]]
    assert ranking == [(c2.id, 3), (c1.id, 3), (c5.id, 0), (c4.id, 0), (c3.id, 0)]


def test_forward_tree_of_one_radar_user(api, make, radar, shop, tree):
    article, (*_, c5) = tree
    data = body(api.as_(shop.admin).get(f"{BASE}/forward_tree/{article.id}", {"uid": shop.bob.id}))["data"]
    assert [n["customer_id"] for n in data["ret_data"]] == [c5.id] and data["level_num"] == 1
    foreign = radar.user(make.company())
    assert body(api.as_(shop.admin).get(f"{BASE}/forward_tree/{article.id}", {"uid": foreign.id}))["code"] == 302


def test_forward_tree_tenancy(api, make, shop, tree):
    article, _ = tree
    assert body(api.as_(make.admin()).get(f"{BASE}/forward_tree/{article.id}"))["code"] == 302
    assert body(api.as_(make.member(shop.company)).get(f"{BASE}/forward_tree/{article.id}"))["code"] == 403
    assert body(api.as_(make.superadmin()).get(f"{BASE}/forward_tree/{article.id}"))["code"] == 200


def test_forward_tree_query_count_is_constant(api, radar, share_make, shop, tree, count_queries):
    article, (c1, *_) = tree
    client = api.as_(shop.admin)
    with count_queries() as few:
        body(client.get(f"{BASE}/forward_tree/{article.id}"))
    parent = share_make.row(article, shop.bob, c1)
    for _ in range(10):
        parent = share_make.row(article, shop.bob, radar.customer(shop.company), parent)
    with count_queries() as many:
        assert body(client.get(f"{BASE}/forward_tree/{article.id}"))["data"]["level_num"] == 11
    assert many() == few()
