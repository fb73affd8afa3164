"""16.1 customer login, 16.2 share links, 16.3 JS-SDK, and the radar user's own link — over HTTP against the
sandbox's official-account OAuth (through the third-party platform) and its test-driver users."""

import time
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from sqlalchemy import select

from app.extensions import db
from app.limits import OAUTH_FAILED_MSG
from app.models.radar import SOURCE_ARTICLE, Customer, UserCustomer
from app.models.share import ArticleShare
from app.services.jssdk import signature, ticket_key
from app.wechat.tokens import token_store
from tests.conftest import body
from tests.fixtures.wechat import COMPONENT_CONFIG

AUTH = "/zhugeleida/gongzhonghao/work_gongzhonghao_auth"
SHARE = f"{AUTH}/create_gongzhonghao_share_auth_url"
SIGN = f"{AUTH}/gongzhonghao_share_sign"
RADAR_SHARE = "/zhugeleida/qiyeweixin/article/create_share_url/{}"


def _query(url: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}


def _landing(h5_sandbox, authorize_url: str, openid: str) -> dict:
    """The H5 page WeChat sends the user to: its query plus the article id of its path (what the page sends to 16.1)."""
    location = h5_sandbox.open_in_wechat(authorize_url, openid)
    return {**_query(location), "article_id": urlsplit(location).path.rsplit("/", 1)[-1]}


def _radar_link(api, h5) -> str:
    payload = body(api.as_(h5.user).get(RADAR_SHARE.format(h5.article.id)))
    assert payload["code"] == 200, payload
    return payload["data"]["share_url"]


def _login(api, landing: dict) -> dict:
    return body(api.get(AUTH, landing))


def _customers():
    """The customers 16.1 created (the h5 fixture's own customer has an openid of another form)."""
    db.session.expire_all()
    return db.session.scalars(
        select(Customer).where(Customer.openid.startswith("o_", autoescape=True)).order_by(Customer.id)
    ).all()


@pytest.fixture
def person(h5_sandbox, gzh):
    """A WeChat user of the official account, as the sandbox's test driver knows it."""
    h5_sandbox.add_user(gzh, "o_alice", nickname="安欧巴😀", sex=1, province="山西", city="运城", country="中国")
    return "o_alice"


def test_radar_users_link_is_the_accounts_oauth_url(app, api, h5, gzh):
    url = _radar_link(api, h5)
    parts = urlsplit(url)
    assert url.startswith(app.config["WECHAT_OPEN_BASE"] + "connect/oauth2/authorize?appid=" + gzh + "&redirect_uri=")
    assert url.endswith(f"&component_appid={COMPONENT_CONFIG['COMPONENT_APPID']}#wechat_redirect")
    query = _query(url)
    assert (query["scope"], query["state"], query["response_type"]) == ("snsapi_base", "snsapi_base", "code")
    page = unquote(query["redirect_uri"])
    assert page.startswith(app.config["H5_ARTICLE_URL"].format(article_id=h5.article.id) + "?")
    params = _query(page)
    assert (params["uid"], params["pid"], params["level"]) == (str(h5.user.id), "", "1")
    assert params["company_id"] == str(h5.company.id) and len(params["sign"]) == 32
    assert parts.fragment == "wechat_redirect"


def test_new_customer_consents_then_is_created_and_recorded(api, h5, h5_sandbox, person):
    """snsapi_base for an unknown customer → situation 1; after consent (snsapi_userinfo) → situation 2, the
    customer created from its user info, placed at level 1 under the radar user and linked to it."""
    first = _login(api, _landing(h5_sandbox, _radar_link(api, h5), person))
    assert first["code"] == 200 and first["data"]["is_verify"] is False, first
    consent = first["data"]["authorize_url"]
    assert (_query(consent)["scope"], _query(consent)["state"]) == ("snsapi_userinfo", "snsapi_userinfo")
    assert _customers() == []
    second = _login(api, _landing(h5_sandbox, consent, person))
    assert second["code"] == 200, second
    [customer] = _customers()
    assert second["data"] == {"user_id": customer.id, "token": customer.token, "is_verify": True}
    assert (customer.nickname, customer.sex, customer.province, customer.city) == ("安欧巴😀", 1, "山西", "运城")
    assert (customer.company_id, customer.openid, customer.user_type) == (h5.company.id, person, 1)
    row = db.session.scalars(select(ArticleShare)).one()
    assert (row.customer_id, row.radar_user_id, row.level, row.parent_customer_id) == (customer.id, h5.user.id, 1, None)
    relation = db.session.scalars(select(UserCustomer)).one()
    assert (relation.radar_user_id, relation.customer_id, relation.source) == (h5.user.id, customer.id, SOURCE_ARTICLE)
    # Next time the silent login is enough, with the same token.
    again = _login(api, _landing(h5_sandbox, _radar_link(api, h5), person))
    assert again["data"] == second["data"]
    assert len(_customers()) == 1 and db.session.scalar(select(db.func.count()).select_from(ArticleShare)) == 1


def test_the_token_from_16_1_signs_the_article_page(api, h5, h5_sandbox, person):
    consent = _login(api, _landing(h5_sandbox, _radar_link(api, h5), person))["data"]["authorize_url"]
    _login(api, _landing(h5_sandbox, consent, person))
    customer = _customers()[0]
    page = body(
        api.as_(customer).get(f"/zhugeleida/gongzhonghao/article/myarticle/{h5.article.id}", {"uid": h5.user.id})
    )
    assert page["code"] == 200 and page["data"]["ret_data"][0]["id"] == h5.article.id


@pytest.mark.parametrize(
    "change", [{"level": "2"}, {"uid": "999"}, {"pid": "1"}, {"sign": "0" * 32}, {"sign": ""}, {"company_id": "999"}]
)
def test_forged_share_parameters_are_refused_before_the_code_is_spent(api, h5, h5_sandbox, person, change):
    landing = _landing(h5_sandbox, _radar_link(api, h5), person)
    payload = _login(api, {**landing, **change})
    assert payload["code"] == 403, payload
    assert _login(api, landing)["code"] == 200  # the code was not used up by the refused call
    assert db.session.scalar(select(db.func.count()).select_from(ArticleShare)) == 0


def test_another_companys_article_is_refused(api, h5, h5_sandbox, person, make, pa_make):
    foreign = pa_make.article(make.admin(), status=1)
    landing = _landing(h5_sandbox, _radar_link(api, h5), person)
    assert _login(api, {**landing, "article_id": str(foreign.id)})["code"] == 403  # signed for another article
    plain = {k: v for k, v in landing.items() if k in ("code", "state", "appid")} | {"article_id": foreign.id}
    assert _login(api, plain)["code"] == 302


def test_wechat_refuses_a_used_or_unknown_code(api, h5, h5_sandbox, person):
    landing = _landing(h5_sandbox, _radar_link(api, h5), person)
    assert _login(api, landing)["code"] == 200
    used = _login(api, landing)
    assert used["code"] == 40163 and used["msg"] == OAUTH_FAILED_MSG  # never WeChat's errmsg (our egress IP)
    assert _login(api, {**landing, "code": "forged"})["code"] == 40029


def test_unknown_or_unauthorised_account_is_302(api, h5, h5_sandbox, person):
    landing = _landing(h5_sandbox, _radar_link(api, h5), person)
    assert _login(api, {**landing, "appid": "wxunknown00000000"})["code"] == 302


@pytest.mark.parametrize("missing", ["code", "appid", "article_id"])
def test_missing_parameters_are_303(api, h5, h5_sandbox, person, missing):
    landing = _landing(h5_sandbox, _radar_link(api, h5), person)
    assert _login(api, {k: v for k, v in landing.items() if k != missing})["code"] == 303


def test_a_disabled_customer_is_refused(api, h5, h5_sandbox, person):
    consent = _login(api, _landing(h5_sandbox, _radar_link(api, h5), person))["data"]["authorize_url"]
    _login(api, _landing(h5_sandbox, consent, person))
    customer = _customers()[0]
    customer.status = 2
    db.session.commit()
    assert _login(api, _landing(h5_sandbox, _radar_link(api, h5), person))["code"] == 306


# --- 16.2 -------------------------------------------------------------------------------------------


def _customer_at_level_1(api, h5, h5_sandbox, person) -> Customer:
    consent = _login(api, _landing(h5_sandbox, _radar_link(api, h5), person))["data"]["authorize_url"]
    _login(api, _landing(h5_sandbox, consent, person))
    return _customers()[0]


def test_share_url_carries_the_next_level(app, api, h5, h5_sandbox, person):
    customer = _customer_at_level_1(api, h5, h5_sandbox, person)
    query = {"uid": h5.user.id, "level": 7, "article_id": h5.article.id, "company_id": h5.company.id, "pid": ""}
    payload = body(api.as_(customer).get(SHARE, query))
    assert payload["code"] == 200 and payload["msg"] == "返回成功"
    params = _query(unquote(_query(payload["data"]["share_url"])["redirect_uri"]))
    assert (params["uid"], params["pid"], params["level"]) == (str(h5.user.id), str(customer.id), "2")


def test_share_url_refusals(api, h5, h5_sandbox, person, make, pa_make, radar):
    customer = _customer_at_level_1(api, h5, h5_sandbox, person)
    base = {"uid": h5.user.id, "article_id": h5.article.id, "company_id": h5.company.id}
    signed = api.as_(customer)
    assert body(signed.get(SHARE, {**base, "company_id": make.company().id}))["code"] == 302
    assert body(signed.get(SHARE, {**base, "article_id": pa_make.article(make.admin(), status=1).id}))["code"] == 302
    assert body(signed.get(SHARE, {**base, "uid": radar.user(h5.company).id}))["code"] == 302  # not in that chain
    assert body(signed.get(SHARE, {k: v for k, v in base.items() if k != "uid"}))["code"] == 303
    assert body(api.get(SHARE, base))["code"] == 400
    assert body(api.as_(h5.user).get(SHARE, base))["code"] == 400


# --- 16.3 -------------------------------------------------------------------------------------------


def test_jssdk_signature(api, h5, h5_sandbox, person, sandbox, gzh):
    """Signed with the company's ticket (fetched once, then shared through the token store), over the URL the
    page sent without its fragment; the timestamp is in seconds."""
    customer = _customer_at_level_1(api, h5, h5_sandbox, person)
    page = f"https://h5.example.com/yulanwenzhang/{h5.article.id}?pid=&level=1"
    before = len([c for c in sandbox.calls() if c["path"].endswith("ticket/getticket")])
    answers = [
        body(api.as_(customer).get(SIGN, {"company_id": h5.company.id, "url": page + suffix}))
        for suffix in ("#comment", "")
    ]
    ticket = token_store().get(ticket_key(gzh))
    for answer in answers:
        assert answer["code"] == 200 and answer["msg"] == "查询成功"
        data = answer["data"]
        assert set(data) == {"appid", "timestamp", "nonceStr", "signature"} and data["appid"] == gzh
        assert isinstance(data["timestamp"], int) and abs(data["timestamp"] - time.time()) < 60
        assert len(data["nonceStr"]) == 16
        assert data["signature"] == signature(ticket, data["nonceStr"], data["timestamp"], page)
    calls = [c for c in sandbox.calls() if c["path"].endswith("ticket/getticket")]
    assert len(calls) - before == 1  # cached for the company, fetched once


def test_jssdk_refusals(api, h5, h5_sandbox, person, make):
    customer = _customer_at_level_1(api, h5, h5_sandbox, person)
    signed = api.as_(customer)
    page = "https://h5.example.com/a"
    assert body(signed.get(SIGN, {"company_id": make.company().id, "url": page}))["code"] == 302
    assert body(signed.get(SIGN, {"company_id": h5.company.id}))["code"] == 303
    assert body(signed.get(SIGN, {"company_id": h5.company.id, "url": "javascript:alert(1)"}))["code"] == 303
    assert body(api.get(SIGN, {"company_id": h5.company.id, "url": page}))["code"] == 400


def test_company_without_an_official_account(api, h5, radar):
    assert body(api.as_(h5.user).get(RADAR_SHARE.format(h5.article.id)))["code"] == 303
    assert (
        body(api.as_(h5.customer).get(SIGN, {"company_id": h5.company.id, "url": "https://h5.example.com/a"}))["code"]
        == 303
    )


def test_radar_share_url_refusals(api, h5, gzh, make, pa_make):
    foreign = pa_make.article(make.admin(), status=1)
    draft = pa_make.article(h5.admin, status=2)
    for article_id in (foreign.id, draft.id, 999_999):
        assert body(api.as_(h5.user).get(RADAR_SHARE.format(article_id)))["code"] == 302
    assert body(api.as_(h5.customer).get(RADAR_SHARE.format(h5.article.id)))["code"] == 400


def test_jssdk_ticket_is_fetched_again_once_gone(api, h5, h5_sandbox, person, gzh):
    customer = _customer_at_level_1(api, h5, h5_sandbox, person)
    query = {"company_id": h5.company.id, "url": "https://h5.example.com/a"}
    assert body(api.as_(customer).get(SIGN, query))["code"] == 200
    first = token_store().get(ticket_key(gzh))
    token_store().delete(ticket_key(gzh))  # its TTL ran out
    h5_sandbox.expire_tickets()
    db.session.commit()
    assert body(api.as_(customer).get(SIGN, query))["code"] == 200
    assert token_store().get(ticket_key(gzh)) not in (None, first)


def test_customer_login_survives_an_expired_component_token(api, h5, h5_sandbox, person):
    """Is a component token that WeChat refuses during the code exchange refreshed once, and the login kept?"""
    consent = _login(api, _landing(h5_sandbox, _radar_link(api, h5), person))["data"]["authorize_url"]
    landing = _landing(h5_sandbox, consent, person)
    h5_sandbox._call("POST", "open_platform/tokens/expire")
    second = _login(api, landing)
    assert second["code"] == 200 and second["data"]["is_verify"] is True, second
