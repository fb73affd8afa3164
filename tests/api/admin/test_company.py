"""7.1–7.4 companies."""

from datetime import date
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from sqlalchemy import func, select, text

from app.extensions import db
from app.models.company import Company, CompanyApp, expiry_date, service_days
from app.models.jobs import Job
from app.models.radar import RadarUser
from tests.conftest import body
from tests.fixtures.wechat import (
    AGENT_ID,
    AGENT_SECRET,
    BOSS_AGENT_ID,
    BOSS_AGENT_SECRET,
    CONTACTS_SECRET,
    CORP_ID,
    link_company,
    wait_for_job,
)

BASE = "/zhugeleida/admin/company"
FORM = {"name": "大麦公司", "charging_start_time": "2018-08-01", "open_length_time": 2, "mingpian_available_num": 5}


def test_list_shape(api, make):
    root = make.superadmin()
    payload = body(api.as_(root).get(BASE, {"current_page": 1, "length": 10, "order": "-create_date"}))
    assert payload["code"] == 200
    item = payload["data"]["ret_data"][0]
    assert set(item) >= {
        "name",
        "company_id",
        "user_count",
        "mingpian_available_num",
        "available_days",
        "used_days",
        "customer_num",
        "charging_start_time",
        "account_expired_time",
        "open_length_time",
        "remarks",
        "corp_id",
        "create_date",
    }
    assert len(item["create_date"]) == 10 and item["charging_start_time"] == "2026-01-01"
    assert item["account_expired_time"] == "2027-01-01"


def test_list_is_scoped_for_company_admins(api, make):
    admin = make.admin()
    make.company()
    payload = body(api.as_(admin).get(BASE))
    assert payload["data"]["data_count"] == 1
    assert payload["data"]["ret_data"][0]["company_id"] == admin.company_id


def test_list_query_count_is_constant(api, make, count_queries):
    client = api.as_(make.superadmin())
    with count_queries() as few:
        client.get(BASE)
    for _ in range(12):
        make.company()
    with count_queries() as many:
        client.get(BASE)
    assert many() == few() + 1  # + the count: a full page does not tell the total (app/pagination.py)


def test_add_company_derives_expiry(api, make):
    payload = body(api.as_(make.superadmin()).post(f"{BASE}/add_company/0", FORM))
    assert payload["code"] == 200 and payload["msg"] == "添加成功"
    company = db.session.scalar(select(Company).where(Company.name == "大麦公司"))
    assert company.account_expired_time == date(2018, 10, 1)


def test_expiry_is_month_end_clamped():
    assert expiry_date(date(2019, 1, 31), 1) == date(2019, 2, 28)
    assert expiry_date(date(2020, 2, 29), 4) == date(2021, 2, 28)
    assert expiry_date(date(2020, 1, 15), 5) == date(2022, 1, 15)


def test_service_days_are_clamped_to_the_term():
    company = Company(charging_start_time=date(2026, 1, 1), account_expired_time=date(2026, 2, 1))
    assert service_days(company, date(2025, 12, 1)) == (0, 31)
    assert service_days(company, date(2026, 1, 11)) == (10, 21)
    assert service_days(company, date(2027, 1, 1)) == (31, 0)


def test_add_company_errors(api, make):
    client = api.as_(make.superadmin())
    client.post(f"{BASE}/add_company/0", FORM)
    assert body(client.post(f"{BASE}/add_company/0", FORM))["code"] == 300
    assert body(client.post(f"{BASE}/add_company/0", {**FORM, "name": "b", "open_length_time": 9}))["code"] == 303
    assert body(client.post(f"{BASE}/add_company/0", {**FORM, "name": "b", "open_length_time": "x"}))["code"] == 301
    assert (
        body(client.post(f"{BASE}/add_company/0", {**FORM, "name": "b", "charging_start_time": "2018-13-01"}))["code"]
        == 301
    )
    assert body(client.post(f"{BASE}/add_company/0", {"name": "b"}))["code"] == 303


def test_update_company(api, make):
    company = make.company()
    client = api.as_(make.superadmin())
    payload = body(client.post(f"{BASE}/update_company/{company.id}", {**FORM, "open_length_time": 4}))
    assert payload["code"] == 200
    db.session.refresh(company)
    assert company.name == "大麦公司" and company.account_expired_time == date(2019, 8, 1)
    assert body(client.post(f"{BASE}/update_company/99999", FORM))["code"] == 302
    other = make.company()
    assert body(client.post(f"{BASE}/update_company/{other.id}", FORM))["code"] == 300


def test_add_and_update_company_are_role_1_only(api, make):
    admin = make.admin()
    member = make.member(admin.company)
    for user in (admin, member):
        client = api.as_(user)
        assert body(client.post(f"{BASE}/add_company/0", FORM))["code"] == 403
        assert body(client.post(f"{BASE}/update_company/{admin.company_id}", FORM))["code"] == 403


def tongxunlu_form(corp, secret=None, **extra):
    return {"corp_id": corp.corpid, "tongxunlu_secret": secret or corp.secret, **extra}


def agent_form(app_type=1, agent_id=AGENT_ID, secret=AGENT_SECRET, **extra):
    return {"app_type": app_type, "agent_id": agent_id, "app_secret": secret, **extra}


def test_update_tongxunlu_validates_saves_encrypted_and_syncs(api, make, wechat_corp):
    """7.3: WeChat accepts the secret → saved encrypted, validated, and the first sync has run (inline)."""
    admin = make.admin(make.company(mingpian_available_num=50))
    form = tongxunlu_form(wechat_corp, weChatQrCode="statics/q.jpg")
    payload = body(api.as_(admin).post(f"{BASE}/update_tongxunlu/{admin.company_id}", form))
    assert payload["code"] == 200 and payload["msg"] == "保存成功" and len(payload["data"]["job_id"]) == 32
    company = db.session.get(Company, admin.company_id)
    db.session.refresh(company)
    assert company.tongxunlu_secret == CONTACTS_SECRET and company.is_validate is True
    assert company.wechat_qr_code == "statics/q.jpg"
    raw = db.session.execute(text("SELECT tongxunlu_secret FROM company WHERE id = :i"), {"i": company.id}).scalar()
    assert CONTACTS_SECRET not in raw
    job = wait_for_job(payload["data"]["job_id"])
    assert job.kind == "wechat_work.sync" and job.status == "finished" and job.company_id == company.id
    assert db.session.scalar(select(func.count()).where(RadarUser.company_id == company.id)) == 20
    listed = body(api.as_(admin).get(BASE))["data"]["ret_data"][0]
    assert "tongxunlu_secret" not in listed and CONTACTS_SECRET not in str(listed)


@pytest.mark.parametrize(
    ("corpid", "secret", "errcode"),
    [("wwnobody", CONTACTS_SECRET, 40013), (CORP_ID, "wrong-secret", 40001), (CORP_ID, "secret-of-other", 40091)],
)
def test_update_tongxunlu_refused_by_wechat_saves_nothing(api, make, sandbox, wechat_corp, corpid, secret, errcode):
    sandbox.seed_corp("wwother", "secret-of-other")
    admin = make.admin()
    form = {"corp_id": corpid, "tongxunlu_secret": secret}
    payload = body(api.as_(admin).post(f"{BASE}/update_tongxunlu/{admin.company_id}", form))
    assert payload["code"] == errcode and ", hint: [" in payload["msg"]
    company = db.session.get(Company, admin.company_id)
    db.session.refresh(company)
    assert (company.corp_id, company.tongxunlu_secret, company.is_validate) == (None, None, False)
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0
    assert secret not in str(payload)


def test_update_tongxunlu_refuses_an_apps_secret(api, make, sandbox, wechat_corp):
    """An app's secret gets a token too: the check is a read only the address-book secret may make."""
    admin = make.admin()
    sandbox.clear_calls()
    payload = body(
        api.as_(admin).post(f"{BASE}/update_tongxunlu/{admin.company_id}", tongxunlu_form(wechat_corp, AGENT_SECRET))
    )
    assert payload["code"] == 48002 and "它不是通讯录同步的 Secret" in payload["msg"]
    assert "「管理工具 - 通讯录同步」" in payload["msg"] and AGENT_SECRET not in str(payload)
    assert [c["path"].rsplit("/cgi-bin/", 1)[1] for c in sandbox.calls()] == ["gettoken", "user/list_id"]
    company = db.session.get(Company, admin.company_id)
    db.session.refresh(company)
    assert (company.corp_id, company.tongxunlu_secret, company.is_validate) == (None, None, False)
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0


def test_update_tongxunlu_wechat_unreachable(api, make, sandbox, wechat_corp):
    sandbox.fail_next("gettoken", http_status=503)
    admin = make.admin()
    payload = body(api.as_(admin).post(f"{BASE}/update_tongxunlu/{admin.company_id}", tongxunlu_form(wechat_corp)))
    assert (payload["code"], payload["msg"]) == (-1, "微信服务暂时不可用，请稍后重试")
    assert db.session.get(Company, admin.company_id).corp_id is None


def test_update_tongxunlu_form_errors(api, make):
    admin = make.admin()
    client = api.as_(admin)
    assert body(client.post(f"{BASE}/update_tongxunlu/{admin.company_id}", {"corp_id": "wx1"}))["code"] == 303
    assert body(client.post(f"{BASE}/update_tongxunlu/{admin.company_id}", {"tongxunlu_secret": "s"}))["code"] == 303
    assert body(client.post(f"{BASE}/update_tongxunlu/99999", {"corp_id": "a", "tongxunlu_secret": "s"}))["code"] == 302


def test_update_tongxunlu_with_another_corp_unvalidates_its_agents(api, make, sandbox, wechat_corp):
    admin = make.admin()
    client = api.as_(admin)
    client.post(f"{BASE}/update_tongxunlu/{admin.company_id}", tongxunlu_form(wechat_corp))
    assert body(client.post(f"{BASE}/update_agent/{admin.company_id}", agent_form()))["code"] == 200
    sandbox.seed_corp("wwsecond", "second-secret")
    moved = client.post(
        f"{BASE}/update_tongxunlu/{admin.company_id}", {"corp_id": "wwsecond", "tongxunlu_secret": "second-secret"}
    )
    assert body(moved)["code"] == 200
    rows = body(client.get(f"{BASE}/author_status"))["data"]["ret_data"]
    assert rows[0]["is_validate"] is True and rows[1]["is_validate"] is False


def test_update_agent_validates_names_and_points_it_at_our_entry(app, api, make, sandbox, wechat_corp):
    """7.4: agent/get under the app secret (the name is WeChat's), agent/set to our OAuth entry, saved."""
    admin = make.admin(link_company(make.company(), wechat_corp))
    app.config["RADAR_OAUTH_BASE_URL"] = "https://radar.example.com"
    client = api.as_(admin)
    payload = body(client.post(f"{BASE}/update_agent/{admin.company_id}", agent_form(name="console name")))
    assert payload["code"] == 200 and payload["msg"] == "保存成功" and payload["data"]["name"] == "诸葛AI雷达"
    apps = db.session.scalars(select(CompanyApp).where(CompanyApp.company_id == admin.company_id)).all()
    assert len(apps) == 1 and (apps[0].agent_id, apps[0].name, apps[0].is_validate) == (AGENT_ID, "诸葛AI雷达", True)
    assert apps[0].secret == AGENT_SECRET
    raw = db.session.execute(text("SELECT secret FROM company_app WHERE id = :i"), {"i": apps[0].id}).scalar()
    assert AGENT_SECRET not in raw
    agent = next(a for a in sandbox.corp(wechat_corp.corpid)["agents"] if a["agentid"] == AGENT_ID)
    assert agent["redirect_domain"] == "radar.example.com"
    home = urlsplit(agent["home_url"])
    query = parse_qs(home.query)
    assert home.path.endswith("/connect/oauth2/authorize") and agent["home_url"].endswith("#wechat_redirect")
    assert query["appid"] == [CORP_ID] and query["agentid"] == [str(AGENT_ID)] and query["scope"] == ["snsapi_base"]
    assert query["redirect_uri"] == [
        f"https://radar.example.com/zhugeleida/qiyeweixin/work_weixin_auth/{admin.company_id}?app_type=1"
    ]
    boss = agent_form(2, BOSS_AGENT_ID, BOSS_AGENT_SECRET)
    assert body(client.post(f"{BASE}/update_agent/{admin.company_id}", boss))["data"]["name"] == "诸葛Boss雷达"


@pytest.mark.parametrize(
    ("form", "errcode"),
    [
        (agent_form(agent_id=AGENT_ID + 99), 40056),  # no such agent
        (agent_form(agent_id=BOSS_AGENT_ID), 301002),  # the secret is another agent's
        (agent_form(secret="wrong-secret"), 40001),  # gettoken refuses the secret
    ],
)
def test_update_agent_refused_by_wechat_saves_nothing(api, make, wechat_corp, form, errcode):
    admin = make.admin(link_company(make.company(), wechat_corp))
    payload = body(api.as_(admin).post(f"{BASE}/update_agent/{admin.company_id}", form))
    assert payload["code"] == errcode
    assert db.session.scalars(select(CompanyApp)).all() == []
    assert form["app_secret"] not in str(payload)


def test_update_agent_unverified_redirect_domain(api, make, sandbox, wechat_corp):
    sandbox.set_corp(wechat_corp.corpid, verified_domains=["other.example.com"])
    admin = make.admin(link_company(make.company(), wechat_corp))
    assert body(api.as_(admin).post(f"{BASE}/update_agent/{admin.company_id}", agent_form()))["code"] == 85005
    assert db.session.scalars(select(CompanyApp)).all() == []


def test_update_agent_trusted_domain_is_the_host_without_port(app, api, make, sandbox, wechat_corp):
    """WeChat takes a verified domain (no port) as redirect_domain: the host of the configured public URL."""
    admin = make.admin(link_company(make.company(), wechat_corp))
    app.config["RADAR_OAUTH_BASE_URL"] = "https://radar.example.com:8443/"
    assert body(api.as_(admin).post(f"{BASE}/update_agent/{admin.company_id}", agent_form()))["code"] == 200
    agent = next(a for a in sandbox.corp(wechat_corp.corpid)["agents"] if a["agentid"] == AGENT_ID)
    assert agent["redirect_domain"] == "radar.example.com"
    assert "https://radar.example.com:8443/zhugeleida/qiyeweixin/" in unquote(agent["home_url"])


def test_update_agent_needs_the_address_book_first(api, make, wechat_corp):
    admin = make.admin()
    client = api.as_(admin)
    payload = body(client.post(f"{BASE}/update_agent/{admin.company_id}", agent_form()))
    assert (payload["code"], payload["msg"]) == (303, "请先添加并验证企业微信通讯录秘钥，再添加应用")
    assert body(client.post(f"{BASE}/update_agent/{admin.company_id}", agent_form(app_type=3)))["code"] == 303
    assert body(client.post(f"{BASE}/update_agent/{admin.company_id}", agent_form(agent_id="x")))["code"] == 301


def test_author_status_reports_the_real_state(api, make, wechat_corp):
    admin = make.admin()
    client = api.as_(admin)
    payload = body(client.get(f"{BASE}/author_status", {"company_id": admin.company_id}))
    assert payload["data"]["ret_data"] == [
        {"name": "通讯录", "is_validate": False, "corp_id": None, "last_sync": None},
        {"name": "AI雷达", "is_validate": False, "app_type": 1},
        {"name": "Boss雷达", "is_validate": False, "app_type": 2},
    ]
    job_id = body(client.post(f"{BASE}/update_tongxunlu/{admin.company_id}", tongxunlu_form(wechat_corp)))["data"][
        "job_id"
    ]
    client.post(f"{BASE}/update_agent/{admin.company_id}", agent_form())
    wait_for_job(job_id)
    rows = body(client.get(f"{BASE}/author_status"))["data"]["ret_data"]
    assert rows[0]["is_validate"] is True and rows[0]["corp_id"] == CORP_ID
    assert rows[0]["last_sync"]["job_id"] == job_id and rows[0]["last_sync"]["status"] == "finished"
    assert rows[1] == {
        "name": "AI雷达",
        "is_validate": True,
        "app_type": 1,
        "agent_id": AGENT_ID,
        "agent_name": "诸葛AI雷达",
    }
    assert rows[2]["is_validate"] is False
    assert all(secret not in str(rows) for secret in (CONTACTS_SECRET, AGENT_SECRET))


def test_other_company_ids_answer_302(api, make, wechat_corp):
    one = make.company()
    intruder = make.admin()
    client = api.as_(intruder)
    assert body(client.post(f"{BASE}/update_tongxunlu/{one.id}", tongxunlu_form(wechat_corp)))["code"] == 302
    assert body(client.post(f"{BASE}/update_agent/{one.id}", agent_form()))["code"] == 302
    assert body(client.get(f"{BASE}/author_status", {"company_id": one.id}))["code"] == 302
    db.session.refresh(one)
    assert one.corp_id is None and one.apps == []


def test_superadmin_may_connect_any_company(api, make, wechat_corp):
    one = make.company()
    payload = body(api.as_(make.superadmin()).post(f"{BASE}/update_tongxunlu/{one.id}", tongxunlu_form(wechat_corp)))
    assert payload["code"] == 200
    db.session.refresh(one)
    assert one.is_validate is True


def test_members_may_not_connect_wechat(api, make, wechat_corp):
    member = make.member()
    client = api.as_(member)
    assert body(client.post(f"{BASE}/update_tongxunlu/{member.company_id}", tongxunlu_form(wechat_corp)))["code"] == 403
    assert body(client.post(f"{BASE}/update_agent/{member.company_id}", agent_form()))["code"] == 403
