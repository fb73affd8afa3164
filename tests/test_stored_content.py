"""Stored HTML and URLs are safe to render (docs/security.md "Stored content")."""

import base64
import hashlib
import re

import pytest

from app.extensions import db
from app.models.article import STATUS_PUBLISHED, Article
from app.models.plugin import Activity, MingpianCard
from app.sanitize import clean_html
from tests.conftest import body

ARTICLES = "/zhugeleida/admin/article"
HOSTILE = (
    '<p style="color:red;position:fixed" onclick="steal()">正文<script>alert(1)</script>'
    '<img src="statics/a.png" onerror="alert(2)"><a href="javascript:alert(3)">链接</a>'
    '<img src="data:image/svg+xml;base64,PHN2Zz4="><iframe src="https://evil.example"></iframe></p>'
)
CLEAN = '<p style="color:red">正文<img src="statics/a.png"><a rel="noopener noreferrer">链接</a><img></p>'


def _assert_harmless(html: str):
    lowered = html.lower()
    for needle in ("<script", "onerror", "onclick", "javascript:", "data:", "<iframe", "position"):
        assert needle not in lowered, (needle, html)


def test_clean_html_keeps_the_editor_formatting():
    html = (
        "<h2>标题</h2><p><strong>粗</strong><em>斜</em><u>下</u><s>删</s><br></p><blockquote>引用</blockquote>"
        '<ul><li>一</li></ul><ol><li>二</li></ol><table><tbody><tr><td colspan="2">格</td></tr></tbody></table>'
        '<pre><code>x = 1</code></pre><hr><section><figure><img src="https://a.example/b.png" alt="图" '
        'width="10" height="20"></figure></section><a href="https://a.example/" title="t" target="_blank">a</a>'
    )
    cleaned = clean_html(html)
    for kept in ("<h2>", "<strong>", "<em>", "<u>", "<s>", "<br>", "<blockquote>", "<ul>", "<ol>", "<li>", "<pre>"):
        assert kept in cleaned
    assert '<td colspan="2">' in cleaned and "<hr>" in cleaned and "<section><figure>" in cleaned
    assert '<img src="https://a.example/b.png" alt="图" width="10" height="20">' in cleaned
    assert 'href="https://a.example/"' in cleaned and 'target="_blank"' in cleaned
    assert clean_html(HOSTILE) == CLEAN


def test_article_content_is_cleaned_on_write_and_read_back_clean(api, make, h5, share_make):
    """Is markup with scripts, handlers and javascript:/data: URLs stored clean, so that both the admin
    read (9.x) and the customer's article page (15.1) give back only the allowed formatting?"""
    client = api.as_(h5.admin)
    form = {"title": "t", "content": HOSTILE, "insert_ads": HOSTILE, "status": STATUS_PUBLISHED}
    payload = body(client.post(f"{ARTICLES}/add/0", form))
    assert payload["code"] == 200, payload
    article_id = payload["data"][0]["id"]
    stored = db.session.get(Article, article_id)
    assert (stored.content, stored.insert_ads) == (CLEAN, CLEAN)

    share_make.row(stored, h5.user, h5.customer)
    admin_item = body(client.get(f"{ARTICLES}/myarticle/{article_id}"))["data"]["ret_data"][0]
    h5_payload = body(
        api.as_(h5.customer).get(f"/zhugeleida/gongzhonghao/article/myarticle/{article_id}", {"uid": h5.user.id})
    )
    assert h5_payload["code"] == 200, h5_payload
    h5_item = h5_payload["data"]["ret_data"][0]
    for item in (admin_item, h5_item):
        _assert_harmless(item["content"])
        _assert_harmless(item["insert_ads"])
        assert item["content"] == CLEAN


def test_article_update_is_cleaned_too(api, make, pa_make):
    admin = make.admin()
    article = pa_make.article(admin)
    payload = body(api.as_(admin).post(f"{ARTICLES}/update/{article.id}", {"content": HOSTILE}))
    assert payload["code"] == 200, payload
    db.session.expire_all()
    assert db.session.get(Article, article.id).content == CLEAN


BAD_URLS = ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "//evil.example/x.png"]
BAD_URLS += ["statics/../config.py", 'https://a.example/x.png" onerror="alert(1)', "vbscript:x", "ftp://a/b"]


@pytest.mark.parametrize("bad", BAD_URLS)
def test_article_cover_picture_must_be_http_or_statics(api, make, bad):
    admin = make.admin()
    payload = body(
        api.as_(admin).post(f"{ARTICLES}/add/0", {"title": "t", "content": "<p>x</p>", "cover_picture": bad})
    )
    assert payload["code"] == 301, payload
    assert payload["msg"] == "封面图片 必须是 http(s) 地址或 statics/ 下的路径"
    assert db.session.query(Article).count() == 0


@pytest.mark.parametrize("good", ["statics/zhugeleida/imgs/admin/article/a.png", "https://a.example/b.png?x=1", ""])
def test_article_cover_picture_accepts_http_and_statics(api, make, good):
    payload = body(
        api.as_(make.admin()).post(f"{ARTICLES}/add/0", {"title": "t", "content": "<p>x</p>", "cover_picture": good})
    )
    assert payload["code"] == 200, payload
    assert db.session.get(Article, payload["data"][0]["id"]).cover_picture == good


@pytest.mark.parametrize("field", ["avatar", "webchat_code"])
def test_card_urls(api, make, field):
    form = {"name": "分类", "username": "名片", field: "javascript:alert(1)"}
    client = api.as_(make.admin())
    payload = body(client.post("/zhugeleida/admin/plugin_mingpian/add/0", form))
    assert payload["code"] == 301 and payload["msg"].endswith("必须是 http(s) 地址或 statics/ 下的路径"), payload
    assert db.session.query(MingpianCard).count() == 0
    form[field] = "statics/zhugeleida/imgs/admin/plugin/a.png"
    assert body(client.post("/zhugeleida/admin/plugin_mingpian/add/0", form))["code"] == 200


def test_activity_skip_link(api, make):
    client = api.as_(make.admin())
    form = {"title": "活动", "skip_link": " javascript:alert(1)"}
    assert body(client.post("/zhugeleida/admin/plugin_report/add/0", form))["code"] == 301
    assert db.session.query(Activity).count() == 0
    form["skip_link"] = "https://a.example/page"
    assert body(client.post("/zhugeleida/admin/plugin_report/add/0", form))["code"] == 200


def test_goods_cover_pictures(api, make):
    content = {
        "goods_data": [{"price": 1, "inventory_num": 1, "person_limit_num": 1}],
        "cover_data": [{"type": "picture_url", "data": ["javascript:alert(1)"]}],
    }
    payload = body(
        api.as_(make.admin()).post("/zhugeleida/admin/plugin_goods/add/0", json={"title": "t", "content": content})
    )
    assert payload["code"] == 301, payload


def test_xcx_head_img(api, make):
    form = {"name": "小程序", "head_img": "javascript:alert(1)", "introduce": "介绍", "service_category": "类目"}
    payload = body(api.as_(make.admin()).post("/zhugeleida/admin/xcx_auth_process/update/info", form))
    assert payload["code"] == 301 and "小程序头像" in payload["msg"], payload


# --- headers -------------------------------------------------------------------------------------


def test_every_response_says_nosniff(api, app, make):
    assert api.client.get("/healthz").headers["X-Content-Type-Options"] == "nosniff"
    assert api.as_(make.admin()).get("/zhugeleida/admin/login_rules").headers["X-Content-Type-Options"] == "nosniff"
    assert api.client.get("/zhugeleida/no/such/route").headers["X-Content-Type-Options"] == "nosniff"


def test_statics_are_sandboxed(api, app, tmp_path):
    import os

    path = os.path.join(app.static_folder, "page.html")
    with open(path, "w") as handle:
        handle.write("<script>alert(1)</script>")
    response = api.client.get("/statics/page.html")
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "sandbox" in policy and "script-src" not in policy
    response.close()


def test_docs_page_allows_only_its_own_scripts(api):
    response = api.client.get("/docs")
    page = response.get_data(as_text=True)
    policy = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'none'"
    assert "unsafe-inline" not in directives["script-src"] and "unsafe-eval" not in directives["script-src"]
    inline = re.findall(r"<script>(.*?)</script>", page, re.S)
    hashes = {f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in inline}
    assert inline and hashes <= set(directives["script-src"].split())
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# --- rows written before the rules: flask sanitize-content ----------------------------------------------


def test_sanitize_content_cleans_rows_written_before_the_rules(app, make, pa_make):
    from app.commands.content import sanitize_content_command

    admin = make.admin()

    dirty = pa_make.article(admin, content=HOSTILE, insert_ads=HOSTILE, cover_picture="javascript:alert(1)")
    clean = pa_make.article(admin, content="<p>干净</p>", cover_picture="statics/a.png")
    card = pa_make.card(admin, avatar="data:image/png;base64,AA", webchat_code="https://a.example/q.png")
    activity = pa_make.activity(admin, skip_link="javascript:alert(1)")
    result = app.test_cli_runner().invoke(sanitize_content_command, ["--batch", "1"])
    assert result.exit_code == 0, result.output
    assert "article: 1 row(s) cleaned" in result.output
    db.session.expire_all()
    dirty, clean = db.session.get(Article, dirty.id), db.session.get(Article, clean.id)
    assert (dirty.content, dirty.insert_ads, dirty.cover_picture) == (CLEAN, CLEAN, "")
    assert (clean.content, clean.cover_picture) == ("<p>干净</p>", "statics/a.png")
    card, activity = db.session.get(MingpianCard, card.id), db.session.get(Activity, activity.id)
    assert (card.avatar, card.webchat_code, activity.skip_link) == ("", "https://a.example/q.png", "")
    again = app.test_cli_runner().invoke(sanitize_content_command)
    assert "article: 0 row(s) cleaned" in again.output  # idempotent
