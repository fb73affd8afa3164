"""What the sandbox remembers of the third-party platform: the component, its tickets and tokens, the accounts
(mini-programs, official accounts) that can authorise it, their code versions and audits, the code templates.

Lives on SandboxState as `.open_platform` (reset with it); guarded by SandboxState.lock.
"""

import secrets
import time
from dataclasses import dataclass, field

TOKEN_LIFETIME = 7200
TICKET_LIFETIME = 12 * 3600
PRE_AUTH_LIFETIME = 1800
AUTH_CODE_LIFETIME = 600
MINI_PROGRAM, OFFICIAL_ACCOUNT = "miniprogram", "official"
DEFAULT_PAGES = ["pages/index/index", "pages/mingpian/index", "pages/product/list"]
DEFAULT_CATEGORIES = [
    {"first_class": "工具", "second_class": "效率", "first_id": 287, "second_id": 612},
    {"first_class": "商业服务", "second_class": "公司信息", "first_id": 150, "second_id": 627},
]


def new_secret(prefix: str, size: int = 32) -> str:
    return f"{prefix}{secrets.token_urlsafe(size)}"


@dataclass
class Component:
    appid: str
    secret: str
    token: str
    aes_key: str
    tickets: dict[str, float] = field(default_factory=dict)  # ticket → expires at


@dataclass
class Template:
    template_id: int
    user_version: str
    user_desc: str
    pages: list[str] = field(default_factory=lambda: list(DEFAULT_PAGES))
    create_time: int = field(default_factory=lambda: int(time.time()))
    developer: str = "沙箱开发者"
    source_miniprogram: str = "诸葛雷达模板"
    source_miniprogram_appid: str = "wxsandboxtemplate0"

    def public(self) -> dict:
        return {
            "create_time": self.create_time,
            "user_version": self.user_version,
            "user_desc": self.user_desc,
            "template_id": self.template_id,
            "draft_id": self.template_id,
            "source_miniprogram_appid": self.source_miniprogram_appid,
            "source_miniprogram": self.source_miniprogram,
            "developer": self.developer,
            "template_type": 0,
            "category_list": [],
            "audit_scene": 0,
            "audit_status": 0,
            "reason": "",
        }


@dataclass
class Audit:
    auditid: int
    user_version: str
    user_desc: str
    pages: list[str]
    submit_time: int
    status: int = 2  # WeChat: 0 approved, 1 rejected, 2 under review, 3 withdrawn, 4 delayed
    reason: str = ""
    screenshot: str = ""
    released: bool = False


@dataclass
class Authorizer:
    appid: str
    kind: str
    nick_name: str
    user_name: str  # original id gh_…
    principal_name: str = "沙箱科技有限公司"
    head_img: str = "http://wx.qlogo.cn/mmopen/sandbox/0"
    qrcode_url: str = "http://mmbiz.qpic.cn/mmbiz/sandbox/0"
    signature: str = "沙箱小程序简介"
    alias: str = ""
    verify_type: int = 0
    service_type: int = 0
    categories: list[dict] = field(default_factory=lambda: [{"first": "工具", "second": "效率"}])
    category_list: list[dict] = field(default_factory=lambda: [dict(c) for c in DEFAULT_CATEGORIES])
    func_info: list[int] = field(default_factory=list)
    rotate_refresh: bool = False  # api_authorizer_token hands out a new refresh token (the old one stops working)
    authorized: bool = False
    refresh_token: str | None = None
    committed: dict | None = None  # the trial version: template_id, ext_json, user_version, user_desc, pages
    audits: list[Audit] = field(default_factory=list)
    versions: list[dict] = field(default_factory=list)  # released: app_version, user_version, user_desc, pages
    online_stack: list[int] = field(default_factory=list)  # indexes in versions, the one online last
    reverted: bool = False  # the last change online was a revert: no second one
    undo_times: list[float] = field(default_factory=list)
    faults: list = field(default_factory=list)  # sandbox Fault objects, for this account's calls only
    wxacodes: list[dict] = field(default_factory=list)  # getwxacodeunlimit calls answered: scene, page, env…

    def __post_init__(self):
        if not self.func_info:
            self.func_info = [17, 18, 19] if self.kind == MINI_PROGRAM else [1, 2, 3, 4, 15]

    @property
    def latest_audit(self) -> Audit | None:
        return self.audits[-1] if self.audits else None

    @property
    def online_version(self) -> dict | None:
        return self.versions[self.online_stack[-1]] if self.online_stack else None

    def public(self) -> dict:
        data = {k: v for k, v in vars(self).items() if k not in ("refresh_token", "faults", "audits")}
        data["audits"] = [vars(a) for a in self.audits]
        return data


@dataclass
class AuthCode:
    appid: str
    expires_at: float
    used: bool = False  # single use: api_query_auth answers 61009 for a code already exchanged


@dataclass
class AuthorizerToken:
    appid: str
    expires_at: float
    invalid: bool = False


class OpenPlatformState:
    def __init__(self):
        self.component: Component | None = None
        self.authorizers: dict[str, Authorizer] = {}
        self.templates: dict[int, Template] = {}
        self.pre_auth_codes: dict[str, float] = {}  # code → expires at (removed once used)
        self.auth_codes: dict[str, AuthCode] = {}
        self.last_auth_code: dict[str, str] = {}  # appid → the code of its latest confirmation (redirect + push)
        self.component_tokens: dict[str, float] = {}  # token → expires at
        self.authorizer_tokens: dict[str, AuthorizerToken] = {}
        self.next_auditid = 420000001

    def new_ticket(self) -> str:
        ticket = new_secret("ticket@@@", 24)
        self.component.tickets[ticket] = time.time() + TICKET_LIFETIME
        return ticket

    def new_component_token(self) -> str:
        token = new_secret("", 48)
        self.component_tokens[token] = time.time() + TOKEN_LIFETIME
        return token

    def new_authorizer_token(self, appid: str) -> str:
        token = new_secret("", 48)
        self.authorizer_tokens[token] = AuthorizerToken(appid, time.time() + TOKEN_LIFETIME)
        return token

    def new_auth_code(self, appid: str) -> str:
        code = new_secret("queryauthcode@@@", 24)
        self.auth_codes[code] = AuthCode(appid, time.time() + AUTH_CODE_LIFETIME)
        return code

    def authorize(self, authorizer: Authorizer) -> str:
        """The account confirms on the authorization page: a new refresh token (the old one stops working) and
        an auth code for the platform."""
        authorizer.authorized = True
        authorizer.refresh_token = new_secret("refreshtoken@@@", 24)
        self.drop_authorizer_tokens(authorizer.appid)
        code = self.new_auth_code(authorizer.appid)
        self.last_auth_code[authorizer.appid] = code
        return code

    def unauthorize(self, authorizer: Authorizer) -> None:
        authorizer.authorized, authorizer.refresh_token = False, None
        self.drop_authorizer_tokens(authorizer.appid)

    def drop_authorizer_tokens(self, appid: str) -> None:
        for token in self.authorizer_tokens.values():
            if token.appid == appid:
                token.invalid = True

    def expire_tokens(self) -> int:
        now = time.time() - 1
        for token in self.authorizer_tokens.values():
            token.expires_at = min(token.expires_at, now)
        for token in self.component_tokens:
            self.component_tokens[token] = min(self.component_tokens[token], now)
        return len(self.authorizer_tokens) + len(self.component_tokens)

    def new_auditid(self) -> int:
        self.next_auditid += 1
        return self.next_auditid
