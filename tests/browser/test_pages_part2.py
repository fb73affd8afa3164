"""Every page of the console's second part opens without an error in the page, for a company admin and for the
platform operator; a talk group and one of its scripts are added through their dialogs."""

import pytest

from tests.browser.conftest import ADMIN, ADMIN_PASSWORD, DEMO_PASSWORD, at, sign_in

PAGES = [
    ("/products/company", "[data-test=product-table]"),
    ("/products/personal", "[data-test=product-table]"),
    ("/products/feedback", "[data-test=feedback-table]"),
    ("/website", "[data-test=website-page]"),
    ("/plugins/cards", "[data-test=card-table]"),
    ("/plugins/activities", "[data-test=activity-table]"),
    ("/plugins/goods", "[data-test=goods-table]"),
    ("/articles", "[data-test=article-table]"),
    ("/articles/tags", "[data-test=tag-table]"),
    ("/speech/groups", ".el-table"),
    ("/speech/details", ".el-table"),
    ("/xcx/auth", "[data-test=auth-wizard]"),
    ("/gzh/auth", "[data-test=auth-wizard]"),
]


@pytest.mark.parametrize("who", ["company admin", "operator"])
def test_each_page_opens(page, live_server, who):
    if who == "operator":
        sign_in(page, live_server, ADMIN, ADMIN_PASSWORD)
        pages = [
            *PAGES,
            ("/website/templates", ".el-table"),
            ("/xcx/release", "[data-test=release-table]"),
            ("/system/rules", "[data-test=access-rules-table]"),
        ]
    else:
        sign_in(page, live_server, live_server.demo_login, DEMO_PASSWORD)
        pages = PAGES
    for path, ready in pages:
        page.locator("[data-test=side-menu]").locator(f"a[href='/console{path}'], .el-menu-item").first.wait_for()
        page.goto(live_server.url(path))
        page.wait_for_url(at(path))
        page.locator(ready).first.wait_for()
        assert page.locator(".el-message--error").count() == 0, path


def test_add_a_talk_group_and_a_script(page, live_server):
    sign_in(page, live_server, live_server.demo_login, DEMO_PASSWORD)
    page.goto(live_server.url("/speech/groups"))
    page.get_by_role("button", name="新增分组").click()
    dialog = page.locator(".el-dialog", has_text="新增分组")
    dialog.locator("input").first.fill("浏览器话术组")
    dialog.get_by_role("button", name="保存").click()
    row = page.locator(".el-table__row", has_text="浏览器话术组")
    row.get_by_text("查看话术").click()
    page.wait_for_url(at("/speech/details"))
    page.get_by_role("button", name="新增话术").click()
    dialog = page.locator(".el-dialog", has_text="新增话术")
    dialog.locator("textarea").fill("您好，这是浏览器测试的话术")
    dialog.get_by_role("button", name="保存").click()
    page.locator(".el-table__row", has_text="您好，这是浏览器测试的话术").wait_for()
    assert "浏览器话术组" in page.locator(".el-table__row", has_text="您好").inner_text()
