"""SandboxDriver: the sandbox's driver API from Python, over HTTP (tests, benchmark, demo scripts)."""

import requests

from app.wechat.sandbox import sandbox_config


class SandboxDriver:
    def __init__(self, url: str, timeout: float = 30):
        self.url, self.timeout = url.rstrip("/"), timeout
        self.http = requests.Session()

    def _call(self, method: str, path: str, json=None, params=None) -> dict:
        response = self.http.request(
            method, f"{self.url}/sandbox/{path}", json=json, params=params, timeout=self.timeout
        )
        response.raise_for_status()
        return response.json()

    def config(self) -> dict:
        return sandbox_config(self.url)

    def reset(self) -> None:
        self._call("POST", "reset")

    def seed_corp(self, corpid: str, contacts_secret: str, *, departments=1, members=0, agents=(), **options) -> dict:
        body = {"corpid": corpid, "contacts_secret": contacts_secret, "departments": departments, "members": members}
        return self._call("POST", "corps", {**body, "agents": list(agents), **options})

    def corp(self, corpid: str) -> dict:
        return self._call("GET", f"corps/{corpid}")

    def set_corp(self, corpid: str, **options) -> None:
        self._call("PATCH", f"corps/{corpid}", options)

    def upsert_departments(self, corpid: str, departments: list[dict]) -> None:
        self._call("POST", f"corps/{corpid}/departments", departments)

    def upsert_members(self, corpid: str, members: list[dict]) -> None:
        self._call("POST", f"corps/{corpid}/members", members)

    def delete_member(self, corpid: str, userid: str) -> None:
        self._call("DELETE", f"corps/{corpid}/members/{userid}")

    def add_agent(self, corpid: str, agentid: int, secret: str, name: str) -> None:
        self._call("POST", f"corps/{corpid}/agents", {"agentid": agentid, "secret": secret, "name": name})

    def fail_next(self, path: str, *, errcode=None, errmsg=None, http_status=None, delay=0.0, times=1) -> None:
        """Make the next `times` calls whose path ends in `path` ("*": any) fail or slow down."""
        body = {"path": path, "errcode": errcode, "errmsg": errmsg, "http_status": http_status}
        self._call("POST", "faults", {**body, "delay": delay, "times": times})

    def clear_faults(self) -> None:
        self._call("DELETE", "faults")

    def calls(self, since: float = 0) -> list[dict]:
        return self._call("GET", "calls", params={"since": since})["calls"]

    def clear_calls(self) -> None:
        self._call("DELETE", "calls")

    def expire_tokens(self, corpid: str | None = None, invalidate: bool = False) -> int:
        return self._call("POST", "tokens/expire", {"corpid": corpid, "invalidate": invalidate})["expired"]
