"""Sign-in, the side menu, the dashboard's figures against the API, password change and sign-out."""

import re
import time

from tests.browser.conftest import ADMIN, ADMIN_PASSWORD, DEMO_PASSWORD, ROLE_2_MENU, at, menu_items, sign_in

METRICS = ["customer_num", "follow_num", "browse_num", "forward_num", "saved_total_num", "praise_sum"]


def test_root_leads_to_the_sign_in_page(page, live_server):
    page.goto(live_server.base + "/")
    page.wait_for_url(at("/login"))
    assert page.locator("[data-test=login-submit]").is_visible()


def test_wrong_password_is_shown_on_the_field(page, live_server):
    page.goto(live_server.url("/login"))
    page.fill("input[data-test=username]", ADMIN)
    page.fill("input[data-test=password]", "not-the-password")
    page.click("[data-test=login-submit]")
    error = page.locator(".el-form-item:has(input[data-test=password]) .el-form-item__error")
    error.wait_for()
    assert error.inner_text().strip() != ""
    assert "/console/login" in page.url


def test_company_admin_dashboard_shows_the_apis_figures(page, live_server):
    demo = live_server.api.login(live_server.demo_login, DEMO_PASSWORD)
    account = live_server.api.ok(demo, "GET", "/home_page")["ret_data"]
    overview = live_server.api.ok(demo, "GET", "/home_page/acount_data")["ret_data"]

    sign_in(page, live_server, live_server.demo_login, DEMO_PASSWORD)
    page.locator("[data-test=seats]").wait_for()
    assert page.locator("[data-test=seats]").inner_text() == f"{account['user_count']} / {account['mingpian_num']}"
    assert page.locator("[data-test=account-customers]").inner_text() == str(account["customer_num"])
    for period, label in [("nearly_seven_days", "近7天"), ("count_data", "累计"), ("today_data", "今日")]:
        page.locator("[data-test=period]").get_by_text(label, exact=True).click()
        for key in METRICS:
            figure = page.locator(f"[data-test=metric-{key}] .big")
            assert figure.inner_text() == str(overview[period][key]), (period, key)
    page.locator("[data-test=line-chart] canvas").first.wait_for()
    # The menu of a company admin (role 2): no role management.
    assert menu_items(page) == ROLE_2_MENU


def test_trend_switches_metric_and_days(page, live_server):
    sign_in(page, live_server, live_server.demo_login, DEMO_PASSWORD)
    page.locator("[data-test=line-chart] canvas").first.wait_for()
    with page.expect_request(lambda r: "line_info" in r.url and "index_type=3" in (r.post_data or "")):
        page.locator("[data-test=metric-browse_num]").click()
    with page.expect_request(lambda r: "line_info" in r.url and "days=30" in (r.post_data or "")) as second:
        page.locator("[data-test=days]").get_by_text("30天").click()
    assert "index_type=3" in second.value.post_data
    page.get_by_text("趋势 · 浏览总数").wait_for()
    page.locator("[data-test=line-chart] canvas").first.wait_for()


def test_platform_operator_picks_a_company(page, live_server):
    sign_in(page, live_server, ADMIN, ADMIN_PASSWORD)
    assert "角色管理" in menu_items(page)
    page.locator("[data-test=company-select]").click()
    with page.expect_response(lambda r: "/home_page/acount_data" in r.url and "company_id=" in r.url):
        page.locator(".el-select-dropdown__item").get_by_text("演示公司1").click()
    page.locator("[data-test=account-card]").get_by_text("演示公司1").first.wait_for()


def test_every_request_is_signed_with_its_own_timestamp(page, live_server):
    stamps = []
    page.on(
        "request",
        lambda r: "/zhugeleida/admin/" in r.url and "/login" not in r.url.split("?")[0][-7:] and stamps.append(r.url),
    )
    sign_in(page, live_server, live_server.demo_login, DEMO_PASSWORD)
    page.locator("[data-test=line-chart] canvas").first.wait_for()
    signed = [re.search(r"timestamp=(\d+)", url) for url in stamps]
    values = [m.group(1) for m in signed if m]
    assert len(values) >= 4 and len(set(values)) == len(values)
    assert all("rand_str=" in url for url in stamps if "timestamp=" in url)


def test_sign_out_clears_the_session(page, live_server):
    sign_in(page, live_server, live_server.demo_login, DEMO_PASSWORD)
    page.locator("[data-test=user-menu]").click()
    page.locator("[data-test=logout]").click()
    page.wait_for_url(at("/login"))
    assert page.evaluate("sessionStorage.getItem('zgld.session') || localStorage.getItem('zgld.session')") is None
    page.goto(live_server.url("/dashboard"))
    page.wait_for_url(re.compile(r"/console/login\?redirect="))


def test_a_wrong_computer_clock_is_corrected_from_the_servers_date(page, live_server):
    """The browser's clock is two hours fast: the first signed request is refused for its timestamp, the client
    takes the server's time from the Date header and retries, and the dashboard loads without a word."""
    page.clock.install(time=time.time() + 7200)
    refused = []
    page.on("response", lambda r: "/zhugeleida/admin/login_rules" in r.url and refused.append(r))
    sign_in(page, live_server, live_server.demo_login, DEMO_PASSWORD)
    page.locator("[data-test=seats]").wait_for()
    page.locator("[data-test=line-chart] canvas").first.wait_for()
    codes = [r.json()["code"] for r in refused]
    assert codes == [400, 200]
    offset = page.evaluate("Date.now()") - time.time() * 1000
    assert offset > 7000 * 1000  # the page's clock is still wrong: the client corrected its own timestamps
