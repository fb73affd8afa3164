"""What the sandbox remembers: corps (departments, members, agents), tokens, injected faults, the call log.

One `SandboxState` per sandbox server, guarded by one lock (the server is threaded). Later areas (component,
authorizers, mini-program code) add their own fields here.
"""

import secrets
import threading
import time
from dataclasses import dataclass, field

from app.wechat.sandbox.h5_state import H5State
from app.wechat.sandbox.open_platform_state import OpenPlatformState

TOKEN_LIFETIME = 7200
CONTACTS = "contacts"  # the app a token belongs to: the 通讯录同步 secret, or an agent id


@dataclass
class Agent:
    agentid: int
    secret: str
    name: str
    description: str = "诸葛雷达名片应用"
    square_logo_url: str = "https://p.qlogo.cn/sandbox/logo/0"
    close: int = 0
    redirect_domain: str = ""
    home_url: str = ""
    report_location_flag: int = 0
    isreportenter: int = 0

    def public(self) -> dict:
        data = {k: v for k, v in vars(self).items() if k != "secret"}
        data.update(allow_userinfos={"user": []}, allow_partys={"partyid": [1]}, allow_tags={"tagid": []})
        return data


@dataclass
class Corp:
    corpid: str
    name: str
    contacts_secret: str
    departments: dict[int, dict] = field(default_factory=dict)
    members: dict[str, dict] = field(default_factory=dict)  # insertion order = WeChat's listing order
    agents: dict[int, Agent] = field(default_factory=dict)
    verified_domains: set[str] | None = None  # None: every redirect domain passes the ownership check
    trusted_ips: set[str] | None = None  # None: every caller IP is trusted (60020 otherwise)
    # user/list honours fetch_child=1 only when asked: WeChat Work's current docs list no such parameter
    legacy_fetch_child: bool = False
    # Member fields WeChat no longer returns to this corp's reads (its 2022 restriction: e.g. name, mobile, avatar)
    withheld_fields: list[str] = field(default_factory=list)

    def app_for_secret(self, secret: str):
        given = secret.encode()  # bytes: compare_digest raises TypeError on a non-ASCII str
        if secrets.compare_digest(given, self.contacts_secret.encode()):
            return CONTACTS
        for agent in self.agents.values():
            if secrets.compare_digest(given, agent.secret.encode()):
                return agent.agentid
        return None

    def next_department_id(self) -> int:
        return max(self.departments, default=1) + 1

    def subtree(self, department_id: int) -> list[int]:
        """The department and all its descendants, parents first, siblings by id."""
        children: dict[int, list[int]] = {}
        for dept in self.departments.values():
            children.setdefault(dept["parentid"], []).append(dept["id"])
        out, todo = [], [department_id]
        while todo:
            current = todo.pop(0)
            out.append(current)
            todo.extend(sorted(children.get(current, [])))
        return out


@dataclass
class Token:
    value: str
    corpid: str
    app: object  # CONTACTS or an agent id
    expires_at: float
    invalid: bool = False


@dataclass
class Fault:
    path: str  # matches a request path ending in "/<path>", or "*" for every call
    errcode: int | None = None
    errmsg: str | None = None
    http_status: int | None = None
    delay: float = 0.0
    times: int = 1

    def matches(self, path: str) -> bool:
        return self.path == "*" or path.endswith("/" + self.path.strip("/"))


class SandboxState:
    def __init__(self):
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.corps: dict[str, Corp] = {}
            self.tokens: dict[str, Token] = {}
            self.faults: list[Fault] = []
            self.calls: list[dict] = []
            self.cursors: dict[str, int] = {}
            self.open_platform = OpenPlatformState()  # the third-party platform (open_platform_state.py)
            self.h5 = H5State()  # OAuth users, codes, JS-SDK tickets of the H5 side (h5_state.py)

    # --- tokens ---------------------------------------------------------------------------------

    def issue_token(self, corp: Corp, app) -> Token:
        """WeChat Work hands out the same token while it is valid."""
        now = time.time()
        for token in self.tokens.values():
            if token.corpid == corp.corpid and token.app == app and not token.invalid and token.expires_at > now:
                return token
        token = Token(secrets.token_urlsafe(48), corp.corpid, app, now + TOKEN_LIFETIME)
        self.tokens[token.value] = token
        return token

    def expire_tokens(self, corpid: str | None = None, invalidate: bool = False) -> int:
        count = 0
        for token in self.tokens.values():
            if corpid is None or token.corpid == corpid:
                token.invalid = token.invalid or invalidate
                token.expires_at = min(token.expires_at, time.time() - 1)
                count += 1
        return count

    # --- faults and the call log ------------------------------------------------------------------

    def take_fault(self, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.matches(path):
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def record_call(self, method: str, path: str) -> None:
        with self.lock:
            self.calls.append({"method": method, "path": path, "at": time.time()})

    def new_cursor(self, offset: int) -> str:
        cursor = secrets.token_urlsafe(24)
        self.cursors[cursor] = offset
        return cursor
