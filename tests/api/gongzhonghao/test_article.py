"""15.1, 16.4, 16.5: the customer's article page — reads, forwards and stay time on the forwarding tree."""

import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.article import STATUS_UNPUBLISHED, Article
from app.models.radar import AccessLog, UserCustomer
from app.models.share import ArticleShare, ArticleView
from app.services import share
from app.timefmt import utcnow
from tests.conftest import body

BASE = "/zhugeleida/gongzhonghao/article"


def _fresh(model, row_id):
    db.session.expire_all()
    return db.session.get(model, row_id)


def _events(customer):
    db.session.expire_all()
    stmt = select(AccessLog).where(AccessLog.customer_id == customer.id).order_by(AccessLog.id)
    return [(e.action, e.radar_user_id, e.article_id) for e in db.session.scalars(stmt)]


def _open(api, h5, share_make, customer=None, parent=None):
    """The customer's row in h5.user's chain, and its first view."""
    customer = customer or h5.customer
    row = share_make.row(h5.article, h5.user, customer, parent)
    pid = parent.customer_id if parent else ""
    payload = body(api.as_(customer).get(f"{BASE}/myarticle/{h5.article.id}", {"uid": h5.user.id, "pid": pid}))
    assert payload["code"] == 200, payload
    return row, payload["data"]["article_access_log_id"]


# --- 15.1 ---------------------------------------------------------------------------------------


def test_myarticle_shape_and_counts(api, h5, share_make, pa_make):
    """Does a view return the documented article, count a read on the article and on the tree row, log
    action 14 for the chain's radar user and mark the relation active?"""
    tag = pa_make.tag(h5.company, "美食")
    h5.article.tags = [tag]
    db.session.commit()
    relation = h5.radar.relation(h5.user, h5.customer)
    row = share_make.row(h5.article, h5.user, h5.customer)
    payload = body(api.as_(h5.customer).get(f"{BASE}/myarticle/{h5.article.id}", {"uid": h5.user.id, "pid": ""}))
    assert payload["code"] == 200, payload
    item = payload["data"]["ret_data"][0]
    assert set(item) == {
        "id",
        "title",
        "author",
        "avatar",
        "summary",
        "create_date",
        "cover_url",
        "content",
        "tag_list",
        "insert_ads",
    }
    assert item["author"] == "张聪" and item["cover_url"] == "c.png" and item["content"] == "<p>正文</p>"
    assert item["tag_list"] == [{"id": tag.id, "name": "美食"}]
    assert "T" in item["create_date"] and len(item["create_date"]) == 23
    view = _fresh(ArticleView, payload["data"]["article_access_log_id"])
    assert (view.customer_id, view.share_id, view.stay_time) == (h5.customer.id, row.id, 0)
    assert _fresh(Article, h5.article.id).read_count == 1
    assert _fresh(ArticleShare, row.id).read_count == 1
    assert _events(h5.customer) == [(14, h5.user.id, h5.article.id)]
    assert _fresh(UserCustomer, relation.id).last_activity_time is not None


def test_myarticle_tells_the_page_its_heartbeat_interval(api, app, h5, share_make, monkeypatch):
    """The page beats every heartbeat_interval seconds (STAYTIME_HEARTBEAT_INTERVAL), below the per-beat cap."""
    share_make.row(h5.article, h5.user, h5.customer)
    monkeypatch.setitem(app.config, "STAYTIME_HEARTBEAT_INTERVAL", 7)
    payload = body(api.as_(h5.customer).get(f"{BASE}/myarticle/{h5.article.id}", {"uid": h5.user.id}))
    assert payload["data"]["heartbeat_interval"] == 7
    assert app.config["STAYTIME_MAX_STEP"] > 10  # the default interval: a beat on time is counted whole


def test_myarticle_each_view_is_a_new_view_row(api, h5, share_make):
    row, first = _open(api, h5, share_make)
    second = body(api.as_(h5.customer).get(f"{BASE}/myarticle/{h5.article.id}", {"uid": h5.user.id}))
    assert second["data"]["article_access_log_id"] != first
    assert _fresh(ArticleShare, row.id).read_count == 2
    assert _fresh(Article, h5.article.id).read_count == 2


def test_myarticle_counts_on_the_row_of_the_link_opened(api, h5, share_make):
    """A customer in the chain twice (its own level-1 row and under another customer): pid picks the row."""
    sharer = h5.customer_()
    sharer_row = share_make.row(h5.article, h5.user, sharer)
    own = share_make.row(h5.article, h5.user, h5.customer)
    below = share_make.row(h5.article, h5.user, h5.customer, sharer_row)
    query = {"uid": h5.user.id, "pid": sharer.id}
    assert body(api.as_(h5.customer).get(f"{BASE}/myarticle/{h5.article.id}", query))["code"] == 200
    assert (_fresh(ArticleShare, below.id).read_count, _fresh(ArticleShare, own.id).read_count) == (1, 0)


def test_myarticle_own_link_counts_on_the_customers_lowest_row(api, h5, share_make):
    """The sharer opening its own link (pid = itself) reads on its own place in the chain."""
    row = share_make.row(h5.article, h5.user, h5.customer)
    query = {"uid": h5.user.id, "pid": h5.customer.id}
    assert body(api.as_(h5.customer).get(f"{BASE}/myarticle/{h5.article.id}", query))["code"] == 200
    assert _fresh(ArticleShare, row.id).read_count == 1


def test_myarticle_outside_the_chain_is_302_and_counts_nothing(api, h5, share_make, radar):
    other_user = radar.user(h5.company)
    share_make.row(h5.article, other_user, h5.customer)
    payload = body(api.as_(h5.customer).get(f"{BASE}/myarticle/{h5.article.id}", {"uid": h5.user.id}))
    assert payload["code"] == 302
    assert _fresh(Article, h5.article.id).read_count == 0
    assert _events(h5.customer) == []
    assert db.session.scalar(select(ArticleView.id)) is None


def test_myarticle_draft_missing_or_other_company_is_302(api, h5, share_make, make, pa_make):
    share_make.row(h5.article, h5.user, h5.customer)
    other_admin = make.admin()
    foreign = pa_make.article(other_admin, status=1)
    draft = pa_make.article(h5.admin, status=STATUS_UNPUBLISHED)
    for article_id in (foreign.id, draft.id, 999_999):
        payload = body(api.as_(h5.customer).get(f"{BASE}/myarticle/{article_id}", {"uid": h5.user.id}))
        assert payload["code"] == 302, article_id
    assert _fresh(Article, foreign.id).read_count == 0


@pytest.mark.parametrize(
    ("query", "code"),
    [({}, 303), ({"uid": ""}, 303), ({"uid": "x"}, 301), ({"uid": "1", "pid": "y"}, 301), ({"uid": "0"}, 303)],
)
def test_myarticle_bad_query(api, h5, query, code):
    payload = body(api.as_(h5.customer).get(f"{BASE}/myarticle/{h5.article.id}", query))
    assert payload["code"] == code, payload


# --- who may call -----------------------------------------------------------------------------------


def test_customer_credentials_are_required(api, h5, share_make, radar):
    """Unsigned, stale, a radar user's token, a disabled customer: all refused, nothing counted."""
    share_make.row(h5.article, h5.user, h5.customer)
    url, query = f"{BASE}/myarticle/{h5.article.id}", {"uid": h5.user.id}
    assert body(api.get(url, query))["code"] == 400
    stale = int((time.time() - 3600) * 1000)
    assert body(api.as_(h5.customer).get(url, query, timestamp=stale))["code"] == 400
    # The radar user's own credentials do not make it a customer (even if the ids happen to match).
    impostor = type("Impostor", (), {"id": h5.customer.id, "token": h5.user.token})()
    assert body(api.as_(impostor).get(url, query))["code"] == 400
    h5.customer.status = 2
    db.session.commit()
    assert body(api.as_(h5.customer).get(url, query))["code"] == 306
    assert _fresh(Article, h5.article.id).read_count == 0


def test_another_companys_customer_cannot_read(api, h5, share_make, make, radar):
    """A customer token of company B on company A's article: 302, as for a missing article."""
    share_make.row(h5.article, h5.user, h5.customer)
    outsider = radar.customer(make.company())
    payload = body(api.as_(outsider).get(f"{BASE}/myarticle/{h5.article.id}", {"uid": h5.user.id}))
    assert payload["code"] == 302


# --- 16.4 ----------------------------------------------------------------------------------------


def test_forward_article_counts_per_type(api, h5, share_make):
    row = share_make.row(h5.article, h5.user, h5.customer)
    url = f"{BASE}/forward_article/{h5.article.id}"
    for forward_type in (1, 2, 2):
        payload = body(api.as_(h5.customer).get(url, {"uid": h5.user.id, "pid": "", "forward_type": forward_type}))
        assert payload == {"code": 200, "msg": "记录转发成功", "data": {}}
    row = _fresh(ArticleShare, row.id)
    assert (row.forward_friend_count, row.forward_moments_count) == (1, 2)
    assert _fresh(Article, h5.article.id).forward_count == 3
    assert _events(h5.customer) == [(15, h5.user.id, h5.article.id)] + [(16, h5.user.id, h5.article.id)] * 2


@pytest.mark.parametrize(("forward_type", "code"), [(None, 303), (3, 303), ("a", 301)])
def test_forward_article_bad_type(api, h5, share_make, forward_type, code):
    share_make.row(h5.article, h5.user, h5.customer)
    query = {"uid": h5.user.id} | ({} if forward_type is None else {"forward_type": forward_type})
    assert body(api.as_(h5.customer).get(f"{BASE}/forward_article/{h5.article.id}", query))["code"] == code
    assert _events(h5.customer) == []


def test_forward_article_outside_chain_or_company_is_302(api, h5, share_make, make, pa_make):
    foreign = pa_make.article(make.admin(), status=1)
    query = {"uid": h5.user.id, "forward_type": 1}
    assert body(api.as_(h5.customer).get(f"{BASE}/forward_article/{h5.article.id}", query))["code"] == 302
    share_make.row(h5.article, h5.user, h5.customer)
    assert body(api.as_(h5.customer).get(f"{BASE}/forward_article/{foreign.id}", query))["code"] == 302
    assert _fresh(Article, foreign.id).forward_count == 0


# --- 16.5 ----------------------------------------------------------------------------------------


def _rewind(view_id, seconds):
    """The view's previous heartbeat `seconds` before now (to the second, as the server keeps it)."""
    view = _fresh(ArticleView, view_id)
    view.last_beat_at = utcnow().replace(microsecond=0) - timedelta(seconds=seconds)
    db.session.commit()


def _beat(api, h5, view_id, customer=None, article_id=None, **kwargs):
    query = {"uid": h5.user.id, "pid": "", "article_access_log_id": view_id}
    url = f"{BASE}/staytime/{article_id or h5.article.id}"
    return body(api.as_(customer or h5.customer).get(url, query, **kwargs))


def test_staytime_adds_the_time_since_the_previous_heartbeat(api, app, h5, share_make):
    row, view_id = _open(api, h5, share_make)
    _rewind(view_id, 7)
    interval = {"heartbeat_interval": app.config["STAYTIME_HEARTBEAT_INTERVAL"]}
    assert _beat(api, h5, view_id) == {"code": 200, "msg": "记录客户查看文章时间成功", "data": interval}
    first = _fresh(ArticleView, view_id).stay_time
    assert first in (7, 8)  # 8 when the clock's second turned between the rewind and the heartbeat
    assert _fresh(ArticleShare, row.id).stay_time == first
    _rewind(view_id, 5)
    _beat(api, h5, view_id)
    second = _fresh(ArticleView, view_id).stay_time - first
    assert second in (5, 6)
    assert _fresh(ArticleShare, row.id).stay_time == first + second


def test_a_busy_process_asks_for_the_next_heartbeat_later(api, app, h5, share_make, monkeypatch):
    """While the process is busy (share.BusyMeter: its heartbeats queue before the app), 16.5 answers twice the
    interval, at most STAYTIME_MAX_STEP; otherwise, or with STAYTIME_BUSY_QUEUE_MS 0, the interval."""
    monkeypatch.setitem(app.config, "STAYTIME_HEARTBEAT_INTERVAL", 10)
    monkeypatch.setitem(app.config, "STAYTIME_MAX_STEP", 30)
    monkeypatch.setitem(app.config, "STAYTIME_BUSY_QUEUE_MS", 100)
    meter = share.BusyMeter()
    monkeypatch.setitem(app.extensions, share.BUSY_METER, meter)
    _row, view_id = _open(api, h5, share_make)

    def asked(start: str | None = None) -> int:
        headers = {} if start is None else {"X-Request-Start": start}
        answer = _beat(api, h5, view_id, headers=headers)
        assert answer["code"] == 200, answer
        return answer["data"]["heartbeat_interval"]

    assert asked() == 10
    assert asked(f"t={time.time() - 0.5:.3f}") == 10  # one heartbeat that waited does not make it busy
    meter.until = time.time() + 60
    assert asked() == 20
    monkeypatch.setitem(app.config, "STAYTIME_MAX_STEP", 15)
    assert asked() == 15
    monkeypatch.setitem(app.config, "STAYTIME_BUSY_QUEUE_MS", 0)
    assert asked() == 10  # switched off


def test_staytime_is_capped_per_heartbeat(api, app, h5, share_make):
    """A page that was left an hour (or a client claiming so) adds at most STAYTIME_MAX_STEP."""
    row, view_id = _open(api, h5, share_make)
    _rewind(view_id, 3600)
    _beat(api, h5, view_id)
    cap = app.config["STAYTIME_MAX_STEP"]
    assert _fresh(ArticleView, view_id).stay_time == cap
    assert _fresh(ArticleShare, row.id).stay_time == cap


def test_staytime_heartbeats_in_a_burst_add_nothing(api, h5, share_make):
    """Firing heartbeats as fast as possible cannot inflate the stay time: the server's clock measures it."""
    row, view_id = _open(api, h5, share_make)
    for _ in range(5):
        assert _beat(api, h5, view_id)["code"] == 200
    assert _fresh(ArticleShare, row.id).stay_time <= 1


def test_staytime_of_another_customers_or_articles_view_is_302(api, h5, share_make, pa_make):
    row, view_id = _open(api, h5, share_make)
    _rewind(view_id, 10)
    other = h5.customer_()
    other_article = pa_make.article(h5.admin, status=1)
    assert _beat(api, h5, view_id, customer=other)["code"] == 302
    assert _beat(api, h5, view_id, article_id=other_article.id)["code"] == 302
    assert _beat(api, h5, 999_999)["code"] == 302
    assert _fresh(ArticleShare, row.id).stay_time == 0


@pytest.mark.parametrize(("view_id", "code"), [(None, 303), ("", 303), ("abc", 301)])
def test_staytime_bad_view_id(api, h5, view_id, code):
    query = {"uid": h5.user.id} | ({} if view_id is None else {"article_access_log_id": view_id})
    assert body(api.as_(h5.customer).get(f"{BASE}/staytime/{h5.article.id}", query))["code"] == code
