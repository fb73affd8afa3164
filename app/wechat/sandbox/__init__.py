"""The WeChat sandbox (docs/wechat.md "The sandbox"): a small fake WeChat server that answers the calls we make
with WeChat's documented shapes and error codes, keeps state, and can be driven by tests.

One Flask app, one blueprint per WeChat host/area, each under its own prefix so that paths of different hosts
never collide:

    /qyapi/cgi-bin/...   qyapi.weixin.qq.com (WeChat Work, its OAuth)         -> WECHAT_WORK_API_BASE
    /api/...             api.weixin.qq.com (component, wxa, sns, JS-SDK)      -> WECHAT_API_BASE
    /open/...            open.weixin.qq.com (authorization and OAuth pages)   -> WECHAT_OPEN_BASE
    /sandbox/...         the driver API (seed, faults, call log, platform, H5 users)

Run it with `flask --app wsgi wechat-sandbox --port 9100`, or in-process with server.SandboxServer; drive it
from Python with remote.SandboxDriver, open_platform_remote.OpenPlatformDriver and h5_remote.H5Driver.
"""

from flask import Flask

from app.inputs import InputJSONProvider
from app.wechat.sandbox import (
    driver,
    h5_driver,
    oauth_page,
    open_platform,
    open_platform_driver,
    sns,
    work,
    work_oauth,
    wxa,
)
from app.wechat.sandbox.state import SandboxState

AREAS = [work.bp, work_oauth.bp, driver.bp]
AREAS += [open_platform.bp, open_platform.page_bp, wxa.bp, open_platform_driver.bp]  # the third-party platform
AREAS += [sns.bp, oauth_page.bp, h5_driver.bp]  # the H5 side: official-account OAuth, JS-SDK tickets


def create_sandbox_app(state: SandboxState | None = None) -> Flask:
    app = Flask("wechat_sandbox")
    app.json = InputJSONProvider(app)  # bounded JSON parsing, as the app itself (docs/security.md)
    app.json.ensure_ascii = False
    app.extensions["wechat_sandbox"] = state or SandboxState()
    for bp in AREAS:
        app.register_blueprint(bp)
    return app


def sandbox_config(url: str) -> dict:
    """The configuration keys that point the app at a sandbox running at `url`."""
    url = url.rstrip("/")
    return {
        "WECHAT_WORK_API_BASE": f"{url}/qyapi/cgi-bin/",
        "WECHAT_API_BASE": f"{url}/api/",
        "WECHAT_OPEN_BASE": f"{url}/open/",
    }
