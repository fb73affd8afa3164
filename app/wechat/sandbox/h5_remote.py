"""H5Driver: the sandbox's driver API with the third-party platform and the H5 side (h5_driver), over HTTP."""

import requests

from app.wechat.sandbox.h5_driver import BROWSER_COOKIE
from app.wechat.sandbox.open_platform_remote import OpenPlatformDriver


class H5Driver(OpenPlatformDriver):
    """The driver with the third-party platform and the H5 side: test-driver users and what their browser does."""

    def add_user(self, appid: str, openid: str, **fields) -> None:
        self._call("POST", "h5/users", {"appid": appid, "openid": openid, **fields})

    def oauth_code(self, appid: str, openid: str, scope: str = "snsapi_base") -> str:
        return self._call("POST", "h5/oauth_codes", {"appid": appid, "openid": openid, "scope": scope})["code"]

    def work_code(self, corpid: str, userid: str | None = None, openid: str | None = None) -> str:
        return self._call("POST", "h5/work_codes", {"corpid": corpid, "userid": userid, "openid": openid})["code"]

    def expire_tickets(self) -> None:
        self._call("POST", "h5/tickets/expire")

    def open_in_wechat(self, url: str, user: str) -> str:
        """Open an OAuth authorize URL in `user`'s WeChat (an openid, or a WeChat Work userid): the URL WeChat
        redirects the browser to (code, state and, for an official account, appid in its query)."""
        response = requests.get(url, cookies={BROWSER_COOKIE: user}, allow_redirects=False, timeout=self.timeout)
        if response.status_code != 302:
            raise AssertionError(f"the sandbox's OAuth page answered {response.status_code}: {response.text[:200]}")
        return response.headers["Location"]
