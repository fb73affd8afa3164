"""WeChat Work (企业微信): the address book and the AI雷达/Boss雷达 agents (docs/wechat.md).

Each function takes a `WorkClient` (one corp id + one secret = one token) and returns WeChat's data as plain
dicts/lists, or raises WeChatError. Services decide what the data means.
"""

import hashlib
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from flask import current_app
from wechatpy.enterprise import WeChatClient

from app.wechat.base import BoundedClientMixin
from app.wechat.errors import TOKEN_ERRORS, WeChatError, documented_answer
from app.wechat.tokens import token_store

USERID_EXISTS = 60102
API_FORBIDDEN = 48002
RADAR_ENTRY_PATH = "/zhugeleida/qiyeweixin/work_weixin_auth/{company_id}"


def fingerprint(secret: str) -> str:
    """Names a secret in a cache key without revealing any of it (wechatpy would use its first 10 chars)."""
    return hashlib.sha256(secret.encode()).hexdigest()[:16]


class WorkClient(BoundedClientMixin, WeChatClient):
    def __init__(self, corp_id: str, secret: str, session=None):
        config = current_app.config
        super().__init__(corp_id, secret, session=session or token_store(), auto_retry=False)
        self._setup(config["WECHAT_WORK_API_BASE"], config["WECHAT_TIMEOUT"])

    @property
    def access_token_key(self) -> str:
        return f"work:{self.corp_id}:{fingerprint(self.secret)}:access_token"

    def fetch_access_token(self) -> dict:
        params = {"corpid": self.corp_id, "corpsecret": self.secret}
        return self._fetch_token_json("GET", self.API_BASE_URL + "gettoken", params=params)


def verified_client(corp_id: str, secret: str) -> WorkClient:
    """A client whose credentials WeChat just accepted (a fresh gettoken: a cached token proves nothing)."""
    client = WorkClient(corp_id, secret)
    client.fetch_access_token()
    return client


def verified_contacts_client(corp_id: str, secret: str) -> WorkClient:
    """A client WeChat accepts as the address-book (通讯录同步) secret: a fresh gettoken, then user/list_id for
    one entry — an app's secret gets a token too, but only the address-book secret may call user/list_id
    (an app's gets 48002)."""
    client = verified_client(corp_id, secret)
    client.post("user/list_id", data={"limit": 1})
    return client


# --- agents ---------------------------------------------------------------------------------


@documented_answer
def get_agent(client: WorkClient, agent_id: int) -> dict:
    result = client.agent.get(agent_id)
    if not isinstance(result.get("name"), str):
        raise KeyError("name")
    return result


def radar_entry(company_id: int, app_type: int) -> tuple[str, str]:
    """(home_url, redirect_domain) of a radar app: WeChat Work's OAuth page sending the member to our entry.
    The trusted domain is the host of the configured public URL: WeChat takes a verified domain, no port."""
    config = current_app.config
    base = config["RADAR_OAUTH_BASE_URL"].rstrip("/")
    entry = base + RADAR_ENTRY_PATH.format(company_id=company_id) + f"?app_type={app_type}"
    return entry, urlsplit(base).hostname or ""


def oauth_home_url(corp_id: str, agent_id: int, entry: str) -> str:
    query = urlencode(
        [
            ("appid", corp_id),
            ("redirect_uri", entry),
            ("response_type", "code"),
            ("scope", "snsapi_base"),
            ("state", "zhugeleida"),
            ("agentid", agent_id),
        ]
    )
    return f"{current_app.config['WECHAT_OPEN_BASE']}connect/oauth2/authorize?{query}#wechat_redirect"


@documented_answer
def set_agent_home(client: WorkClient, agent_id: int, home_url: str, redirect_domain: str) -> None:
    # wechatpy's WeChatAgent.set has no home_url: post the documented body ourselves.
    data = {"agentid": agent_id, "home_url": home_url, "redirect_domain": redirect_domain}
    client.post("agent/set", data=data)


# --- address book -------------------------------------------------------------------------------


@documented_answer
def list_departments(client: WorkClient) -> list[dict]:
    """The whole department tree visible to the secret (one call)."""
    return [
        {"id": int(d["id"]), "name": str(d["name"]), "parentid": int(d["parentid"]), "order": int(d.get("order") or 0)}
        for d in client.department.get()
    ]


def iter_member_pages(client: WorkClient, page_size: int) -> Iterator[list[dict]]:
    """Pages of {"userid", "department"} (a member once per department), by cursor, with user/list_id."""
    cursor = None
    while True:
        data = {"limit": page_size} if cursor is None else {"limit": page_size, "cursor": cursor}
        entries, cursor = _member_page(client.post("user/list_id", data=data))
        yield entries
        if not cursor:
            return


@documented_answer
def _member_page(result: dict) -> tuple[list[dict], str | None]:
    entries = [{"userid": str(e["userid"]), "department": int(e["department"])} for e in result["dept_user"]]
    return entries, result.get("next_cursor") or None


@dataclass
class DepartmentWalk:
    """What `walk_member_details` read: every member once (the first department listing it), the departments
    read, and the WeChat refusal (not busy, not a token) that stopped the walk, if any."""

    details: dict[str, dict] = field(default_factory=dict)
    departments_read: int = 0
    error: WeChatError | None = None


@documented_answer
def _department_members(client: WorkClient, department_id: int, token: str) -> list[dict]:
    # The token is passed in: these calls run on pool threads, where the token store (the database without
    # Redis) is out of reach. A refused token comes back to the walk, which refreshes it on its own thread.
    result = client.get("user/list", params={"department_id": department_id, "access_token": token})
    return [dict(member, userid=str(member["userid"])) for member in result["userlist"]]


def walk_member_details(
    client: WorkClient, department_ids: Iterable[int], *, workers: int, attempts: int, backoff: float
) -> DepartmentWalk:
    """user/list for each department (WeChat Work's current docs have no fetch_child: the caller walks the
    tree), at most `workers` calls at once. Busy answers (-1, 45009, 45011, 45033) and network errors are
    retried up to `attempts` tries with exponential backoff (`backoff`, 2×, 4×… seconds); a refused token is
    refreshed once. Still busy after that: raised (the job retries later). Any other refusal (48002, 60011…)
    stops the walk and is returned with what was read so far."""
    walk, tries = DepartmentWalk(), dict[int, int]()
    token, refreshed = client.access_token, False
    todo = list(department_ids)
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="wechat-walk") as pool:
        while todo and walk.error is None:
            running = {pool.submit(_department_members, client, dept, token): dept for dept in todo}
            todo, busy, stale = [], None, False
            while running:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    dept = running.pop(future)
                    if future.cancelled():
                        continue
                    try:
                        members = future.result()
                    except WeChatError as err:
                        tries[dept] = tries.get(dept, 0) + 1
                        if err.errcode in TOKEN_ERRORS and not refreshed:
                            stale = True
                            todo.append(dept)
                        elif err.retryable and tries[dept] < attempts:
                            busy = busy or err
                            todo.append(dept)
                        elif err.retryable:
                            raise
                        elif walk.error is None:
                            walk.error = err
                            for other in running:
                                other.cancel()
                        continue
                    walk.departments_read += 1
                    for member in members:
                        walk.details.setdefault(member["userid"], member)
            if stale:
                client.refresh_access_token(stale=token)
                token, refreshed = client.access_token, True
            if busy is not None and todo:
                time.sleep(backoff * 2 ** (max(tries[d] for d in todo) - 1))
    return walk


@documented_answer
def upsert_member(client: WorkClient, member: dict) -> str:
    """Create the member, or update it when the userid already exists; "created" or "updated"."""
    fields = {key: value for key, value in member.items() if key not in ("userid", "name") and value is not None}
    try:
        client.user.create(member["userid"], member["name"], **fields)
        return "created"
    except WeChatError as err:
        if err.errcode != USERID_EXISTS:
            raise
    client.user.update(member["userid"], name=member["name"], **fields)
    return "updated"
