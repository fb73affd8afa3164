"""Articles (9.x): the rich-text editor, and a preview that shows the server's cleaned HTML only."""

import re

from tests.browser.conftest import DEMO_PASSWORD, at, field, sign_in

HOSTILE = '<p>正文<script>window.__xss = 1</script></p><img src="x" onerror="window.__xss = 2"><b>加粗</b>'


def assert_clean(preview):
    html = preview.inner_html()
    assert "<script" not in html and "onerror" not in html and "__xss" not in html


def test_an_article_with_a_script_previews_without_it(page, live_server):
    session = live_server.api.login(live_server.demo_login, DEMO_PASSWORD)
    live_server.api.ok(session, "POST", "/article/add/0", data={"title": "带脚本的文章", "content": HOSTILE})

    sign_in(page, live_server, live_server.demo_login, DEMO_PASSWORD)
    page.locator("[data-test=side-menu]").get_by_text("文章列表").click()
    page.wait_for_url(at("/articles"))
    row = page.locator("[data-test=article-table] .el-table__row", has_text="带脚本的文章")
    row.locator("[data-test=article-preview-btn]").click()
    content = page.locator("[data-test=article-preview] [data-test=preview-content]")
    content.get_by_text("加粗").wait_for()
    assert_clean(content)
    assert page.evaluate("window.__xss") is None
    page.keyboard.press("Escape")

    # Written in the editor, with hostile markup pasted into the HTML ad: the preview is the stored, clean HTML.
    page.locator("[data-test=article-add]").click()
    page.wait_for_url(at("/articles/0"))
    field(page, "article-title").fill("编辑器里的文章")
    editor = page.locator("[data-test=rich-editor] .tiptap")
    editor.click()
    editor.type("第一段文字")
    page.locator("[data-test=rich-editor]").get_by_title("加粗").click()
    editor.type(" 粗体")
    field(page, "article-ads").fill('<script>window.__xss = 3</script><a href="javascript:alert(1)">广告链接</a>')
    page.locator("[data-test=article-save-preview]").click()
    page.wait_for_url(re.compile(r"/console/articles/[1-9]\d*$"))
    preview = page.locator("[data-test=article-preview]")
    preview.locator("[data-test=preview-content] strong", has_text="粗体").wait_for()
    ads = preview.locator("[data-test=preview-ads]")
    ads.get_by_text("广告链接").wait_for()
    assert_clean(ads)
    assert "javascript:" not in ads.inner_html()
    assert page.evaluate("window.__xss") is None
    stored = live_server.api.ok(session, "GET", "/article/myarticle_list", {"title": "编辑器里的文章"})["ret_data"]
    assert len(stored) == 1
