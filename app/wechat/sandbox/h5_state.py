"""What the sandbox remembers of the H5 side: the test-driver users behind the browser, the OAuth codes and user
tokens of official accounts, JS-SDK tickets and WeChat Work OAuth codes (docs/wechat.md).

Lives on SandboxState as `.h5` (reset with it); guarded by SandboxState.lock.
"""

import secrets
import time
from dataclasses import dataclass, field

CODE_LIFETIME = 300  # OAuth codes: single use, 5 minutes
USER_TOKEN_LIFETIME = 7200
TICKET_LIFETIME = 7200
SCOPES = ("snsapi_base", "snsapi_userinfo")


@dataclass
class OAUser:
    """A WeChat user as one official account sees it (an openid is per account)."""

    appid: str
    openid: str
    nickname: str = "沙箱用户"
    sex: int = 0
    province: str = ""
    city: str = ""
    country: str = ""
    headimgurl: str = "https://thirdwx.qlogo.cn/mmopen/sandbox/132"
    unionid: str | None = None

    def userinfo(self) -> dict:
        data = {
            "openid": self.openid,
            "nickname": self.nickname,
            "sex": self.sex,
            "province": self.province,
            "city": self.city,
            "country": self.country,
            "headimgurl": self.headimgurl,
            "privilege": [],
        }
        if self.unionid:
            data["unionid"] = self.unionid
        return data


@dataclass
class OAuthGrant:
    appid: str
    openid: str
    scope: str
    expires_at: float
    used: bool = False


@dataclass
class UserToken:
    appid: str
    openid: str
    scope: str
    expires_at: float


@dataclass
class WorkGrant:
    """A WeChat Work OAuth code: a member (userid) or a visitor outside the corp (openid)."""

    corpid: str
    userid: str | None
    openid: str | None
    expires_at: float
    used: bool = False


@dataclass
class H5State:
    users: dict[tuple[str, str], OAUser] = field(default_factory=dict)
    codes: dict[str, OAuthGrant] = field(default_factory=dict)
    user_tokens: dict[str, UserToken] = field(default_factory=dict)
    tickets: dict[str, tuple[str, float]] = field(default_factory=dict)  # ticket → (appid, expires at)
    work_codes: dict[str, WorkGrant] = field(default_factory=dict)

    def new_code(self, appid: str, openid: str, scope: str) -> str:
        code = secrets.token_urlsafe(24)
        self.codes[code] = OAuthGrant(appid, openid, scope, time.time() + CODE_LIFETIME)
        return code

    def new_user_token(self, grant: OAuthGrant) -> str:
        token = secrets.token_urlsafe(48)
        self.user_tokens[token] = UserToken(grant.appid, grant.openid, grant.scope, time.time() + USER_TOKEN_LIFETIME)
        return token

    def new_work_code(self, corpid: str, userid: str | None = None, openid: str | None = None) -> str:
        code = secrets.token_urlsafe(32)
        self.work_codes[code] = WorkGrant(corpid, userid, openid, time.time() + CODE_LIFETIME)
        return code

    def ticket_for(self, appid: str) -> tuple[str, int]:
        """WeChat hands out the same ticket while it is valid."""
        now = time.time()
        for ticket, (owner, expires_at) in self.tickets.items():
            if owner == appid and expires_at > now:
                return ticket, int(expires_at - now)
        ticket = secrets.token_urlsafe(64)
        self.tickets[ticket] = (appid, now + TICKET_LIFETIME)
        return ticket, TICKET_LIFETIME
