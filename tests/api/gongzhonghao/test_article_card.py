"""15.1's `user_card`: the sharing radar user's card on the article page."""

from app.extensions import db
from app.models.radar import RADAR_DISABLED
from tests.conftest import body

BASE = "/zhugeleida/gongzhonghao/article"


def _read(api, h5, customer=None, pid=""):
    customer = customer or h5.customer
    return body(api.as_(customer).get(f"{BASE}/myarticle/{h5.article.id}", {"uid": h5.user.id, "pid": pid}))


def test_card_of_the_sharing_radar_user(api, h5, share_make):
    h5.user.position, h5.user.mingpian_phone, h5.user.wechat_phone = "销售经理", "13800001111", "13900002222"
    h5.user.avatar, h5.user.qr_code, h5.user.wechat, h5.user.email = (
        "http://a/x.png",
        "statics/qr/1.jpg",
        "wx1",
        "a@b.c",
    )
    db.session.commit()
    share_make.row(h5.article, h5.user, h5.customer)
    payload = _read(api, h5)
    assert payload["code"] == 200
    assert payload["data"]["user_card"] == {
        "uid": h5.user.id,
        "username": "雷达甲",
        "avatar": "http://a/x.png",
        "position": "销售经理",
        "mingpian_phone": "13800001111",
        "wechat": "wx1",
        "email": "a@b.c",
        "qr_code": "statics/qr/1.jpg",
        "company_name": h5.company.name,
    }
    assert "13900002222" not in str(payload)  # the WeChat-bound phone stays private
    assert set(payload["data"]) == {"ret_data", "article_access_log_id", "heartbeat_interval", "user_card"}


def test_card_of_a_forwarded_read_is_still_the_radar_users(api, h5, share_make):
    """A customer who came through another customer's forward sees the chain's radar user, not the forwarder."""
    first = share_make.row(h5.article, h5.user, h5.customer)
    friend = h5.customer_()
    share_make.row(h5.article, h5.user, friend, first)
    payload = _read(api, h5, friend, pid=h5.customer.id)
    assert payload["code"] == 200 and payload["data"]["user_card"]["uid"] == h5.user.id


def test_card_is_null_when_the_radar_user_is_disabled(api, h5, share_make):
    share_make.row(h5.article, h5.user, h5.customer)
    h5.user.status = RADAR_DISABLED
    db.session.commit()
    payload = _read(api, h5)
    assert payload["code"] == 200 and payload["data"]["user_card"] is None


def test_card_costs_a_constant_number_of_queries(api, h5, share_make, count_queries):
    share_make.row(h5.article, h5.user, h5.customer)
    with count_queries() as first:
        assert _read(api, h5)["data"]["user_card"] is not None
    with count_queries() as second:
        _read(api, h5)
    assert first() == second()
