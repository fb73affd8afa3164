"""The mobile H5 pages end to end against the sandbox (a phone's viewport): scan-to-join → a request the admin
approves; a radar user's article link → a customer reads it through the official account's OAuth, stays,
shares it → a second customer opens it at level 2 → 16.6's ranking and the dashboard count both; the activity
the article links → sign-up (8.9), with the SMS-code step when the activity asks for one; a radar user's card →
one of the company's activities."""

import hashlib
import sqlite3
import time
from urllib.parse import parse_qs, urlsplit

import requests

from tests.browser.conftest import ARTEFACTS, DEMO_PASSWORD
from tests.fixtures.wechat import COMPONENT_CONFIG, EVENT_URL, GZH_APPID

READER_1, READER_2 = "oH5-reader-one", "oH5-reader-two"


def field(page, name: str):
    return page.locator(f"input[name={name}]")


def test_scan_to_join_form_reaches_the_approval_list(phone, live_server):
    api = live_server.api
    demo = api.login(live_server.demo_login, DEMO_PASSWORD)
    invite = api.ok(demo, "GET", "/user/create_scan_code/0")["url"]
    assert invite.startswith(f"{live_server.base}/h5/scan_code_to_add_user?")  # H5_BASE_URL: these pages

    page = phone(in_wechat=False)  # any browser: the form needs no WeChat
    page.goto(invite)
    page.locator("[data-test=scan-intro]", has_text=demo["company_name"]).wait_for()
    field(page, "username").fill("扫码新人")
    field(page, "position").fill("销售顾问")
    field(page, "wechat").fill("saoma_xinren")
    field(page, "wechat_phone").fill("12345678901")  # not a mobile number: the form says so, nothing is sent
    page.locator("[data-test=scan-submit]").click()
    page.get_by_text("请输入正确的手机号").wait_for()
    field(page, "wechat_phone").fill("13912345678")
    page.locator("[data-test=scan-submit]").click()
    page.locator("[data-test=scan-done]").wait_for()

    pending = api.ok(demo, "GET", "/user", {"type": "temp_user", "username": "扫码新人", "length": 10})["ret_data"]
    assert [(p["username"], p["wechat_phone"], p["mingpian_phone"]) for p in pending] == [
        ("扫码新人", "13912345678", "13912345678")  # 同微信手机号 ticked: the card shows the same phone
    ]

    # A QR code someone altered (or one too old) says so instead of showing the form.
    forged = phone(in_wechat=False)
    forged.goto(invite.replace("rand_str=", "rand_str=0"))
    forged.locator("[data-test=scan-problem]", has_text="二维码已过期或无效").wait_for()


def _authorise_official_account(live_server, sandbox_url: str, admin: dict) -> None:
    """The demo company's official account, authorised to the platform over HTTP (13.x), as in the console."""
    from app.wechat.sandbox.h5_remote import H5Driver

    driver = H5Driver(sandbox_url)
    config = COMPONENT_CONFIG
    driver.register_component(
        config["COMPONENT_APPID"], config["COMPONENT_APPSECRET"], config["COMPONENT_TOKEN"], config["COMPONENT_AES_KEY"]
    )
    push = driver.push("component_verify_ticket")
    answer = requests.post(
        live_server.base + EVENT_URL,
        params=push["query"],
        data=push["body"].encode() if isinstance(push["body"], str) else push["body"],
        headers={"Content-Type": "text/xml"},
        timeout=10,
    )
    assert answer.text == "success", answer.text
    driver.add_authorizer(GZH_APPID, "official", nick_name="诸葛雷达公众号", service_type=2)
    api = live_server.api
    api.ok(admin, "POST", "/gzh_auth_process/update/app_id", data={"authorization_appid": GZH_APPID})
    grant_url = api.ok(admin, "POST", "/open_weixin_gongzhonghao/create_grant_url")
    back = driver.confirm_grant(grant_url, GZH_APPID)
    json_only = {"Accept": "application/json"}  # the callback's envelope, not the browser's redirect
    envelope = api.http.get(live_server.base + back["path"], params=back["query"], headers=json_only)
    assert envelope.json()["code"] == 200, envelope.text
    driver.add_user(GZH_APPID, READER_1, nickname="读者一")
    driver.add_user(GZH_APPID, READER_2, nickname="读者二")


def _radar_user(live_server, company_id: int) -> dict:
    """An enabled radar user of the company and its token (it would sign in from WeChat Work's app)."""
    with sqlite3.connect(live_server.database) as db:
        uid, token = db.execute(
            "SELECT id, token FROM radar_user WHERE company_id = ? AND status = 1 ORDER BY id LIMIT 1", (company_id,)
        ).fetchone()
    return {"user_id": uid, "token": token}


def _as_radar_user(live_server, user: dict, path: str, query=None) -> dict:
    timestamp = str(int(time.time() * 1000))
    signature = {
        "rand_str": hashlib.md5((timestamp + user["token"]).encode()).hexdigest(),
        "timestamp": timestamp,
        "user_id": user["user_id"],
    }
    url = f"{live_server.base}/zhugeleida/qiyeweixin{path}"
    answer = requests.get(url, params={**(query or {}), **signature}, timeout=10)
    envelope = answer.json()
    assert envelope["code"] == 200, envelope
    return envelope["data"]


def test_shared_article_is_read_forwarded_and_counted(phone, live_server, wechat_sandbox_server):
    api = live_server.api
    admin = api.login(live_server.demo_login, DEMO_PASSWORD)
    _authorise_official_account(live_server, wechat_sandbox_server.url, admin)
    activity = {"title": "新品发布会", "activity_time": "12月1日 14:00", "place": "上海", "sign_up_button": "我要报名"}
    plain = api.ok(admin, "POST", "/plugin_report/add/0", data=activity)["id"]
    with_code = {**activity, "title": "VIP 沙龙", "is_get_phone_code": 1}
    coded = api.ok(admin, "POST", "/plugin_report/add/0", data=with_code)
    content = (
        "<p>第一段正文。</p><script>alert(1)</script><p><strong>第二段</strong></p>"
        f'<p><a href="{live_server.base}/h5/activity/{plain}">报名参加发布会</a></p>'
        f'<p><a href="{live_server.base}/h5/activity/{coded["id"]}">报名参加沙龙</a></p>'
    )
    api.ok(admin, "POST", "/article/add/0", data={"title": "H5 转发测试", "content": content, "status": 1,
                                                  "summary": "一篇用来转发的文章"})  # fmt: skip
    listed = api.ok(admin, "GET", "/article/myarticle_list", {"title": "H5 转发测试", "length": 10})["ret_data"]
    article_id = next(a["id"] for a in listed if a["title"] == "H5 转发测试")
    radar = _radar_user(live_server, admin["company_id"])
    before = api.ok(admin, "GET", "/home_page/acount_data")["ret_data"]["today_data"]

    # The radar user's own link (level 1) is the official account's OAuth URL on the sandbox.
    link = _as_radar_user(live_server, radar, f"/article/create_share_url/{article_id}")["share_url"]
    reader = phone(READER_1)
    reader.goto(link)  # → sandbox OAuth → the article page → 16.1 asks for consent → sandbox → signed in
    reader.locator("[data-test=article-title]", has_text="H5 转发测试").wait_for()
    assert "code=" not in reader.url and "level=1" in reader.url  # the one-time code left the address bar
    body = reader.locator("[data-test=article-content]")
    assert "第二段" in body.inner_text() and body.locator("script").count() == 0  # sanitised HTML only
    reader.locator("[data-test=user-card]").wait_for()  # the sharing radar user's card at the foot

    # Stay: hiding the page sends a heartbeat (the timer does it every heartbeat_interval s while visible).
    reader.wait_for_timeout(1500)
    with reader.expect_response(lambda r: "/article/staytime/" in r.url) as beat:
        reader.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    assert beat.value.json()["code"] == 200

    # Share to a friend: the JS-SDK was configured with 16.3's signature and 16.2's next-level link.
    reader.wait_for_function("window.__wx.share.friend && window.__wx.share.timeline")
    config = reader.evaluate("window.__wx.config")
    assert config["appId"] == GZH_APPID and config["signature"]
    next_link = reader.evaluate("window.__wx.share.friend.link")
    redirect = parse_qs(urlsplit(next_link).query)["redirect_uri"][0]
    assert "level=2" in redirect
    with reader.expect_response(lambda r: "/article/forward_article/" in r.url) as forwarded:
        reader.evaluate("window.__wx.share.friend.success()")
    assert forwarded.value.json()["code"] == 200

    # The friend opens it in a desktop browser: the page still renders, saying that sharing needs WeChat.
    friend = phone(READER_2, in_wechat=False)
    friend.goto(next_link)
    friend.locator("[data-test=article-title]", has_text="H5 转发测试").wait_for()
    friend.locator("[data-test=outside-wechat]").wait_for()
    assert "level=2" in friend.url

    # 16.6: the radar user sees both customers, by level; the dashboard counts the reads and the forward.
    ranking = _as_radar_user(
        live_server, radar, f"/article/customer_effect_ranking_by_level/{article_id}", {"level": 0}
    )
    assert ranking["level_num"] == 2
    [first] = ranking["ret_data"]
    assert (first["customer_name"], first["level"], first["read_count"]) == ("读者一", 1, 1)
    assert first["stay_time"] >= 1  # the heartbeat's server-measured seconds
    level_2 = _as_radar_user(
        live_server, radar, f"/article/customer_effect_ranking_by_level/{article_id}", {"level": 2}
    )
    assert [(row["customer_name"], row["level"]) for row in level_2["ret_data"]] == [("读者二", 2)]
    after = api.ok(admin, "GET", "/home_page/acount_data")["ret_data"]["today_data"]
    assert after["customer_num"] - before["customer_num"] == 2  # two new customers today
    assert after["browse_num"] - before["browse_num"] == 2  # two reads
    assert after["forward_num"] - before["forward_num"] == 1  # one forward

    # From the article, the reader signs up for the linked activity (as the radar user's customer).
    with reader.expect_navigation():
        reader.get_by_text("报名参加发布会").click()
    assert f"uid={radar['user_id']}" in reader.url
    reader.locator("[data-test=activity]", has_text="新品发布会").wait_for()
    reader.locator("[data-test=user-card]").wait_for()
    assert reader.locator("input[name=phone_verify_code]").count() == 0  # no SMS step for this one
    reader.locator("input[name=customer_name]").fill("读者一")
    reader.locator("input[name=phone]").fill("13700001111")
    reader.locator("[data-test=sign-up-submit]").click()
    reader.locator("[data-test=sign-up-done]").wait_for()
    reader.reload()
    reader.locator("[data-test=signed-up]").wait_for()  # the server knows it (activity page: signed_up)

    # An activity that asks for an SMS code: the code is sent, a wrong one is refused on its field.
    reader.goto(reader.url.replace(f"/activity/{plain}", f"/activity/{coded['id']}"))
    reader.locator("[data-test=activity]", has_text="VIP 沙龙").wait_for()
    reader.locator("input[name=customer_name]").fill("读者一")
    reader.locator("input[name=phone]").fill("13700001111")
    with reader.expect_response(lambda r: "/send_phone_code/" in r.url) as sent:
        reader.locator("[data-test=send-code]").click()
    assert sent.value.json()["code"] == 200
    reader.locator("[data-test=send-code]", has_text="秒后重发").wait_for()
    reader.locator("input[name=phone_verify_code]").fill("000000")
    reader.locator("[data-test=sign-up-submit]").click()
    reader.locator(".van-field__error-message", has_text="验证码错误").wait_for()
    assert reader.locator("[data-test=sign-up-done]").count() == 0


def test_a_card_leads_to_an_activity(phone, live_server, wechat_sandbox_server):
    api = live_server.api
    admin = api.login(live_server.demo_login, DEMO_PASSWORD)
    _authorise_official_account(live_server, wechat_sandbox_server.url, admin)
    activity = api.ok(admin, "POST", "/plugin_report/add/0", data={"title": "名片里的沙龙", "place": "北京"})["id"]
    radar = _radar_user(live_server, admin["company_id"])
    with sqlite3.connect(live_server.database) as db:
        [name] = db.execute("SELECT username FROM radar_user WHERE id = ?", (radar["user_id"],)).fetchone()
        # the card shows the phone the employee chose to show (an earlier test may have edited this user)
        db.execute("UPDATE radar_user SET mingpian_phone = '13800138000' WHERE id = ?", (radar["user_id"],))

    # A card link carries the company: with no session the page asks for its OAuth URL and signs in there.
    reader = phone(READER_2)
    reader.goto(f"{live_server.base}/h5/card/{radar['user_id']}?company_id={admin['company_id']}")
    reader.locator("[data-test=user-card]", has_text=name).wait_for()
    assert "code=" not in reader.url
    assert reader.locator("[data-test=user-card] a[href^='tel:']").count() == 1  # the card's phone dials
    reader.screenshot(path=str(ARTEFACTS / "test_a_card_leads_to_an_activity-card.png"), full_page=True)
    link = reader.locator("[data-test=card-activity]", has_text="名片里的沙龙")
    with reader.expect_navigation():
        link.click()
    assert f"/h5/activity/{activity}?" in reader.url and f"uid={radar['user_id']}" in reader.url
    reader.locator("[data-test=activity]", has_text="名片里的沙龙").wait_for()
    reader.locator("[data-test=sign-up-form]").wait_for()
