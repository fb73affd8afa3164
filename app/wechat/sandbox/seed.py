"""Generated corps for tests, the benchmark and the demo: a department tree and members spread over it."""

from app.wechat.sandbox.state import Agent, Corp

POSITIONS = ["销售经理", "客户经理", "销售代表", "区域总监", "市场专员"]
ROOT_ORDER = 100000000


def department(dept_id: int, name: str, parentid: int, order: int = 0) -> dict:
    return {"id": dept_id, "name": name, "name_en": "", "department_leader": [], "parentid": parentid, "order": order}


def member(n: int, departments: list[int], userid: str | None = None) -> dict:
    userid = userid or f"user{n:05d}"
    avatar = f"https://wework.qpic.cn/sandbox/{userid}/0"
    return {
        "userid": userid,
        "name": f"成员{n:05d}",
        "department": departments,
        "order": [0] * len(departments),
        "main_department": departments[0],
        "is_leader_in_dept": [0] * len(departments),
        "direct_leader": [],
        "position": POSITIONS[n % len(POSITIONS)],
        "mobile": f"+86 138{n:08d}",
        "gender": str(n % 2 + 1),
        "email": f"{userid}@example.com",
        "avatar": avatar,
        "thumb_avatar": avatar,
        "telephone": "",
        "alias": "",
        "address": "",
        "status": 1,
        "extattr": {"attrs": []},
    }


def build_corp(
    corpid: str, contacts_secret: str, name: str = "沙箱企业", departments: int = 1, members: int = 0
) -> Corp:
    """`departments` in all (the root included): ten under the root, the rest one level further down;
    members round-robin over the non-root departments (or the root when it is alone)."""
    corp = Corp(corpid=corpid, name=name, contacts_secret=contacts_secret)
    corp.departments[1] = department(1, name, 0, ROOT_ORDER)
    for index in range(departments - 1):
        dept_id = index + 2
        parent = 1 if index < 10 else 2 + index % 10
        corp.departments[dept_id] = department(dept_id, f"部门{dept_id:03d}", parent, ROOT_ORDER - dept_id)
    leaves = [d for d in corp.departments if d != 1] or [1]
    for n in range(1, members + 1):
        row = member(n, [leaves[(n - 1) % len(leaves)]])
        corp.members[row["userid"]] = row
    return corp


def add_agent(corp: Corp, agentid: int, secret: str, name: str) -> Agent:
    agent = Agent(agentid=agentid, secret=secret, name=name)
    corp.agents[agentid] = agent
    return agent
