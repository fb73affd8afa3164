"""The add/edit dialogs and the delete of the console's simple list pages (console/src/utils/useEditDialog.ts),
the way a person uses them: the form's own checks before anything is sent, the server's refusal on the field it
names, an edit that keeps the dialog's title and values, a delete that asks first and can be called off."""

from tests.browser.conftest import ADMIN, ADMIN_PASSWORD, DEMO_PASSWORD, sign_in


def _open(page, live_server, path: str, table: str, operator: bool = False):
    """Signed in (as the demo company's admin, or the platform operator), the list page at `path`: its table."""
    login = (ADMIN, ADMIN_PASSWORD) if operator else (live_server.demo_login, DEMO_PASSWORD)
    sign_in(page, live_server, *login)
    page.goto(live_server.url(path))
    return page.locator(f"[data-test={table}]")


def _dialog(page, title: str):
    dialog = page.locator(".el-dialog", has_text=title)
    dialog.wait_for()
    return dialog


def _confirm(page, question: str, answer: str) -> None:
    box = page.locator(".el-message-box", has_text=question)
    box.wait_for()
    box.get_by_role("button", name=answer).click()
    box.wait_for(state="hidden")


def test_tag_added_refused_as_taken_renamed_and_deleted(page, live_server):
    _open(page, live_server, "/articles/tags", "tag-table").wait_for()

    page.get_by_role("button", name="新增标签").click()
    dialog = _dialog(page, "新增标签")
    dialog.get_by_role("button", name="保存").click()
    dialog.get_by_text("请输入标签名称").wait_for()  # the form's rule: nothing was sent
    dialog.locator("input[data-test=tag-name]").fill("浏览器标签")
    dialog.get_by_role("button", name="保存").click()
    dialog.wait_for(state="hidden")
    row = page.locator(".el-table__row", has_text="浏览器标签")
    row.wait_for()

    page.get_by_role("button", name="新增标签").click()
    dialog = _dialog(page, "新增标签")
    assert dialog.locator("input[data-test=tag-name]").input_value() == ""  # opened blank again
    dialog.locator("input[data-test=tag-name]").fill("浏览器标签")
    dialog.get_by_role("button", name="保存").click()
    dialog.locator(".el-form-item__error", has_text="标签名称已存在").wait_for()  # the server's 300, on its field
    dialog.get_by_role("button", name="取消").click()
    dialog.wait_for(state="hidden")

    row.get_by_role("button", name="编辑").click()
    dialog = _dialog(page, "编辑标签")
    assert dialog.locator("input[data-test=tag-name]").input_value() == "浏览器标签"
    dialog.locator(".el-form-item__error").wait_for(state="detached")  # the last refusal is not carried over
    dialog.locator("input[data-test=tag-name]").fill("浏览器标签改")
    dialog.get_by_role("button", name="保存").click()
    renamed = page.locator(".el-table__row", has_text="浏览器标签改")
    renamed.wait_for()

    renamed.get_by_role("button", name="删除").click()
    _confirm(page, "删除标签“浏览器标签改”？", "取消")
    assert renamed.count() == 1  # called off: still there
    renamed.get_by_role("button", name="删除").click()
    _confirm(page, "删除标签“浏览器标签改”？", "确定")
    renamed.wait_for(state="detached")


def test_card_checked_added_edited_and_deleted(page, live_server):
    _open(page, live_server, "/plugins/cards", "card-table").wait_for()

    page.get_by_role("button", name="新增名片").click()
    dialog = _dialog(page, "新增名片")
    form = dialog.locator(".el-form-item")
    form.filter(has_text="电话").locator("input").fill("not a phone")
    dialog.get_by_role("button", name="保存").click()
    for message in ("请输入名片分类", "请输入姓名", "电话格式不正确"):
        dialog.get_by_text(message).wait_for()
    form.filter(has_text="名片分类").locator("input").fill("浏览器名片")
    form.filter(has_text="姓名").locator("input").fill("王浏览")
    form.filter(has_text="电话").locator("input").fill("13800000000")
    form.filter(has_text="职位").locator("input").fill("销售")
    dialog.get_by_role("button", name="保存").click()
    dialog.wait_for(state="hidden")
    row = page.locator(".el-table__row", has_text="王浏览")
    row.wait_for()
    assert "13800000000" in row.inner_text() and "销售" in row.inner_text()

    row.get_by_role("button", name="编辑").click()
    dialog = _dialog(page, "编辑名片")
    position = dialog.locator(".el-form-item").filter(has_text="职位").locator("input")
    assert position.input_value() == "销售"
    position.fill("经理")
    dialog.get_by_role("button", name="保存").click()
    page.locator(".el-table__row", has_text="经理").wait_for()

    row.get_by_role("button", name="删除").click()
    _confirm(page, "删除名片“王浏览”？", "确定")
    row.wait_for(state="detached")


def test_radar_user_and_join_request_edited_in_place(page, live_server):
    sign_in(page, live_server, live_server.demo_login, DEMO_PASSWORD)
    page.locator("[data-test=side-menu]").get_by_text("雷达用户").click()
    row = page.locator("[data-test=radar-table] .el-table__row").first
    row.wait_for()
    row.get_by_role("button", name="编辑").click()
    dialog = _dialog(page, "编辑雷达用户")
    position = dialog.locator(".el-form-item").filter(has_text="职位").locator("input")
    position.fill("浏览器职位")
    dialog.get_by_role("button", name="保存").click()
    dialog.wait_for(state="hidden")
    page.locator("[data-test=radar-table] .el-table__row", has_text="浏览器职位").wait_for()

    page.locator("[data-test=side-menu]").get_by_text("加入申请").click()
    request = page.locator("[data-test=join-table] .el-table__row").first
    request.wait_for()
    request.get_by_role("button", name="编辑").click()
    dialog = _dialog(page, "编辑加入申请")
    phone = dialog.locator(".el-form-item").filter(has_text="名片手机号").locator("input")
    phone.fill("12345")
    dialog.get_by_role("button", name="保存").click()
    dialog.get_by_text("不是有效的手机号").wait_for()  # refused in the form, nothing sent
    phone.fill("13911112222")
    dialog.get_by_role("button", name="保存").click()
    dialog.wait_for(state="hidden")
    page.locator("[data-test=join-table] .el-table__row", has_text="13911112222").wait_for()


def test_access_rule_added_under_a_parent_refused_as_taken_renamed_and_deleted(page, live_server):
    """权限条目 (role 1): 添加子项 opens the dialog with that parent chosen; a taken url_path is refused there."""
    table = _open(page, live_server, "/system/rules", "access-rules-table", operator=True)
    parent = table.locator(".el-table__row").first
    parent.wait_for()
    parent_name = parent.locator("td").nth(0).inner_text().strip()

    parent.locator("[data-test=rule-add-child]").click()
    dialog = _dialog(page, "新增条目")
    assert parent_name in dialog.locator("[data-test=rule-parent]").inner_text()  # the row's rule as the parent
    dialog.get_by_role("button", name="保存").click()
    dialog.get_by_text("请输入名称").wait_for()  # the form's rules: nothing was sent
    dialog.locator("input[data-test=rule-name]").fill("浏览器条目")
    dialog.locator("input[data-test=rule-url-path]").fill("browser_rule")
    dialog.get_by_role("button", name="保存").click()
    dialog.wait_for(state="hidden")
    row = table.locator(".el-table__row", has_text="browser_rule")
    row.wait_for()

    page.locator("[data-test=rule-add]").click()
    dialog = _dialog(page, "新增条目")
    assert dialog.locator("input[data-test=rule-name]").input_value() == ""  # blank, no parent carried over
    assert "无（顶级）" in dialog.locator("[data-test=rule-parent]").inner_text()
    dialog.locator("input[data-test=rule-name]").fill("浏览器条目二")
    dialog.locator("input[data-test=rule-url-path]").fill("browser_rule")
    dialog.get_by_role("button", name="保存").click()
    dialog.locator(".el-form-item__error", has_text="url_path 已存在").wait_for()  # the server's refusal, on its field
    dialog.get_by_role("button", name="取消").click()
    dialog.wait_for(state="hidden")

    row.locator("[data-test=rule-edit]").click()
    dialog = _dialog(page, "编辑条目")
    assert dialog.locator("input[data-test=rule-name]").input_value() == "浏览器条目"
    assert parent_name in dialog.locator("[data-test=rule-parent]").inner_text()
    dialog.locator("input[data-test=rule-name]").fill("浏览器条目改")
    dialog.get_by_role("button", name="保存").click()
    renamed = table.locator(".el-table__row", has_text="浏览器条目改")
    renamed.wait_for()

    renamed.locator("[data-test=rule-delete]").click()
    _confirm(page, "删除权限条目“浏览器条目改”（browser_rule）？", "确定")
    renamed.wait_for(state="detached")
