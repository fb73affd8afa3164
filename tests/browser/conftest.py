"""Browser tests of the operator console: Playwright (Python) drives Debian's Chromium against a live server.

One server for the whole session: `flask db upgrade`, `seed`, `demo-data` and `flask run` in subprocesses,
on a throwaway SQLite file, with jobs run inline and WeChat pointed at this run's sandbox (see
tests/fixtures/wechat.py). Each test gets a fresh browser context and leaves a screenshot of the page it
ends on in tests/browser/artefacts/. Everything skips, saying why, when /usr/bin/chromium, the playwright
package or the console's build (console/dist, `make console`) is missing; the H5 pages' tests also skip
without their build (h5/dist, `make h5`). The server's QR codes and share links open its own /h5/ pages, and
its third-party platform is the sandbox's (tests/browser/test_h5.py authorises an official account).
"""

import hashlib
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from cryptography.fernet import Fernet

from tests.fixtures.wechat import COMPONENT_CONFIG

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
DIST_INDEX = ROOT / "console" / "dist" / "index.html"
H5_INDEX = ROOT / "h5" / "dist" / "index.html"
ARTEFACTS = Path(__file__).resolve().parent / "artefacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ADMIN, ADMIN_PASSWORD = "admin", "Console-Adm1n"
DEMO_PASSWORD = "Console-Dem0"
STRONG_PASSWORD = "Fresh-Passw0rd"


def _missing() -> str | None:
    if not os.path.exists(CHROMIUM):
        return f"{CHROMIUM} is missing (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing (pip install -r requirements-dev.txt)"
    if not DIST_INDEX.is_file():
        return "the console is not built (make console)"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Api:
    """The live server's API, signed like the console signs it (for setting up and checking what a page shows)."""

    def __init__(self, base: str):
        self.base = base
        self.http = requests.Session()
        self.last = 0

    def login(self, username: str, password: str) -> dict:
        body = self.http.post(f"{self.base}/zhugeleida/admin/login", data={"username": username, "password": password})
        envelope = body.json()
        assert envelope["code"] == 200, envelope
        return envelope["data"]

    def call(self, session: dict, method: str, path: str, query=None, data=None) -> dict:
        self.last = max(int(time.time() * 1000), self.last + 1)
        timestamp = str(self.last)
        signature = {
            "rand_str": hashlib.md5((timestamp + session["token"]).encode()).hexdigest(),
            "timestamp": timestamp,
            "user_id": session["user_id"],
        }
        response = self.http.request(
            method, f"{self.base}/zhugeleida/admin{path}", params={**(query or {}), **signature}, data=data
        )
        return response.json()

    def ok(self, session: dict, method: str, path: str, query=None, data=None):
        envelope = self.call(session, method, path, query, data)
        assert envelope["code"] == 200, envelope
        return envelope["data"]


class LiveServer:
    def __init__(self, base: str, process: subprocess.Popen, log: Path, demo_login: str, database: Path):
        self.base, self.process, self.log, self.demo_login = base, process, log, demo_login
        self.database = database  # the SQLite file (a test reads what no endpoint gives, e.g. a radar user's token)
        self.api = Api(base)
        self.admin = self.api.login(ADMIN, ADMIN_PASSWORD)

    def url(self, path: str = "/") -> str:
        return f"{self.base}/console{path}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _run(args, env, log):
    with log.open("ab") as out:
        subprocess.run(  # noqa: S603 - the project's own CLI, fixed arguments
            [sys.executable, "-m", "flask", "--app", "wsgi", *args],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=True,
            timeout=300,
        )


def start_server(workdir: Path, wechat_config: dict, demo: tuple[int, int, int] = (12, 120, 3000)) -> LiveServer:
    """Migrate, seed and fill a throwaway SQLite database, then `flask run` on a free port (bench/ uses it too)."""
    log = workdir / "server.log"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    database = workdir / "console.sqlite3"
    # A clean environment: nothing of the developer's (DATABASE_URL, REDIS_URL…) leaks into the server.
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(workdir),
        "LANG": "C.UTF-8",
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "DATABASE_URL": f"sqlite:///{database}",
        "STATICS_DIR": str(workdir / "statics"),
        "ADMIN_USERNAME": ADMIN,
        "ADMIN_PASSWORD": ADMIN_PASSWORD,
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "LOG_LEVEL": "WARNING",
        "CONSOLE_DIST_DIR": str(DIST_INDEX.parent),
        "H5_DIST_DIR": str(H5_INDEX.parent),
        "H5_BASE_URL": f"{base}/h5/scan_code_to_add_user",
        "H5_ARTICLE_URL": f"{base}/h5/yulanwenzhang/{{article_id}}",
        "H5_ACTIVITY_URL": f"{base}/h5/activity/{{activity_id}}",
        "H5_CARD_URL": f"{base}/h5/card/{{uid}}",
        "SMS_BACKEND": "log",  # phone codes (8.9) are logged, not sent
        "JOB_RETRY_INTERVALS": "0",
        # The third-party platform as the sandbox knows it; WeChat's grant page returns to this server,
        # which sends the browser on to this console.
        **COMPONENT_CONFIG,
        "OPEN_PLATFORM_CALLBACK_BASE_URL": f"http://127.0.0.1:{port}",
        "CONSOLE_BASE_URL": f"http://127.0.0.1:{port}/console/",
        **wechat_config,
    }
    users, customers, events = demo
    _run(["db", "upgrade"], env, log)
    _run(["seed"], env, log)
    _run(
        ["demo-data", "--companies", "1", "--users", str(users), "--customers", str(customers),
         "--events", str(events), "--admin-password", DEMO_PASSWORD],
        env,
        log,
    )  # fmt: skip
    out = log.open("ab")
    process = subprocess.Popen(  # noqa: S603 - the project's own app, fixed arguments
        [sys.executable, "-m", "flask", "--app", "wsgi", "run", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    out.close()
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                break
        except requests.ConnectionError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"the console server did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)
    return LiveServer(base, process, log, demo_login="demo2", database=database)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Every browser test on one worker process (pytest-xdist's loadgroup): one live server, one Chromium, and
    one run of tests/browser/artefacts/."""
    here = Path(__file__).resolve().parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.xdist_group("browser"))


SKIP_PREFIX = "browser tests skipped: "


def pytest_terminal_summary(terminalreporter):
    """Say it plainly at the end of the run when the browser tests did not run (from the skip reports, which
    pytest-xdist's workers send to the process that prints this)."""
    reasons = [
        report.longrepr[2].partition(SKIP_PREFIX)[2]
        for report in terminalreporter.stats.get("skipped", [])
        if isinstance(report.longrepr, tuple) and SKIP_PREFIX in report.longrepr[2]
    ]
    if reasons:
        terminalreporter.write_line(f"NOTE: the console's browser tests were SKIPPED: {reasons[0]}", yellow=True)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, wechat_sandbox_server):
    reason = _missing()
    if reason:
        pytest.skip(SKIP_PREFIX + reason)
    server = start_server(tmp_path_factory.mktemp("console-server"), wechat_sandbox_server.config())
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser(live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session", autouse=True)
def _artefacts():
    if ARTEFACTS.exists():
        shutil.rmtree(ARTEFACTS)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)


@pytest.fixture
def page(browser, live_server, request):
    """A fresh context (no session) and its page; a screenshot of where the test ended is kept."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    yield page
    try:
        page.screenshot(path=str(ARTEFACTS / f"{request.node.name}.png"), full_page=True)
    finally:
        context.close()
    assert errors == [], f"uncaught errors in the page: {errors}"


def sign_in(page, live_server, username: str, password: str, expect_path: str = "/dashboard"):
    page.goto(live_server.url("/login"))
    page.fill("input[data-test=username]", username)
    page.fill("input[data-test=password]", password)
    page.click("[data-test=login-submit]")
    page.wait_for_url(at(expect_path))


def at(path: str):
    """A URL matcher for the console page `path` (any query string)."""
    return re.compile(rf"/console{re.escape(path)}(\?.*)?$")


# The menus the seeded roles get (app/access.py): role 3 has no users, companies or WeChat authorization.
ROLE_3_MENU = ["数据概览", "公司产品", "个人产品", "意见反馈", "官网编辑", "名片插件", "活动报名", "商品展示",
               "文章列表", "文章标签", "话术分组", "话术详情"]  # fmt: skip
ROLE_2_MENU = [
    *ROLE_3_MENU[:1],
    "雷达用户",
    "加入申请",
    "后台账号",
    "公司列表",
    *ROLE_3_MENU[1:],
    "小程序授权",
    "公众号授权",
    "操作日志",
]


def menu_items(page) -> list[str]:
    page.wait_for_selector("[data-test=side-menu] .el-menu-item")
    return [text.strip() for text in page.locator("[data-test=side-menu] .el-menu-item").all_inner_texts()]


def field(scope, name: str):
    """The <input> of the control marked data-test=`name` (Element Plus puts the mark on the input or its box)."""
    return scope.locator(f"input[data-test={name}], [data-test={name}] input, textarea[data-test={name}]").first


# --- the H5 pages: a phone's browser, inside WeChat or not ---

MOBILE_VIEWPORT = {"width": 390, "height": 844}
PHONE_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"
)
WECHAT_UA = PHONE_UA + " MicroMessenger/8.0.50(0x18003231) NetType/WIFI Language/zh_CN"
# The sandbox has no JS-SDK: inside "WeChat" the page finds this `wx`, which keeps what the page configures
# (window.__wx.config, window.__wx.share.friend / .timeline with their success callbacks) for the test.
WX_STUB = """
window.__wx = { config: null, share: {} };
window.wx = {
  config(options) { window.__wx.config = options },
  ready(callback) { setTimeout(callback, 0) },
  error() {},
  updateAppMessageShareData(options) { window.__wx.share.friend = options },
  updateTimelineShareData(options) { window.__wx.share.timeline = options },
  onMenuShareAppMessage(options) { window.__wx.share.friend = options },
  onMenuShareTimeline(options) { window.__wx.share.timeline = options },
};
"""


@pytest.fixture
def phone(browser, live_server, request):
    """A factory: phone(wechat_user=None, in_wechat=True) → a page in a fresh mobile context. `wechat_user` is
    the sandbox user holding the phone (the OAuth page's cookie); `in_wechat` gives WeChat's UA and `wx`.
    Each page leaves a screenshot (`{test}-{n}.png`); uncaught page errors fail the test."""
    if not H5_INDEX.is_file():
        pytest.skip(SKIP_PREFIX + "the H5 pages are not built (make h5)")
    opened: list = []
    errors: list[str] = []

    def open_phone(wechat_user: str | None = None, in_wechat: bool = True):
        context = browser.new_context(
            viewport=MOBILE_VIEWPORT,
            is_mobile=True,
            has_touch=True,
            locale="zh-CN",
            user_agent=WECHAT_UA if in_wechat else PHONE_UA,
        )
        context.set_default_timeout(15_000)
        if wechat_user:
            context.add_cookies([{"name": "wx_sandbox_user", "value": wechat_user, "domain": "127.0.0.1", "path": "/"}])
        if in_wechat:
            context.add_init_script(WX_STUB)
        page = context.new_page()
        page.on("pageerror", lambda err: errors.append(str(err)))
        opened.append((context, page))
        return page

    yield open_phone
    for number, (context, page) in enumerate(opened, 1):
        try:
            page.screenshot(path=str(ARTEFACTS / f"{request.node.name}-{number}.png"), full_page=True)
        finally:
            context.close()
    assert errors == [], f"uncaught errors in the page: {errors}"
