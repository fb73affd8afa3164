"""Extensions already in the code before docs/contract_extensions.md listed them, where no test of their own
existed: role 1's `company_id` on 1.6 and 1.7 (the others are pointed to from that page)."""

from datetime import timedelta

from app.timefmt import utcnow
from tests.conftest import body

HOME = "/zhugeleida/admin/home_page"


def test_role_1_reads_a_client_companys_overview_and_trend(api, make, radar):
    """1.6/1.7 with `company_id`: role 1 sees the named company's figures, not its own company's."""
    client_company = make.company()
    for n in range(3):  # yesterday: 1.7 shows the days before today
        radar.customer(client_company, create_date=utcnow() - timedelta(days=1), openid=f"yesterday{n}")
    root = api.as_(make.superadmin())
    overview = body(root.get(f"{HOME}/acount_data", {"company_id": client_company.id}))["data"]["ret_data"]
    assert overview["count_data"]["customer_num"] == 3
    assert body(root.get(f"{HOME}/acount_data"))["data"]["ret_data"]["count_data"]["customer_num"] == 0
    form = {"days": 7, "index_type": 1}
    trend = body(root.post(f"{HOME}/line_info", form, query={"company_id": client_company.id}))["data"]["ret_data"]
    assert sum(point["value"] for point in trend) == 3
    assert body(root.post(f"{HOME}/line_info", form, query={"company_id": 999999}))["code"] == 302


def test_role_2_cannot_name_another_company_on_1_7(api, make):
    admin = make.admin()
    form = {"days": 7, "index_type": 1}
    for other in (make.company().id, 999999):  # another company's, and none's
        answer = body(api.as_(admin).post(f"{HOME}/line_info", form, query={"company_id": other}))
        assert answer["code"] == 302, other
