"""The customer OAuth entry from an activity link or a card link (no article): the entry URL, then 16.1 without
`article_id` — over HTTP against the sandbox's official-account OAuth."""

from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.radar import Customer, UserCustomer
from app.models.share import ArticleShare
from tests.conftest import body

AUTH = "/zhugeleida/gongzhonghao/work_gongzhonghao_auth"
ENTRY = f"{AUTH}/entry_url"
ACTIVITY_PAGE = "/zhugeleida/gongzhonghao/plugin_report/activity/{}"


def _query(url: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}


@pytest.fixture
def person(h5_sandbox, gzh):
    h5_sandbox.add_user(gzh, "o_bob", nickname="鲍勃", sex=1)
    return "o_bob"


def _entry(api, **query) -> dict:
    return body(api.get(ENTRY, query))


def _login_from(api, h5_sandbox, authorize_url: str, person: str, **page_params) -> dict:
    """Open WeChat's URL, land on the page, send what the page knows (code, appid, its ids) to 16.1."""
    landing = _query(h5_sandbox.open_in_wechat(authorize_url, person))
    return body(api.get(AUTH, {**landing, **page_params}))


def test_entry_url_of_an_activity_page(app, api, h5, pa_make, gzh):
    activity = pa_make.activity(h5.admin)
    payload = _entry(api, company_id=h5.company.id, activity_id=activity.id, uid=h5.user.id)
    assert payload["code"] == 200, payload
    url = payload["data"]["authorize_url"]
    assert url.startswith(app.config["WECHAT_OPEN_BASE"] + "connect/oauth2/authorize?appid=" + gzh)
    query = _query(url)
    assert query["scope"] == "snsapi_base"
    page = app.config["H5_ACTIVITY_URL"].format(activity_id=activity.id)
    assert unquote(query["redirect_uri"]) == f"{page}?uid={h5.user.id}"


def test_entry_url_of_a_card_page(app, api, h5, gzh):
    url = _entry(api, company_id=h5.company.id, uid=h5.user.id)["data"]["authorize_url"]
    assert unquote(_query(url)["redirect_uri"]) == app.config["H5_CARD_URL"].format(uid=h5.user.id)


def test_entry_url_refusals(api, make, radar, pa_make, h5, gzh):
    other = make.admin()
    assert _entry(api, company_id=h5.company.id)["code"] == 303  # neither an activity nor a card
    assert _entry(api, company_id=h5.company.id, activity_id=pa_make.activity(other).id)["code"] == 302
    assert _entry(api, company_id=h5.company.id, uid=radar.user(other.company).id)["code"] == 302
    assert _entry(api, company_id=other.company_id, uid=radar.user(other.company).id)["code"] == 303  # no account
    assert _entry(api, company_id="x", uid=1)["code"] == 301


def test_customer_signs_in_from_an_activity_link_and_reads_it(api, h5, h5_sandbox, pa_make, person):
    """New customer: silent OAuth → consent back to the activity page → signed in; nothing is put in a
    forwarding tree; the session reads the activity (a view counted)."""
    activity = pa_make.activity(h5.admin)
    ids = {"activity_id": activity.id, "uid": h5.user.id}
    url = _entry(api, company_id=h5.company.id, **ids)["data"]["authorize_url"]
    first = _login_from(api, h5_sandbox, url, person, **ids)
    assert first["code"] == 200 and first["data"]["is_verify"] is False, first
    consent = first["data"]["authorize_url"]
    assert _query(consent)["scope"] == "snsapi_userinfo"
    assert unquote(_query(consent)["redirect_uri"]).endswith(f"/activity/{activity.id}?uid={h5.user.id}")
    second = _login_from(api, h5_sandbox, consent, person, **ids)
    assert second["code"] == 200 and second["data"]["is_verify"] is True, second
    customer = db.session.get(Customer, second["data"]["user_id"])
    assert (customer.nickname, customer.company_id) == ("鲍勃", h5.company.id)
    assert db.session.scalar(select(func.count()).select_from(ArticleShare)) == 0
    assert db.session.scalar(select(func.count()).select_from(UserCustomer)) == 0
    page = body(api.as_(customer).get(ACTIVITY_PAGE.format(activity.id), {"uid": h5.user.id}))
    assert page["code"] == 200 and page["data"]["ret_data"]["read_count"] == 1


def test_customer_signs_in_from_a_card_link(api, h5, h5_sandbox, person):
    url = _entry(api, company_id=h5.company.id, uid=h5.user.id)["data"]["authorize_url"]
    consent = _login_from(api, h5_sandbox, url, person, uid=h5.user.id)["data"]["authorize_url"]
    assert unquote(_query(consent)["redirect_uri"]).endswith(f"/card/{h5.user.id}")
    answer = _login_from(api, h5_sandbox, consent, person, uid=h5.user.id)
    assert answer["code"] == 200 and answer["data"]["is_verify"] is True


def test_login_without_article_checks_the_page_before_spending_the_code(api, make, pa_make, h5, h5_sandbox, person):
    url = _entry(api, company_id=h5.company.id, uid=h5.user.id)["data"]["authorize_url"]
    landing = _query(h5_sandbox.open_in_wechat(url, person))
    foreign = pa_make.activity(make.admin())
    assert body(api.get(AUTH, {**landing, "activity_id": foreign.id}))["code"] == 302
    assert body(api.get(AUTH, landing))["code"] == 303  # no article, activity or card named
    answer = body(api.get(AUTH, {**landing, "uid": h5.user.id}))  # the same code still works
    assert answer["code"] == 200 and answer["data"]["is_verify"] is False
