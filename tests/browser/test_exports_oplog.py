"""导出 (a list's export job and its download link) and the 操作日志 page, as the seeded operator."""

import csv
import io

from tests.browser.conftest import DEMO_PASSWORD, at, sign_in


def test_export_radar_users_csv_then_operation_log(page, live_server):
    demo = live_server.api.login(live_server.demo_login, DEMO_PASSWORD)
    total = live_server.api.ok(demo, "GET", "/user", {"length": 1})["data_count"]
    sign_in(page, live_server, live_server.demo_login, DEMO_PASSWORD)
    page.locator("[data-test=side-menu]").get_by_text("雷达用户").click()
    page.get_by_text(f"共 {total} 条").wait_for()

    # 导出 → CSV: the job runs, then the signed link is offered.
    page.locator("[data-test=export-button]").get_by_role("button", name="导出").click()
    with page.expect_response(lambda r: "/zhugeleida/admin/export/radar_users" in r.url) as started:
        page.locator("[data-test=export-csv]:visible").click()
    assert started.value.json()["code"] == 200
    link = page.locator("[data-test=export-link]")
    link.wait_for(timeout=30_000)
    page.locator("[data-test=job-progress][data-status=finished]").wait_for()
    href = link.get_attribute("href")
    assert href and "/zhugeleida/admin/export/download/" in href
    assert page.locator("[data-test=export-rows]").inner_text().startswith(f"共 {total} 行")

    response = page.context.request.get(live_server.base + href if href.startswith("/") else href)
    assert response.status == 200
    rows = list(csv.reader(io.StringIO(response.body().decode("utf-8-sig"))))
    header = rows[0]
    assert "姓名" in header, header  # the headers are the console's Chinese labels (an "ID" column aside)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in name) for name in header if name != "ID"), header
    assert len(rows) - 1 == total

    # 操作日志: the export's own entry (or this sign-in) is listed.
    page.keyboard.press("Escape")
    page.locator("[data-test=side-menu]").get_by_text("操作日志").click()
    page.wait_for_url(at("/logs/operations"))
    actions = page.locator("[data-test=oplog-table] [data-test=oplog-action]")
    actions.first.wait_for()
    assert {"user", "login"} & set(actions.all_inner_texts())
