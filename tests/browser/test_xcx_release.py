"""Mini-program authorization through the sandbox's grant page, then the code release board: a batch where one
app fails shows both outcomes (WeChat's refusal in words), and the failed one is released on its own."""

from app.wechat.sandbox.open_platform_remote import OpenPlatformDriver
from tests.browser.conftest import ADMIN, ADMIN_PASSWORD, at, field, sign_in
from tests.fixtures.wechat import CODE_TEMPLATES, COMPONENT_CONFIG, EVENT_URL, MESSAGE_URL, XCX_APPID, XCX_APPID_2


def platform(live_server, wechat_sandbox_server) -> OpenPlatformDriver:
    driver = OpenPlatformDriver(wechat_sandbox_server.url)
    c = COMPONENT_CONFIG
    driver.register_component(
        c["COMPONENT_APPID"], c["COMPONENT_APPSECRET"], c["COMPONENT_TOKEN"], c["COMPONENT_AES_KEY"]
    )
    driver.add_templates(CODE_TEMPLATES)
    driver.add_authorizer(XCX_APPID, "miniprogram", nick_name="浏览器小程序甲")
    driver.add_authorizer(XCX_APPID_2, "miniprogram", nick_name="浏览器小程序乙")
    driver.push("component_verify_ticket", deliver_to=live_server.base + EVENT_URL)
    return driver


def authorize(page, live_server, company_id: int, appid: str):
    page.goto(live_server.url(f"/xcx/auth?company_id={company_id}"))
    field(page, "auth-appid").fill(appid)
    page.locator("[data-test=auth-appid-save]").click()
    page.locator("[data-test=auth-step2]").wait_for()
    with page.expect_popup() as opened:
        page.locator("[data-test=auth-grant]").click()
    grant = opened.value
    grant.get_by_text(appid).click()  # WeChat's page: the account's admin confirms
    grant.wait_for_url(at("/xcx/auth"))  # our callback sent this window back to the console
    assert f"company_id={company_id}" in grant.url
    grant.close()
    # The first window notices on its own (it polls every 3 s).
    page.locator("[data-test=auth-info], [data-test=auth-done]").first.wait_for(timeout=20_000)
    if page.locator("[data-test=auth-info]").is_visible():
        field(page, "auth-introduce").fill("浏览器测试的小程序")
        field(page, "auth-category").fill("工具")
        page.locator("[data-test=auth-info-save]").click()
    page.locator("[data-test=auth-done-appid]", has_text=appid).wait_for()


def run_batch(page, action: str, rows=None):
    if rows is None:
        page.locator("[data-test=release-table] .el-table__header .el-checkbox").click()
        page.locator(f"[data-test=batch-{action}]").click()
    else:
        rows.locator(f"[data-test=row-{action}]").click()
    page.locator(".el-message-box").get_by_role("button", name="确定").click()
    drawer = page.locator("[data-test=release-drawer]")
    drawer.locator("[data-test=release-job][data-status=finished]").wait_for(timeout=30_000)
    return drawer


def close_drawer(page):
    page.locator("[data-test=release-drawer] .el-drawer__close-btn").click()
    page.locator("[data-test=release-drawer]").wait_for(state="hidden")


def test_authorize_two_then_a_batch_release_where_one_fails(page, live_server, wechat_sandbox_server):
    driver = platform(live_server, wechat_sandbox_server)
    api, root = live_server.api, live_server.admin
    api.ok(root, "POST", "/company/add_company/0",
           data={"name": "发布测试公司", "charging_start_time": "2026-01-01", "open_length_time": 4,
                 "mingpian_available_num": 3})  # fmt: skip
    companies = {c["name"]: c["company_id"] for c in api.ok(root, "GET", "/company", {"length": 100})["ret_data"]}

    sign_in(page, live_server, ADMIN, ADMIN_PASSWORD)
    authorize(page, live_server, companies["演示公司1"], XCX_APPID)
    authorize(page, live_server, companies["发布测试公司"], XCX_APPID_2)

    page.locator("[data-test=side-menu]").get_by_text("代码发布").click()
    table = page.locator("[data-test=release-table]")
    table.get_by_text(XCX_APPID_2).wait_for()
    table.get_by_text(XCX_APPID, exact=True).wait_for()
    assert table.locator(".el-table__body-wrapper .el-table__row").count() == 2
    page.locator("[data-test=release-template]").click()
    page.locator(".el-select-dropdown__item", has_text=CODE_TEMPLATES[0]["user_desc"]).click()
    assert field(page, "release-version").input_value() == CODE_TEMPLATES[0]["user_version"]

    drawer = run_batch(page, "upload_code")
    assert "成功 2" in drawer.locator("[data-test=release-totals]").inner_text()
    close_drawer(page)
    drawer = run_batch(page, "submit_audit")
    assert "成功 2" in drawer.locator("[data-test=release-totals]").inner_text()
    close_drawer(page)

    # WeChat approves both; then refuses the second one's release.
    for appid in (XCX_APPID, XCX_APPID_2):
        driver.decide_audit(appid, 0, deliver_to=live_server.base + MESSAGE_URL.format(appid=appid))
    page.reload()
    table.locator("[data-test=release-status]", has_text="审核通过").nth(1).wait_for()
    driver.fail_app(XCX_APPID_2, "wxa/release", 85020, "status not allowed")

    drawer = run_batch(page, "relase_code")
    outcomes = drawer.locator("[data-test=release-outcomes] .el-table__row")
    assert outcomes.count() == 2
    ok = outcomes.filter(has_text=XCX_APPID)
    failed = outcomes.filter(has_text=XCX_APPID_2)
    # each row's outcome may render a moment after the totals: wait for it (a timeout fails the test)
    ok.locator("[data-outcome=ok]").wait_for()
    failed.locator("[data-outcome=failed]").wait_for()
    assert "微信返回 85020" in failed.inner_text()
    close_drawer(page)

    row_b = table.locator(".el-table__row", has_text=XCX_APPID_2)
    row_b.get_by_text("上线失败").wait_for()
    drawer = run_batch(page, "relase_code", rows=row_b)
    assert drawer.locator("[data-test=release-outcomes] [data-outcome=ok]").count() == 1
    close_drawer(page)
    table.locator("[data-test=release-status]", has_text="上线成功").nth(1).wait_for()
