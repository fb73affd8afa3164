"""Radar users (filters, paging, status) and scan-to-join (the invite QR, batch approval with outcomes)."""

import re

from tests.browser.conftest import DEMO_PASSWORD, sign_in


def open_page(page, live_server, title):
    sign_in(page, live_server, live_server.demo_login, DEMO_PASSWORD)
    page.locator("[data-test=side-menu]").get_by_text(title).click()


def test_radar_users_filters_paging_and_status(page, live_server):
    demo = live_server.api.login(live_server.demo_login, DEMO_PASSWORD)
    everyone = live_server.api.ok(demo, "GET", "/user", {"length": 100})
    open_page(page, live_server, "雷达用户")
    table = page.locator("[data-test=radar-table]")
    table.locator(".el-table__row").first.wait_for()
    page.get_by_text(f"共 {everyone['data_count']} 条").wait_for()
    assert table.locator(".el-table__row").count() == min(10, everyone["data_count"])

    # Filter by department: the rows are those the API gives for it.
    first_department = everyone["ret_data"][0]["department_id"][0]
    department = next(d for d in everyone["department_list"] if d["id"] == first_department)
    expected = live_server.api.ok(demo, "GET", "/user", {"department": department["id"], "length": 100})
    page.locator(".filter-bar .el-select", has_text="部门").click()
    page.locator(".el-select-dropdown__item:visible").get_by_text(department["name"], exact=True).click()
    wanted = f"department={department['id']}"
    with page.expect_response(lambda r: "/zhugeleida/admin/user?" in r.url and wanted in r.url):
        page.locator(".filter-bar").get_by_role("button", name="查询").click()
    page.get_by_text(f"共 {expected['data_count']} 条").wait_for()
    assert f"department={department['id']}" in page.url  # the filter lives in the route query
    page.reload()  # read back from the route query: the select still names the department
    page.get_by_text(f"共 {expected['data_count']} 条").wait_for()
    page.locator(".filter-bar .el-select", has_text=department["name"]).wait_for()

    # Disable the first listed user through the switch (confirmed), as the API then says.
    first = expected["ret_data"][0]
    row = table.locator(".el-table__row", has_text=first["username"]).first
    if first["status_code"] == 1:
        row.locator(".el-switch").click()
        page.locator(".el-message-box").get_by_role("button", name="确定").click()
        row.locator(".el-switch:not(.is-checked)").wait_for()
        after = live_server.api.ok(demo, "GET", "/user", {"username": first["username"], "length": 10})["ret_data"]
        assert [u["status_code"] for u in after if u["id"] == first["id"]] == [2]


def test_scan_to_join_code_is_shown_and_downloadable(page, live_server):
    open_page(page, live_server, "雷达用户")
    page.locator("[data-test=scan-open]").click()
    image = page.locator("[data-test=scan-qr]")
    image.wait_for()
    page.wait_for_function("document.querySelector('[data-test=scan-qr]').naturalWidth > 0")
    url = page.locator("[data-test=scan-dialog] input").input_value()
    assert re.search(r"rand_str=\w+&timestamp=\d+&user_id=\d+", url)
    href = page.locator("[data-test=scan-download]").get_attribute("href")
    assert href and href.endswith(".jpg")
    assert page.request.get(live_server.base + href if href.startswith("/") else href).status == 200


def seats_for(live_server, session, joining: int) -> None:
    """The operator gives the demo company seats for `joining` more users: what the approval below needs, whatever
    the tests before it enabled or disabled."""
    enabled = live_server.api.ok(session, "GET", "/user", {"status": 1, "length": 1})["data_count"]
    root = live_server.admin
    company = live_server.api.ok(root, "GET", "/company", {"length": 100})["ret_data"]
    demo = next(c for c in company if c["company_id"] == session["company_id"])
    form = {key: demo[key] for key in ("name", "charging_start_time", "open_length_time")}
    live_server.api.ok(root, "POST", f"/company/update_company/{demo['company_id']}",
                       data={**form, "mingpian_available_num": enabled + joining})  # fmt: skip


def test_batch_approval_shows_each_outcome_and_seats_left(page, live_server):
    demo = live_server.api.login(live_server.demo_login, DEMO_PASSWORD)
    pending = live_server.api.ok(demo, "GET", "/user", {"type": "temp_user", "length": 100})["ret_data"]
    assert pending, "the demo company has join requests"
    seats_for(live_server, demo, len(pending))
    open_page(page, live_server, "加入申请")
    table = page.locator("[data-test=join-table]")
    table.locator(".el-table__row").first.wait_for()
    table.locator(".el-table__header .el-checkbox").click()
    page.locator("[data-test=approve-batch]").click()
    with page.expect_response(lambda r: "approval_storage_user_info" in r.url) as answer:
        page.locator(".el-message-box").get_by_role("button", name="确定").click()
    result = answer.value.json()["data"]
    assert len(result["approved"]) + len(result["refused"]) == len(pending)

    dialog = page.locator("[data-test=approval-result]")
    dialog.get_by_text(f"已通过 {len(result['approved'])} 人").wait_for()
    users = live_server.api.ok(demo, "GET", "/user", {"status": 1, "length": 1})
    seats_left = max(0, users["mingpian_available_num"] - users["data_count"])
    dialog.get_by_text(f"剩余可开通名片 {seats_left} 个").wait_for()
    for refused in result["refused"]:
        assert refused["reason"] in dialog.locator("[data-test=approval-refused]").inner_text()
    left = live_server.api.ok(demo, "GET", "/user", {"type": "temp_user", "length": 100})["ret_data"]
    assert {t["temp_user_id"] for t in left} == {r["temp_user_id"] for r in result["refused"]}
