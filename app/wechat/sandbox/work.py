"""Sandboxed WeChat Work (qyapi.weixin.qq.com/cgi-bin): gettoken, departments, members, agents (docs/wechat.md).

Served under /qyapi/cgi-bin/ so that WECHAT_WORK_API_BASE = <sandbox>/qyapi/cgi-bin/.
"""

import re
import time

from flask import Blueprint, request

from app.wechat.sandbox.common import WxError, before_wechat_call, int_param, json_body, state, work_errmsg, wx_json
from app.wechat.sandbox.state import CONTACTS, Corp, Token

bp = Blueprint("sandbox_work", __name__, url_prefix="/qyapi/cgi-bin")
bp.before_request(before_wechat_call)

USERID_RULE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_\-@.]{0,63}$")
MOBILE_RULE = re.compile(r"^(\+\d{1,4} )?\d{5,20}$")
DOMAIN_RULE = re.compile(
    r"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)
EMAIL_RULE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
BAD_DEPARTMENT_CHARS = set('\\:*?"<>|')
MEMBER_FIELDS = ("position", "mobile", "email", "avatar", "telephone", "alias", "address", "enable")


@bp.errorhandler(WxError)
def wx_error(err: WxError):
    return wx_json({"errcode": err.errcode, "errmsg": work_errmsg(err.errcode, err.errmsg)})


def ok(errmsg: str = "ok", **fields):
    return wx_json({"errcode": 0, "errmsg": errmsg, **fields})


def check_ip(corp: Corp) -> None:
    if corp.trusted_ips is not None and request.remote_addr not in corp.trusted_ips:
        raise WxError(60020)


def caller() -> tuple[Corp, Token]:
    """The corp and app of the access_token in the query (41001 missing, 40014 unknown, 42001 expired)."""
    value = request.args.get("access_token", "")
    if not value:
        raise WxError(41001)
    sandbox = state()
    token = sandbox.tokens.get(value)
    if token is None or token.invalid:
        raise WxError(40014)
    if token.expires_at <= time.time():
        raise WxError(42001)
    corp = sandbox.corps[token.corpid]
    check_ip(corp)
    return corp, token


def contacts_writer() -> Corp:
    corp, token = caller()
    if token.app != CONTACTS:
        raise WxError(60011)  # WeChat documents no code for self-built apps
    return corp


@bp.get("/gettoken")
def gettoken():
    corpid, secret = request.args.get("corpid", ""), request.args.get("corpsecret", "")
    if not corpid:
        raise WxError(41002)
    if not secret:
        raise WxError(41004)
    sandbox = state()
    with sandbox.lock:
        corp = sandbox.corps.get(corpid)
        if corp is None:
            raise WxError(40013)
        check_ip(corp)
        app = corp.app_for_secret(secret)
        if app is None:
            other = any(c.app_for_secret(secret) is not None for c in sandbox.corps.values())
            raise WxError(40091 if other else 40001)
        token = sandbox.issue_token(corp, app)
    return ok(access_token=token.value, expires_in=int(token.expires_at - time.time()))


# --- departments -------------------------------------------------------------------------------


def department_or_error(corp: Corp, raw, errcode: int = 60003) -> dict:
    department = corp.departments.get(int_param(raw, 60123))
    if department is None:
        raise WxError(errcode)
    return department


def check_department_name(corp: Corp, name, parentid: int, own_id: int | None = None) -> str:
    if not isinstance(name, str) or not 1 <= len(name) <= 32:
        raise WxError(60001)
    if BAD_DEPARTMENT_CHARS & set(name):
        raise WxError(60009)
    for dept in corp.departments.values():
        if dept["parentid"] == parentid and dept["name"] == name and dept["id"] != own_id:
            raise WxError(60008)
    return name


@bp.get("/department/list")
def department_list():
    corp, _token = caller()
    with state().lock:
        if request.args.get("id"):
            root = department_or_error(corp, request.args["id"])["id"]
        else:
            root = min((d["id"] for d in corp.departments.values() if d["parentid"] == 0), default=None)
        ids = corp.subtree(root) if root is not None else []
        return ok(department=[dict(corp.departments[i]) for i in ids])


@bp.get("/department/simplelist")
def department_simplelist():
    corp, _token = caller()
    with state().lock:
        root = department_or_error(corp, request.args.get("id", 1))["id"]
        rows = [corp.departments[i] for i in corp.subtree(root)]
        return ok(department_id=[{"id": d["id"], "parentid": d["parentid"], "order": d["order"]} for d in rows])


@bp.get("/department/get")
def department_get():
    corp, _token = caller()
    return ok(department=dict(department_or_error(corp, request.args.get("id"))))


@bp.post("/department/create")
def department_create():
    corp, body = contacts_writer(), json_body()
    with state().lock:
        parent = department_or_error(corp, body.get("parentid"), 60004)
        name = check_department_name(corp, body.get("name"), parent["id"])
        new_id = body.get("id")
        if new_id is not None:
            new_id = int_param(new_id, 60123)
            if new_id <= 1:
                raise WxError(60123)
            if new_id in corp.departments:
                raise WxError(60008)
        new_id = new_id or corp.next_department_id()
        order = int_param(body.get("order", 0), 40058)
        corp.departments[new_id] = {
            "id": new_id,
            "name": name,
            "name_en": body.get("name_en", ""),
            "department_leader": [],
            "parentid": parent["id"],
            "order": order,
        }
    return ok("created", id=new_id)


@bp.post("/department/update")
def department_update():
    corp, body = contacts_writer(), json_body()
    with state().lock:
        if body.get("id") is None:
            raise WxError(60003)
        dept = department_or_error(corp, body["id"])
        parentid = dept["parentid"]
        if body.get("parentid") is not None:
            parentid = department_or_error(corp, body["parentid"], 60004)["id"]
            if parentid in corp.subtree(dept["id"]):
                raise WxError(60010)
        name = dept["name"] if body.get("name") is None else body["name"]
        name = check_department_name(corp, name, parentid, own_id=dept["id"])
        dept.update(name=name, parentid=parentid)
        if body.get("order") is not None:
            dept["order"] = int_param(body["order"], 40058)
        if body.get("name_en") is not None:
            dept["name_en"] = body["name_en"]
    return ok("updated")


@bp.get("/department/delete")
def department_delete():
    corp = contacts_writer()
    with state().lock:
        dept = department_or_error(corp, request.args.get("id"))
        if dept["parentid"] == 0:
            raise WxError(60007)
        if any(d["parentid"] == dept["id"] for d in corp.departments.values()):
            raise WxError(60006)
        if any(dept["id"] in m["department"] for m in corp.members.values()):
            raise WxError(60005)
        del corp.departments[dept["id"]]
    return ok("deleted")


# --- members ----------------------------------------------------------------------------------


def member_or_error(corp: Corp, userid) -> dict:
    member = corp.members.get(str(userid or ""))
    if member is None:
        raise WxError(60111)
    return member


def listed_members(corp: Corp) -> list[dict]:
    """Members of department_id. `fetch_child` is not in WeChat Work's current docs: ignored, unless the corp
    is set to honour it as the older docs described (`legacy_fetch_child`)."""
    root = department_or_error(corp, request.args.get("department_id"))["id"]
    recursive = request.args.get("fetch_child") == "1" and corp.legacy_fetch_child
    wanted = set(corp.subtree(root)) if recursive else {root}
    return [m for m in corp.members.values() if wanted & set(m["department"])]


@bp.get("/user/simplelist")
def user_simplelist():
    corp, _token = caller()
    with state().lock:
        rows = listed_members(corp)
        return ok(userlist=[{"userid": m["userid"], "name": m["name"], "department": m["department"]} for m in rows])


def readable(corp: Corp, member: dict) -> dict:
    """A member as this corp's reads see it: without the fields WeChat withholds (its 2022 restriction)."""
    return {k: v for k, v in member.items() if k not in corp.withheld_fields}


@bp.get("/user/list")
def user_list():
    corp, _token = caller()
    with state().lock:
        return ok(userlist=[readable(corp, m) for m in listed_members(corp)])


@bp.get("/user/get")
def user_get():
    corp, _token = caller()
    return ok(**readable(corp, member_or_error(corp, request.args.get("userid"))))


@bp.post("/user/list_id")
def user_list_id():
    corp, token = caller()
    if token.app != CONTACTS:
        raise WxError(48002)  # only the contacts-sync secret may call it
    body = json_body()
    limit = int_param(body.get("limit", 10000), 40058)
    if not 1 <= limit <= 10000:
        raise WxError(40058)
    sandbox = state()
    with sandbox.lock:
        offset = 0
        if body.get("cursor"):
            offset = sandbox.cursors.get(str(body["cursor"]), -1)
            if offset < 0:
                raise WxError(40058)
        entries = [{"userid": m["userid"], "department": d} for m in corp.members.values() for d in m["department"]]
        page = entries[offset : offset + limit]
        more = offset + limit < len(entries)
        next_cursor = sandbox.new_cursor(offset + limit) if more else ""
    return ok(next_cursor=next_cursor, dept_user=page)


def checked_member(corp: Corp, body: dict, current: dict | None) -> dict:
    """The member after applying `body`, validated like WeChat Work does (its create rules)."""
    member = dict(current or {})
    for key in ("name", "department", "gender", "order", *MEMBER_FIELDS):
        if body.get(key) is not None:
            member[key] = body[key]
    if not isinstance(member.get("name"), str) or not 1 <= len(member["name"]) <= 64:
        raise WxError(60112)
    departments = member.get("department")
    if not departments:
        raise WxError(60127)
    departments = [int_param(d, 40066) for d in (departments if isinstance(departments, list) else [departments])]
    if len(departments) > 100:
        raise WxError(60110)
    if any(d not in corp.departments for d in departments):
        raise WxError(40066)
    member["department"] = departments
    check_contact(corp, member, member.get("userid"))
    gender = str(member.get("gender") or "0")
    member["gender"] = gender if gender in ("0", "1", "2") else "0"
    member.setdefault("position", "")
    member.setdefault("status", 1)
    member["main_department"] = departments[0]
    member["order"] = [0] * len(departments)
    member["is_leader_in_dept"] = [0] * len(departments)
    member.setdefault("avatar", "")
    member["thumb_avatar"] = member["avatar"]
    return member


def check_contact(corp: Corp, member: dict, userid) -> None:
    mobile, email = member.get("mobile") or "", member.get("email") or ""
    if not mobile and not email:
        raise WxError(60129)
    if mobile and not MOBILE_RULE.match(str(mobile)):
        raise WxError(60103)
    if email and not EMAIL_RULE.match(str(email)):
        raise WxError(60105)
    for other in corp.members.values():
        if other["userid"] == userid:
            continue
        if mobile and other.get("mobile") == mobile:
            raise WxError(60104)
        if email and other.get("email") == email:
            raise WxError(60106)


@bp.post("/user/create")
def user_create():
    corp, body = contacts_writer(), json_body()
    userid = str(body.get("userid") or "")
    if not USERID_RULE.match(userid):
        raise WxError(40003)
    with state().lock:
        if any(u.lower() == userid.lower() for u in corp.members):
            raise WxError(60102)
        corp.members[userid] = checked_member(corp, {**body, "userid": userid}, {"userid": userid})
    return ok("created")


@bp.post("/user/update")
def user_update():
    corp, body = contacts_writer(), json_body()
    with state().lock:
        member = member_or_error(corp, body.get("userid"))
        corp.members[member["userid"]] = checked_member(corp, body, member)
    return ok("updated")


@bp.get("/user/delete")
def user_delete():
    corp = contacts_writer()
    with state().lock:
        del corp.members[member_or_error(corp, request.args.get("userid"))["userid"]]
    return ok("deleted")


# --- agents -----------------------------------------------------------------------------------


def own_agent(corp: Corp, token: Token, raw):
    agent = corp.agents.get(int_param(raw, 40056))
    if agent is None:
        raise WxError(40056)
    if token.app != agent.agentid:
        raise WxError(301002)
    return agent


@bp.get("/agent/get")
def agent_get():
    corp, token = caller()
    return ok(**own_agent(corp, token, request.args.get("agentid")).public())


@bp.get("/agent/list")
def agent_list():
    corp, _token = caller()
    agents = [
        {"agentid": a.agentid, "name": a.name, "square_logo_url": a.square_logo_url} for a in corp.agents.values()
    ]
    return ok(agentlist=agents)


@bp.post("/agent/set")
def agent_set():
    corp, token = caller()
    body = json_body()
    with state().lock:
        agent = own_agent(corp, token, body.get("agentid"))
        domain = body.get("redirect_domain")
        if domain is not None and not DOMAIN_RULE.match(str(domain)):
            raise WxError(85005)  # a verified domain is a bare host name: no scheme, port or path
        if domain is not None and corp.verified_domains is not None and domain not in corp.verified_domains:
            raise WxError(85005)
        if body.get("name") is not None:
            if not 1 <= len(str(body["name"])) <= 32:
                raise WxError(40058)
            agent.name = str(body["name"])
        if body.get("description") is not None:
            if not 4 <= len(str(body["description"])) <= 120:
                raise WxError(40058)
            agent.description = str(body["description"])
        for key in ("redirect_domain", "home_url"):
            if body.get(key) is not None:
                setattr(agent, key, str(body[key]))
        for key in ("report_location_flag", "isreportenter"):  # `isreportuser` (wechatpy) is not documented
            if body.get(key) is not None:
                setattr(agent, key, 1 if body[key] in (1, "1", True) else 0)
    return ok()
