"""OpenPlatformDriver: the third-party platform part of the sandbox's driver API, over HTTP."""

from urllib.parse import parse_qs, urlsplit

from app.wechat.sandbox.remote import SandboxDriver


class OpenPlatformDriver(SandboxDriver):
    def _op(self, method: str, path: str, json=None) -> dict:
        return self._call(method, f"open_platform/{path}", json)

    def register_component(self, appid: str, secret: str, token: str, aes_key: str) -> None:
        self._op("POST", "component", {"appid": appid, "secret": secret, "token": token, "aes_key": aes_key})

    def add_templates(self, templates: list[dict]) -> None:
        self._op("POST", "templates", templates)

    def add_authorizer(self, appid: str, kind: str = "miniprogram", **fields) -> None:
        self._op("POST", "authorizers", {"appid": appid, "kind": kind, **fields})

    def authorizer(self, appid: str) -> dict:
        return self._op("GET", f"authorizers/{appid}")

    def update_authorizer(self, appid: str, **fields) -> None:
        self._op("PATCH", f"authorizers/{appid}", fields)

    def fail_app(self, appid: str, path: str, errcode: int, errmsg: str | None = None, times: int = 1) -> None:
        """The next `times` calls of this account to a path ending in `path` answer `errcode`."""
        body = {"path": path, "errcode": errcode, "errmsg": errmsg, "times": times}
        self._op("POST", f"authorizers/{appid}/faults", body)

    def authorize(self, appid: str) -> str:
        """The account authorises the platform (no browser page): the auth code."""
        return self._op("POST", f"authorizers/{appid}/authorize")["auth_code"]

    def confirm_grant(self, grant_url: str, appid: str) -> dict:
        """Open the authorization page of `grant_url` and confirm as `appid`: the redirect's query
        (auth_code, expires_in and our own parameters), as the browser would follow it."""
        parts = urlsplit(grant_url)
        page = f"{self.url}{parts.path}"
        params = {k: v[0] for k, v in parse_qs(parts.query).items()} | {"confirm_appid": appid}
        response = self.http.get(page, params=params, allow_redirects=False, timeout=self.timeout)
        if response.status_code != 302:
            raise AssertionError(f"authorization page refused: {response.text[:200]}")
        location = urlsplit(response.headers["Location"])
        return {"path": location.path, "query": {k: v[0] for k, v in parse_qs(location.query).items()}}

    def unauthorize(self, appid: str, deliver_to: str | None = None) -> dict:
        return self._op("POST", f"authorizers/{appid}/unauthorize", {"deliver_to": deliver_to})

    def decide_audit(self, appid: str, status: int, reason: str = "", deliver_to: str | None = None) -> dict:
        """0 approve, 1 reject, 4 delay: the weapp_audit_* push (query + body)."""
        body = {"status": status, "reason": reason, "screenshot": "media1|media2" if status == 1 else ""}
        return self._op("POST", f"authorizers/{appid}/audit", {**body, "deliver_to": deliver_to})

    def push(self, info_type: str, appid: str | None = None, deliver_to: str | None = None, at: int | None = None):
        """An authorization-event push (query + body): a new ticket, or an event for `appid`; `at` (Unix
        seconds) builds one WeChat sent then (a replay of an old push)."""
        body = {"info_type": info_type, "appid": appid, "deliver_to": deliver_to, "at": at}
        return self._op("POST", "push", body)

    def expire_platform_tokens(self) -> int:
        return self._op("POST", "tokens/expire")["expired"]
