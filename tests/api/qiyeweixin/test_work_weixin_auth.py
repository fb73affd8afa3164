"""The radar user's login: WeChat Work OAuth through the company's AI雷达 app, against the sandbox."""

from urllib.parse import parse_qs, urlsplit

import pytest

from app.extensions import db
from app.limits import OAUTH_FAILED_MSG
from app.models.company import APP_AI_RADAR
from app.models.radar import RADAR_DISABLED, RadarUser
from app.wechat.work import oauth_home_url, radar_entry
from tests.conftest import body
from tests.fixtures.wechat import AGENT_ID, CORP_ID

URL = "/zhugeleida/qiyeweixin/work_weixin_auth/{}"
RANKING = "/zhugeleida/qiyeweixin/article/customer_effect_ranking_by_level/{}"


@pytest.fixture
def member(radar, radar_apps_company):
    """The radar user of the sandbox corp's member user00001."""
    return radar.user(radar_apps_company, userid="user00001", username="成员00001")


def _login(api, company, code, **query):
    return body(api.get(URL.format(company.id), {"code": code, **query}))


def test_login_through_the_apps_oauth_page(api, make, h5_sandbox, member, radar_apps_company, pa_make):
    """The app's home page (7.4) → WeChat Work's OAuth page → our entry with a code → id and token, which
    then sign radar-user requests."""
    entry, _domain = radar_entry(radar_apps_company.id, APP_AI_RADAR)
    redirected = h5_sandbox.open_in_wechat(oauth_home_url(CORP_ID, AGENT_ID, entry), "user00001")
    parts = urlsplit(redirected)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert parts.path == URL.format(radar_apps_company.id) and query["state"] == "zhugeleida"
    payload = body(api.get(parts.path, query))
    assert payload["code"] == 200, payload
    assert payload["data"] == {
        "user_id": member.id,
        "token": member.token,
        "username": "成员00001",
        "company_id": radar_apps_company.id,
    }
    db.session.expire_all()
    assert db.session.get(RadarUser, member.id).last_login_date is not None
    article = pa_make.article(make.admin(radar_apps_company), status=1)
    signed = api.as_(db.session.get(RadarUser, member.id))
    assert body(signed.get(RANKING.format(article.id), {"level": 0}))["code"] == 200


def test_login_with_the_boss_app(api, h5_sandbox, member, radar_apps_company):
    code = h5_sandbox.work_code(CORP_ID, "user00001")
    assert _login(api, radar_apps_company, code, app_type=2)["data"]["user_id"] == member.id


def test_a_code_is_single_use_and_checked_by_wechat(api, h5_sandbox, member, radar_apps_company):
    code = h5_sandbox.work_code(CORP_ID, "user00001")
    assert _login(api, radar_apps_company, code)["code"] == 200
    again = _login(api, radar_apps_company, code)
    assert again["code"] == 40029 and again["msg"] == OAUTH_FAILED_MSG  # never WeChat's errmsg (our egress IP)
    assert _login(api, radar_apps_company, "forged")["code"] == 40029


def test_outsiders_and_unknown_members_are_refused(api, h5_sandbox, radar_apps_company):
    outsider = h5_sandbox.work_code(CORP_ID, openid="o_outsider")
    assert _login(api, radar_apps_company, outsider)["code"] == 403
    not_a_radar_user = h5_sandbox.work_code(CORP_ID, "user00002")
    assert _login(api, radar_apps_company, not_a_radar_user)["code"] == 302


def test_a_disabled_radar_user_is_refused(api, h5_sandbox, member, radar_apps_company):
    member.status = RADAR_DISABLED
    db.session.commit()
    payload = _login(api, radar_apps_company, h5_sandbox.work_code(CORP_ID, "user00001"))
    assert payload["code"] == 306
    db.session.expire_all()
    assert db.session.get(RadarUser, member.id).last_login_date is None


def test_another_companys_member_cannot_log_in_here(api, h5_sandbox, radar, make, radar_apps_company):
    """A radar user with the same userid in another company is not the one this corp's code names."""
    radar.user(make.company(), userid="user00001")
    assert _login(api, radar_apps_company, h5_sandbox.work_code(CORP_ID, "user00001"))["code"] == 302


def test_company_missing_or_without_app(api, make, h5_sandbox, wechat_corp):
    assert _login(api, type("C", (), {"id": 999_999})(), "x")["code"] == 302
    bare = make.company(corp_id=CORP_ID)
    payload = _login(api, bare, "x")
    assert payload["code"] == 303 and "AI雷达" in payload["msg"]


@pytest.mark.parametrize(("query", "code"), [({}, 303), ({"code": ""}, 303), ({"code": "c", "app_type": 3}, 303)])
def test_bad_query(api, radar_apps_company, query, code):
    assert body(api.get(URL.format(radar_apps_company.id), query))["code"] == code
