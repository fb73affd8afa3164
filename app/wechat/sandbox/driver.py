"""The sandbox's driver API under /sandbox/ (not WeChat): seed corps, change them behind our back, inject
faults, read the call log. Used over HTTP by the tests, the benchmark and demos (see remote.SandboxDriver).
"""

import time

from flask import Blueprint, abort, jsonify, request

from app.wechat.sandbox import seed
from app.wechat.sandbox.common import state
from app.wechat.sandbox.state import Agent, Corp, Fault

bp = Blueprint("sandbox_driver", __name__, url_prefix="/sandbox")


def corp_or_404(corpid: str) -> Corp:
    corp = state().corps.get(corpid)
    if corp is None:
        abort(404)
    return corp


def dump(corp: Corp) -> dict:
    return {
        "corpid": corp.corpid,
        "name": corp.name,
        "departments": list(corp.departments.values()),
        "members": list(corp.members.values()),
        "agents": [vars(a) | {"secret": "***"} for a in corp.agents.values()],
        "verified_domains": sorted(corp.verified_domains) if corp.verified_domains is not None else None,
        "legacy_fetch_child": corp.legacy_fetch_child,
        "withheld_fields": corp.withheld_fields,
    }


def apply_options(corp: Corp, body: dict) -> None:
    if "verified_domains" in body:
        domains = body["verified_domains"]
        corp.verified_domains = None if domains is None else set(domains)
    if "trusted_ips" in body:
        ips = body["trusted_ips"]
        corp.trusted_ips = None if ips is None else set(ips)
    if "legacy_fetch_child" in body:
        corp.legacy_fetch_child = bool(body["legacy_fetch_child"])
    if "withheld_fields" in body:
        corp.withheld_fields = [str(name) for name in body["withheld_fields"] or []]


@bp.post("/reset")
def reset():
    state().reset()
    return jsonify(ok=True)


@bp.post("/corps")
def create_corp():
    """{"corpid", "contacts_secret", "name"?, "departments": N, "members": N, "agents": [{agentid, secret, name}]}"""
    body = request.get_json(force=True)
    corp = seed.build_corp(
        body["corpid"],
        body["contacts_secret"],
        body.get("name", "沙箱企业"),
        int(body.get("departments", 1)),
        int(body.get("members", 0)),
    )
    for agent in body.get("agents", []):
        seed.add_agent(corp, int(agent["agentid"]), agent["secret"], agent.get("name", f"应用{agent['agentid']}"))
    apply_options(corp, body)
    with state().lock:
        state().corps[corp.corpid] = corp
    return jsonify(ok=True, departments=len(corp.departments), members=len(corp.members))


@bp.get("/corps/<corpid>")
def show_corp(corpid):
    with state().lock:
        return jsonify(dump(corp_or_404(corpid)))


@bp.patch("/corps/<corpid>")
def update_corp(corpid):
    with state().lock:
        apply_options(corp_or_404(corpid), request.get_json(force=True))
    return jsonify(ok=True)


@bp.post("/corps/<corpid>/departments")
def upsert_departments(corpid):
    """A list of department objects; each replaces (or adds) the department with its id."""
    with state().lock:
        corp = corp_or_404(corpid)
        for row in request.get_json(force=True):
            current = corp.departments.get(int(row["id"]), seed.department(int(row["id"]), "", 1))
            corp.departments[int(row["id"])] = {**current, **row}
    return jsonify(ok=True)


@bp.post("/corps/<corpid>/members")
def upsert_members(corpid):
    """A list of (partial) member objects keyed by userid; new ones start from a generated member."""
    with state().lock:
        corp = corp_or_404(corpid)
        for row in request.get_json(force=True):
            current = corp.members.get(row["userid"]) or seed.member(len(corp.members) + 1, [1], row["userid"])
            corp.members[row["userid"]] = {**current, **row}
    return jsonify(ok=True)


@bp.delete("/corps/<corpid>/members/<userid>")
def delete_member(corpid, userid):
    with state().lock:
        corp_or_404(corpid).members.pop(userid, None)
    return jsonify(ok=True)


@bp.post("/corps/<corpid>/agents")
def add_agent(corpid):
    body = request.get_json(force=True)
    with state().lock:
        corp = corp_or_404(corpid)
        corp.agents[int(body["agentid"])] = Agent(int(body["agentid"]), body["secret"], body.get("name", "应用"))
    return jsonify(ok=True)


@bp.post("/faults")
def add_fault():
    """{"path": "user/list_id" | "*", "errcode"?, "errmsg"?, "http_status"?, "delay"?, "times"?}"""
    body = request.get_json(force=True)
    fault = Fault(
        path=body["path"],
        errcode=body.get("errcode"),
        errmsg=body.get("errmsg"),
        http_status=body.get("http_status"),
        delay=float(body.get("delay", 0)),
        times=int(body.get("times", 1)),
    )
    with state().lock:
        state().faults.append(fault)
    return jsonify(ok=True)


@bp.delete("/faults")
def clear_faults():
    with state().lock:
        state().faults.clear()
    return jsonify(ok=True)


@bp.get("/calls")
def calls():
    since = float(request.args.get("since", 0))
    with state().lock:
        rows = [c for c in state().calls if c["at"] >= since]
    return jsonify(calls=rows, count=len(rows), now=time.time())


@bp.delete("/calls")
def clear_calls():
    with state().lock:
        state().calls.clear()
    return jsonify(ok=True)


@bp.post("/tokens/expire")
def expire_tokens():
    """{"corpid"?: only that corp's tokens, "invalidate"?: 40014 instead of 42001}"""
    body = request.get_json(silent=True) or {}
    with state().lock:
        count = state().expire_tokens(body.get("corpid"), bool(body.get("invalidate")))
    return jsonify(ok=True, expired=count)
