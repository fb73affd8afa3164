"""1.5–1.7 the dashboard, against hand-built events on the window edges (Asia/Shanghai days)."""

from datetime import timedelta

import pytest

from app.extensions import db
from app.models.admin import Role
from app.models.company import service_days
from app.services.stat_rollup import utc_midnight
from app.timefmt import local_today, utcnow
from tests.conftest import body

BASE = "/zhugeleida/admin/home_page"
SECOND = timedelta(seconds=1)
ZERO = {"customer_num": 0, "follow_num": 0, "browse_num": 0, "forward_num": 0, "saved_total_num": 0, "praise_sum": 0}


def _edges() -> dict[str, object]:
    """Naive-UTC instants on each side of the window boundaries of 1.6, in TIMEZONE."""
    today = local_today()
    return {
        "today_start": utc_midnight(today),
        "yesterday_last": utc_midnight(today) - SECOND,
        "yesterday_start": utc_midnight(today - timedelta(days=1)),
        "day7_start": utc_midnight(today - timedelta(days=7)),
        "day8_last": utc_midnight(today - timedelta(days=7)) - SECOND,
        "day30_start": utc_midnight(today - timedelta(days=30)),
        "day31_last": utc_midnight(today - timedelta(days=30)) - SECOND,
    }


# Where each edge instant falls: (count, today, yesterday, 7 days, 30 days).
EDGE_WINDOWS = {
    "today_start": (1, 1, 0, 0, 0),
    "yesterday_last": (1, 0, 1, 1, 1),
    "yesterday_start": (1, 0, 1, 1, 1),
    "day7_start": (1, 0, 0, 1, 1),
    "day8_last": (1, 0, 0, 0, 1),
    "day30_start": (1, 0, 0, 0, 1),
    "day31_last": (1, 0, 0, 0, 0),
}
WINDOWS = ("count_data", "today_data", "yesterday_data", "nearly_seven_days", "nearly_thirty_days")


def _expected(edge_names, per_edge=1) -> dict[str, int]:
    totals = [0] * 5
    for name in edge_names:
        totals = [t + per_edge * w for t, w in zip(totals, EDGE_WINDOWS[name], strict=True)]
    return dict(zip(WINDOWS, totals, strict=True))


def _by_window(ret_data, metric) -> dict[str, int]:
    return {window: ret_data[window][metric] for window in WINDOWS}


# --- 1.5 ---------------------------------------------------------------------------------------------


def test_home_page_figures(api, make, radar):
    company = make.company(mingpian_available_num=5)
    admin = make.admin(company, username="张聪")
    radar.user(company)
    radar.user(company, status=2)
    radar.customer(company)
    radar.user(make.company())  # another company's
    payload = body(api.as_(admin).get(BASE))
    assert payload["code"] == 200 and payload["msg"] == "查询成功"
    used, available = service_days(company, local_today())
    assert payload["data"]["ret_data"] == {
        "company_name": company.name,
        "username": "张聪",
        "mingpian_num": 5,
        "user_count": 2,
        "seats_used": 1,  # the disabled radar user holds no seat
        "seats_left": 4,
        "expired_time": company.account_expired_time.isoformat(),
        "open_up_date": company.charging_start_time.isoformat(),
        "available_days": available,
        "used_days": used,
        "customer_num": 1,
    }


def test_home_page_tenancy(api, make):
    admin, root, other = make.admin(), make.superadmin(), make.company()
    assert body(api.as_(admin).get(BASE, {"company_id": other.id}))["code"] == 302
    assert body(api.as_(admin).get(BASE, {"company_id": "x"}))["code"] == 301
    payload = body(api.as_(root).get(BASE, {"company_id": other.id}))
    assert payload["data"]["ret_data"]["company_name"] == other.name
    assert body(api.as_(root).get(BASE, {"company_id": 9999}))["code"] == 302


def test_role_without_the_rule_gets_403(api, make):
    role = Role(name="无权限角色")
    db.session.add(role)
    db.session.commit()
    admin = make.admin(role_id=role.id)
    assert body(api.as_(admin).get(BASE))["code"] == 403
    assert body(api.as_(admin).get(f"{BASE}/acount_data"))["code"] == 403
    assert body(api.as_(admin).post(f"{BASE}/line_info", {"days": 7, "index_type": 1}))["code"] == 403


# --- 1.6 ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("metric", "actions"),
    [("browse_num", (1, 14)), ("forward_num", (6, 15, 16)), ("saved_total_num", (8,)), ("praise_sum", (9, 19))],
)
def test_account_data_event_windows(api, make, radar, metric, actions):
    admin = make.admin()
    edges = _edges()
    for action in actions:
        radar.events(admin.company, action, list(edges.values()))
    radar.events(admin.company, 2, list(edges.values()))  # 查看产品 counts in no metric
    radar.events(make.company(), actions[0], list(edges.values()))  # another company's
    payload = body(api.as_(admin).get(f"{BASE}/acount_data"))
    assert payload["code"] == 200
    ret = payload["data"]["ret_data"]
    assert _by_window(ret, metric) == _expected(edges, per_edge=len(actions))
    for other in set(ZERO) - {metric}:
        assert _by_window(ret, other) == dict.fromkeys(WINDOWS, 0), other


def test_account_data_customers_and_follow_notes(api, make, radar):
    admin = make.admin()
    user = radar.user(admin.company)
    edges = _edges()
    for name, when in edges.items():
        customer = radar.customer(admin.company, create_date=when, openid=f"o-{name}")
        radar.follow(radar.relation(user, customer), create_date=when)
    radar.customer(make.company(), create_date=edges["today_start"])
    ret = body(api.as_(admin).get(f"{BASE}/acount_data"))["data"]["ret_data"]
    assert _by_window(ret, "customer_num") == _expected(edges)
    assert _by_window(ret, "follow_num") == _expected(edges)


def test_account_data_empty_company(api, make):
    ret = body(api.as_(make.admin()).get(f"{BASE}/acount_data"))["data"]["ret_data"]
    assert ret == dict.fromkeys(WINDOWS, ZERO)


def test_account_data_counts_new_events_after_the_rollup_is_built(api, make, radar):
    """Today's events come from the raw log, so the figures move during the day."""
    admin = make.admin()
    edges = _edges()
    radar.events(admin.company, 1, [edges["yesterday_last"]])
    client = api.as_(admin)
    assert body(client.get(f"{BASE}/acount_data"))["data"]["ret_data"]["yesterday_data"]["browse_num"] == 1
    radar.events(admin.company, 1, [utcnow()])
    ret = body(client.get(f"{BASE}/acount_data"))["data"]["ret_data"]
    assert ret["today_data"]["browse_num"] == 1 and ret["count_data"]["browse_num"] == 2
    assert ret["yesterday_data"]["browse_num"] == 1


def test_account_data_query_count_is_constant(api, make, radar, count_queries):
    admin = make.admin()
    client = api.as_(admin)
    body(client.get(f"{BASE}/acount_data"))  # builds the (empty) rollup
    with count_queries() as few:
        body(client.get(f"{BASE}/acount_data"))
    start = utcnow() - timedelta(days=60)
    radar.events(admin.company, 1, [start + timedelta(hours=7 * i) for i in range(200)])
    body(client.get(f"{BASE}/acount_data"))
    with count_queries() as many:
        body(client.get(f"{BASE}/acount_data"))
    assert many() == few()


def test_account_data_tenancy(api, make):
    admin = make.admin()
    assert body(api.as_(admin).get(f"{BASE}/acount_data", {"company_id": make.company().id}))["code"] == 302


# --- 1.7 ---------------------------------------------------------------------------------------------


def _line(client, days, index_type):
    payload = body(client.post(f"{BASE}/line_info", {"days": days, "index_type": index_type}))
    assert payload["code"] == 200, payload
    return payload["data"]["ret_data"]


def test_line_info_days_edges_and_zero_fill(api, make, radar):
    admin = make.admin()
    edges = _edges()
    radar.events(admin.company, 14, list(edges.values()))
    points = _line(api.as_(admin), 7, 3)
    today = local_today()
    assert [p["statics_date"] for p in points] == [(today - timedelta(days=d)).isoformat() for d in range(7, 0, -1)]
    values = {p["statics_date"]: p["value"] for p in points}
    yesterday, day7 = (today - timedelta(days=1)).isoformat(), (today - timedelta(days=7)).isoformat()
    assert values[yesterday] == 2  # yesterday 00:00:00 and 23:59:59
    assert values[day7] == 1  # its 00:00:00; the second before it belongs to day 8
    assert sum(values.values()) == 3


@pytest.mark.parametrize("index_type", [1, 2])
def test_line_info_customers_and_follows(api, make, radar, index_type):
    admin = make.admin()
    user = radar.user(admin.company)
    edges = _edges()
    for name in ("today_start", "yesterday_last", "day30_start", "day31_last"):
        customer = radar.customer(admin.company, create_date=edges[name], openid=name)
        radar.follow(radar.relation(user, customer), create_date=edges[name])
    points = _line(api.as_(admin), 30, index_type)
    assert len(points) == 30
    assert points[0]["value"] == 1 and points[-1]["value"] == 1 and sum(p["value"] for p in points) == 2


def test_line_info_query_count_does_not_depend_on_days(api, make, radar, count_queries):
    admin = make.admin()
    client = api.as_(admin)
    radar.events(admin.company, 1, [utcnow() - timedelta(days=d) for d in range(1, 90)])
    _line(client, 7, 3)
    counts = []
    for days in (1, 7, 30, 90):
        with count_queries() as n:
            assert sum(p["value"] for p in _line(client, days, 3)) >= 1
        counts.append(n())
    assert len(set(counts)) == 1


def test_line_info_validation(api, make):
    client = api.as_(make.admin())
    for form, code in [
        ({"days": 0, "index_type": 1}, 303),
        ({"days": 91, "index_type": 1}, 303),
        ({"days": "x", "index_type": 1}, 301),
        ({"index_type": 1}, 303),
        ({"days": 7, "index_type": 7}, 303),
        ({"days": 7, "index_type": 0}, 303),
        ({"days": 7}, 303),
    ]:
        assert body(client.post(f"{BASE}/line_info", form))["code"] == code, form
    assert body(client.get(f"{BASE}/line_info"))["code"] == 402


def test_line_info_accepts_json(api, make):
    response = api.as_(make.admin()).post(f"{BASE}/line_info", json={"days": 15, "index_type": 6})
    assert len(body(response)["data"]["ret_data"]) == 15
