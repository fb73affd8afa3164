"""7.1–7.4 companies."""

from datetime import date

from sqlalchemy import select, text

from app.extensions import db
from app.models.company import Company, CompanyApp
from app.services.companies import expiry_date, service_days
from tests.conftest import body

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
    assert many() == few()


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


def test_update_tongxunlu_stores_secret_encrypted(api, make):
    admin = make.admin()
    form = {"corp_id": "wx81159f52aff62388", "tongxunlu_secret": "-pkF6u6vdXRbapZNb", "weChatQrCode": "statics/q.jpg"}
    payload = body(api.as_(admin).post(f"{BASE}/update_tongxunlu/{admin.company_id}", form))
    assert payload["code"] == 200 and payload["msg"] == "保存成功"
    company = db.session.get(Company, admin.company_id)
    db.session.refresh(company)
    assert company.tongxunlu_secret == "-pkF6u6vdXRbapZNb" and company.is_validate is False
    raw = db.session.execute(text("SELECT tongxunlu_secret FROM company WHERE id = :i"), {"i": company.id}).scalar()
    assert "pkF6u6vdXRbapZNb" not in raw
    listed = body(api.as_(admin).get(BASE))["data"]["ret_data"][0]
    assert "tongxunlu_secret" not in listed and "pkF6u6vdXRbapZNb" not in str(listed)


def test_update_agent_and_author_status(api, make):
    admin = make.admin()
    client = api.as_(admin)
    form = {"app_type": 1, "agent_id": 1000002, "app_secret": "48m2h1e2DRcA55y"}
    assert body(client.post(f"{BASE}/update_agent/{admin.company_id}", form))["code"] == 200
    assert body(client.post(f"{BASE}/update_agent/{admin.company_id}", {**form, "agent_id": 1000003}))["code"] == 200
    apps = db.session.scalars(select(CompanyApp).where(CompanyApp.company_id == admin.company_id)).all()
    assert len(apps) == 1 and apps[0].agent_id == 1000003 and apps[0].secret == "48m2h1e2DRcA55y"
    payload = body(client.get(f"{BASE}/author_status", {"company_id": admin.company_id}))
    assert payload["data"]["ret_data"] == [
        {"name": "通讯录", "is_validate": False},
        {"name": "AI雷达", "is_validate": False, "app_type": 1},
        {"name": "Boss雷达", "is_validate": False, "app_type": 2},
    ]
    assert body(client.post(f"{BASE}/update_agent/{admin.company_id}", {**form, "app_type": 3}))["code"] == 303
    assert body(client.post(f"{BASE}/update_agent/{admin.company_id}", {**form, "agent_id": "x"}))["code"] == 301


def test_other_company_ids_answer_302(api, make):
    one = make.company()
    intruder = make.admin()
    client = api.as_(intruder)
    form = {"corp_id": "wx1", "tongxunlu_secret": "s"}
    assert body(client.post(f"{BASE}/update_tongxunlu/{one.id}", form))["code"] == 302
    assert (
        body(client.post(f"{BASE}/update_agent/{one.id}", {"app_type": 1, "agent_id": 1, "app_secret": "s"}))["code"]
        == 302
    )
    assert body(client.get(f"{BASE}/author_status", {"company_id": one.id}))["code"] == 302
    db.session.refresh(one)
    assert one.corp_id is None and one.apps == []
