"""16.6: a radar user ranks the customers of one level of its own forwarding chain of an article."""

import pytest

from app.extensions import db
from tests.conftest import body

URL = "/zhugeleida/qiyeweixin/article/customer_effect_ranking_by_level/{}"


@pytest.fixture
def tree(h5, share_make):
    """h5.user's chain: three customers at level 1, two at level 2 under the first, one at level 3."""
    c = [h5.customer] + [h5.customer_(nickname=f"客户{i}", province="山西", city="运城", sex=1) for i in range(5)]
    l1 = [
        share_make.row(h5.article, h5.user, c[0], stay_time=5, read_count=1),
        share_make.row(h5.article, h5.user, c[1], stay_time=20, read_count=1),
        share_make.row(h5.article, h5.user, c[2], stay_time=5, read_count=4),
    ]
    l2 = [
        share_make.row(h5.article, h5.user, c[3], l1[0], stay_time=1),
        share_make.row(h5.article, h5.user, c[4], l1[0], stay_time=2),
    ]
    share_make.row(h5.article, h5.user, c[5], l2[1])
    return c


def _rank(api, h5, **query):
    return body(api.as_(h5.user).get(URL.format(h5.article.id), query))


def test_first_load_gives_the_depth_and_level_1_ordered(api, h5, tree):
    """level=0: level_num and level 1, longest stay first, then most reads."""
    c = tree
    payload = _rank(api, h5, level=0)
    assert payload["code"] == 200 and payload["msg"] == "返回成功"
    data = payload["data"]
    assert (data["level_num"], data["count"], data["article_id"]) == (3, 3, str(h5.article.id))
    assert [r["customer_id"] for r in data["ret_data"]] == [c[1].id, c[2].id, c[0].id]
    assert data["ret_data"][0] == {
        "article_id": h5.article.id,
        "uid": h5.user.id,
        "user_name": "雷达甲",
        "customer_id": c[1].id,
        "customer_name": "客户0",
        "customer_headimgurl": None,
        "sex": "男",
        "area": "山西运城",
        "read_count": 1,
        "stay_time": 20,
        "level": 1,
    }


def test_a_deeper_level(api, h5, tree):
    c = tree
    data = _rank(api, h5, level=2)["data"]
    assert [r["customer_id"] for r in data["ret_data"]] == [c[4].id, c[3].id]
    assert data["count"] == 2 and data["level_num"] == 3
    assert [r["customer_id"] for r in _rank(api, h5, level=3)["data"]["ret_data"]] == [c[5].id]
    empty = _rank(api, h5, level=4)["data"]
    assert (empty["ret_data"], empty["count"]) == ([], 0)


def test_pagination(api, h5, tree):
    c = tree
    data = _rank(api, h5, level=1, current_page=2, length=2)["data"]
    assert [r["customer_id"] for r in data["ret_data"]] == [c[0].id]
    assert data["count"] == 3


def test_only_the_callers_own_chain(api, h5, tree, radar, share_make):
    """Another radar user's chain of the same article is not counted, and it sees only its own."""
    other = radar.user(h5.company)
    share_make.row(h5.article, other, h5.customer_(), stay_time=99)
    assert _rank(api, h5, level=1)["data"]["count"] == 3
    data = body(api.as_(other).get(URL.format(h5.article.id), {"level": 0}))["data"]
    assert (data["level_num"], data["count"]) == (1, 1)
    assert body(api.as_(h5.user).get(URL.format(h5.article.id), {"uid": other.id}))["code"] == 403


def test_no_chain_yet(api, h5):
    data = _rank(api, h5)["data"]
    assert (data["level_num"], data["ret_data"], data["count"]) == (0, [], 0)


def test_other_companys_or_missing_article_is_302(api, h5, make, pa_make):
    foreign = pa_make.article(make.admin(), status=1)
    for article_id in (foreign.id, 999_999):
        assert body(api.as_(h5.user).get(URL.format(article_id), {"level": 0}))["code"] == 302


@pytest.mark.parametrize(
    ("query", "code"), [({"level": "x"}, 301), ({"level": -1}, 303), ({"length": 101}, 303), ({"uid": "a"}, 301)]
)
def test_bad_query(api, h5, query, code):
    assert _rank(api, h5, **query)["code"] == code


def test_radar_user_credentials_are_required(api, h5, tree):
    url = URL.format(h5.article.id)
    assert body(api.get(url, {"level": 0}))["code"] == 400
    assert body(api.as_(h5.customer).get(url, {"level": 0}))["code"] == 400
    impostor = type("Impostor", (), {"id": h5.user.id, "token": h5.customer.token})()
    assert body(api.as_(impostor).get(url, {"level": 0}))["code"] == 400
    h5.user.status = 2
    db.session.commit()
    assert body(api.as_(h5.user).get(url, {"level": 0}))["code"] == 306


def test_query_count_is_constant(api, h5, share_make, count_queries):
    def run():
        with count_queries() as n:
            assert len(_rank(api, h5, level=1, length=100)["data"]["ret_data"]) == len(rows)
        return n()

    rows = [share_make.row(h5.article, h5.user, h5.customer_()) for _ in range(2)]
    few = run()
    rows += [share_make.row(h5.article, h5.user, h5.customer_()) for _ in range(15)]
    assert run() == few
