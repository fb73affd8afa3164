"""Companies (role 1): add with a refused duplicate name on its field, edit, WeChat Work settings, sync."""

from tests.browser.conftest import ADMIN, ADMIN_PASSWORD, field, sign_in
from tests.fixtures.wechat import AGENT_ID, AGENT_SECRET, CONTACTS_SECRET, seed_corp


def open_companies(page, live_server):
    sign_in(page, live_server, ADMIN, ADMIN_PASSWORD)
    page.locator("[data-test=side-menu]").get_by_text("公司列表").click()
    page.locator("[data-test=company-table] .el-table__row").first.wait_for()


def row_of(page, name):
    return page.locator("[data-test=company-table] .el-table__row", has_text=name)


def fill_company(page, name, seats):
    dialog = page.locator(".el-dialog", has_text="新增公司")
    field(dialog, "company-name").fill(name)
    field(dialog, "company-start").fill("2026-01-01")
    field(dialog, "company-start").press("Enter")
    field(dialog, "company-seats").fill(str(seats))
    return dialog


def test_add_company_and_a_duplicate_name_is_refused_on_its_field(page, live_server):
    open_companies(page, live_server)
    page.locator("[data-test=company-add]").click()
    dialog = fill_company(page, "浏览器测试公司", 5)
    dialog.locator("[data-test=dialog-save]").click()
    row_of(page, "浏览器测试公司").wait_for()
    assert "0 / 5" in row_of(page, "浏览器测试公司").inner_text()

    page.locator("[data-test=company-add]").click()
    dialog = fill_company(page, "浏览器测试公司", 3)
    dialog.locator("[data-test=dialog-save]").click()
    error = dialog.locator(".el-form-item:has(input[data-test=company-name]) .el-form-item__error")
    error.wait_for()
    companies = live_server.api.ok(live_server.admin, "GET", "/company", {"name": "浏览器测试公司"})["ret_data"]
    assert len(companies) == 1
    envelope = live_server.api.call(
        live_server.admin,
        "POST",
        "/company/add_company/0",
        data={"name": "浏览器测试公司", "charging_start_time": "2026-01-01", "open_length_time": 4,
              "mingpian_available_num": 3},
    )  # fmt: skip
    assert envelope["code"] == 300 and error.inner_text().strip() == envelope["msg"]
    assert dialog.is_visible()
    dialog.get_by_role("button", name="取消").click()
    dialog.wait_for(state="hidden")

    row_of(page, "浏览器测试公司").locator("[data-test=company-edit]").click()
    dialog = page.locator(".el-dialog", has_text="编辑公司")
    dialog.wait_for()
    assert field(dialog, "company-name").input_value() == "浏览器测试公司"  # filled from the row
    dialog.locator(".el-form-item__error").wait_for(state="detached")  # the refusal above is not carried over
    field(dialog, "company-seats").fill("6")
    dialog.locator("[data-test=dialog-save]").click()
    dialog.wait_for(state="hidden")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-test=company-table] .el-table__row')]"
        ".some((r) => r.innerText.includes('浏览器测试公司') && r.innerText.includes('0 / 6'))"
    )


def test_wechat_work_settings_then_sync_reaches_100_percent(page, live_server, sandbox):
    corp = seed_corp(sandbox, corpid="wwconsole0000001", departments=3, members=8)
    open_companies(page, live_server)
    row_of(page, "演示公司1").locator("[data-test=company-wechat]").click()
    drawer = page.locator("[data-test=wechat-drawer]")
    field(drawer, "tx-corp-id").fill(corp.corpid)

    # A wrong secret: WeChat's refusal in words, nothing saved.
    field(drawer, "tx-secret").fill("not-the-secret")
    drawer.locator("[data-test=tx-save]").click()
    refusal = drawer.locator("[data-test=tx-error]")
    refusal.wait_for()
    assert "微信返回" in refusal.inner_text()

    field(drawer, "tx-secret").fill(CONTACTS_SECRET)
    drawer.locator("[data-test=tx-save]").click()
    drawer.locator("[data-test=job-progress][data-status=finished]").wait_for(timeout=30_000)
    assert "100%" in drawer.locator("[data-test=job-bar]").inner_text()
    assert "新增" in drawer.locator("[data-test=sync-result]").inner_text()

    field(drawer, "agent-id").fill(str(AGENT_ID))
    field(drawer, "agent-secret").fill(AGENT_SECRET)
    drawer.locator("[data-test=agent-save]").click()
    drawer.locator("[data-test=agent-ok]").wait_for()
    page.keyboard.press("Escape")

    row_of(page, "演示公司1").get_by_text("已对接").wait_for()
    row_of(page, "演示公司1").locator("[data-test=company-sync]").click()
    dialog = page.locator("[data-test=sync-dialog]")
    dialog.locator("[data-test=job-progress][data-status=finished]").wait_for(timeout=30_000)
    assert "100%" in dialog.locator("[data-test=job-bar]").inner_text()
    result = dialog.locator("[data-test=sync-result]").inner_text()
    assert "新增" in result and "更新" in result and "停用" in result
