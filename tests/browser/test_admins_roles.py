"""Admin accounts (create, then sign in as them with the forced password change), a role-3 menu, roles."""

import re

from tests.browser.conftest import (
    ADMIN,
    ADMIN_PASSWORD,
    DEMO_PASSWORD,
    ROLE_2_MENU,
    ROLE_3_MENU,
    STRONG_PASSWORD,
    at,
    field,
    menu_items,
    sign_in,
)

INITIAL_PASSWORD = "Initial-Passw0rd"


def pick(page, scope, test_id, option):
    scope.locator(f"[data-test={test_id}] .el-select").click()
    page.locator(".el-select-dropdown__item:visible").get_by_text(option, exact=True).click()


def create_admin(page, login, role, company=None):
    page.locator("[data-test=side-menu]").get_by_text("后台账号").click()
    page.locator("[data-test=admin-add]").click()
    dialog = page.locator(".el-dialog", has_text="新增账号")
    field(dialog, "admin-login").fill(login)
    field(dialog, "admin-password").fill(INITIAL_PASSWORD)
    pick(page, dialog, "admin-role", role)
    if company:
        pick(page, dialog, "admin-company", company)
    dialog.locator("[data-test=dialog-save]").click()
    page.locator("[data-test=admin-table] .el-table__row", has_text=login).wait_for()
    return dialog


def first_sign_in(page, live_server, login):
    """A new account must set its own password before anything else."""
    page.context.clear_cookies()
    page.evaluate("sessionStorage.clear(); localStorage.clear()")
    sign_in(page, live_server, login, INITIAL_PASSWORD, expect_path="/account/password")
    page.locator("[data-test=password-forced]").wait_for()
    field(page, "password1").fill(STRONG_PASSWORD)
    field(page, "password2").fill(STRONG_PASSWORD)
    page.locator("[data-test=password-submit]").click()
    page.wait_for_url(at("/dashboard"))


def test_create_an_admin_and_sign_in_as_them(page, live_server):
    sign_in(page, live_server, ADMIN, ADMIN_PASSWORD)
    dialog = create_admin(page, "browser_admin", "管理员", company="演示公司1")

    # The same login again: the server's refusal shows on the login field.
    page.locator("[data-test=admin-add]").click()
    field(dialog, "admin-login").fill("browser_admin")
    field(dialog, "admin-password").fill(INITIAL_PASSWORD)
    pick(page, dialog, "admin-role", "管理员")
    pick(page, dialog, "admin-company", "演示公司1")
    dialog.locator("[data-test=dialog-save]").click()
    error = dialog.locator(".el-form-item:has([data-test=admin-login]) .el-form-item__error")
    error.wait_for()
    assert error.inner_text().strip()
    page.keyboard.press("Escape")

    first_sign_in(page, live_server, "browser_admin")
    assert menu_items(page) == ROLE_2_MENU
    page.locator("[data-test=company-name]").get_by_text("演示公司1").wait_for()


def test_a_role_3_user_sees_only_what_the_server_allows(page, live_server):
    sign_in(page, live_server, live_server.demo_login, DEMO_PASSWORD)
    create_admin(page, "browser_member", "普通用户")
    first_sign_in(page, live_server, "browser_member")
    assert menu_items(page) == ROLE_3_MENU
    session = page.evaluate("JSON.parse(sessionStorage.getItem('zgld.session'))")
    rules = live_server.api.ok(session, "GET", "/login_rules")["rules_list"]
    assert "user" not in rules and "admin_userprofile" not in rules and "home_page" in rules
    page.goto(live_server.url("/users/radar"))
    page.locator("[data-test=forbidden]").wait_for()
    assert re.search(r"/console/403", page.url)


def test_roles_tree_saves_checked_and_half_checked_rules(page, live_server):
    sign_in(page, live_server, ADMIN, ADMIN_PASSWORD)
    page.locator("[data-test=side-menu]").get_by_text("角色管理").click()
    page.locator("[data-test=role-add]").click()
    drawer = page.locator("[data-test=role-drawer]")
    field(drawer, "role-name").fill("浏览器角色")
    tree = drawer.locator("[data-test=role-tree]")
    tree.locator(".el-tree-node__content", has_text="数据统计").locator(".el-checkbox").click()
    tree.locator(".el-tree-node__content", has_text="企业用户").locator(".el-checkbox").click()
    drawer.locator("[data-test=role-save]").click()
    page.locator("[data-test=role-table] .el-table__row", has_text="浏览器角色").wait_for()

    roles = live_server.api.ok(live_server.admin, "GET", "/admin_role", {"length": 100})["ret_data"]
    role = next(r for r in roles if r["role_name"] == "浏览器角色")
    selected = {p["parent_rule_name"] for p in role["rules_data"] if p["selected"]}
    children = {c["children_rule_name"] for p in role["rules_data"] for c in p["children_rule_list"] if c["selected"]}
    assert children == {"数据统计", "企业用户"}
    assert {"首页统计", "用户管理"} <= selected


def test_platform_operator_acts_as_a_company_admin_and_returns(page, live_server):
    sign_in(page, live_server, ADMIN, ADMIN_PASSWORD)
    page.locator("[data-test=side-menu]").get_by_text("后台账号").click()
    row = page.locator("[data-test=admin-table] .el-table__row", has_text=live_server.demo_login).first
    row.get_by_role("button", name="切换身份").click()
    page.locator(".el-message-box").get_by_role("button", name="确定").click()
    banner = page.locator("[data-test=switch-banner]")
    banner.wait_for()
    assert "演示公司1" in banner.inner_text()
    page.wait_for_url(at("/dashboard"))
    assert "角色管理" not in menu_items(page)
    session = page.evaluate("JSON.parse(sessionStorage.getItem('zgld.session'))")
    assert session["company_name"] == "演示公司1" and session["role_id"] == 2

    banner.get_by_role("button", name="返回我的账号").click()
    banner.wait_for(state="detached")
    page.locator("[data-test=side-menu] .el-menu-item", has_text="角色管理").wait_for()
    assert page.evaluate("JSON.parse(sessionStorage.getItem('zgld.session')).role_id") == 1
