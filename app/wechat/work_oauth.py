"""WeChat Work OAuth (docs/wechat.md): the member who opened a radar app's page, from its redirect's code.

The code is exchanged with the token of the app (agent) whose OAuth page sent the member to us.
"""

from dataclasses import dataclass

from app.wechat.errors import bad_answer
from app.wechat.work import WorkClient


@dataclass(frozen=True)
class WorkVisitor:
    userid: str | None  # a member of the corp
    openid: str | None  # someone outside it


def visitor(client: WorkClient, code: str) -> WorkVisitor:
    """`auth/getuserinfo` (the current path; wechatpy only wraps the older `user/getuserinfo`)."""
    result = client.get("auth/getuserinfo", params={"code": code})
    if not isinstance(result, dict):
        raise bad_answer()
    userid = result.get("userid") or result.get("UserId")
    openid = result.get("openid") or result.get("OpenId")
    if not (isinstance(userid, str) and userid) and not (isinstance(openid, str) and openid):
        raise bad_answer()
    return WorkVisitor(userid or None, openid or None)
