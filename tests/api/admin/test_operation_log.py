"""The operation log: one entry per successful admin write (same transaction), the security events, the list
with its filters and tenancy, and the retention."""

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models.admin import ROLE_MEMBER
from app.models.oplog import OperationLog
from app.services import oplog
from app.tasks.maintenance import purge_operation_log
from app.timefmt import utcnow
from tests.conftest import PASSWORD, body

A = "/zhugeleida/admin"
LOG = f"{A}/operation_log"
NEW = "Newpass123"


def _entries(**where):
    db.session.expire_all()
    stmt = select(OperationLog).order_by(OperationLog.id)
    for key, value in where.items():
        stmt = stmt.where(getattr(OperationLog, key) == value)
    return db.session.scalars(stmt).all()


def test_a_create_is_recorded_once_with_target_and_summary(api, make):
    admin = make.admin(username="张三")
    payload = body(api.as_(admin).post(f"{A}/article_tag/add/0", {"tag_name": "汽车"}))
    assert payload["code"] == 200
    [entry] = _entries(category="write")
    assert entry.admin_id == admin.id and entry.admin_name == "张三" and entry.company_id == admin.company_id
    assert entry.action == "article_tag" and entry.endpoint == "admin.article_tag.add"
    assert entry.target_type == "article_tag" and entry.target_id == str(payload["data"][0]["tag_id"])
    assert entry.summary == {"tag_name": "汽车"}
    assert entry.client_ip == "127.0.0.1" and entry.request_id is None and entry.switched_from_id is None


def test_a_summary_names_the_parameters_as_sent(api, make, pa_make):
    """The schema reads `talkGroupName` as group_id: the entry still shows what the client sent."""
    admin = make.admin()
    group = pa_make.group(admin, "分组")
    form = {"contentWords": "您好", "talkGroupName": group.id}
    assert body(api.as_(admin).post(f"{A}/speechDetailsManageOper/add/0", form))["code"] == 200
    [entry] = _entries(category="write")
    assert entry.summary == {"contentWords": "您好", "talkGroupName": group.id}


def test_update_and_delete_name_the_url_id(api, make, pa_make):
    admin = make.admin()
    tag_id = pa_make.tag(admin.company, "旧").id
    client = api.as_(admin)
    assert body(client.post(f"{A}/article_tag/update/{tag_id}", {"tag_name": "新"}))["code"] == 200
    assert body(client.post(f"{A}/article_tag/delete/{tag_id}"))["code"] == 200
    entries = _entries(category="write")
    assert [(e.endpoint, e.target_id, e.summary) for e in entries] == [
        ("admin.article_tag.update", str(tag_id), {"tag_name": "新"}),
        ("admin.article_tag.delete", str(tag_id), None),
    ]


def test_a_refused_write_and_a_read_record_nothing(api, make, pa_make):
    admin = make.admin()
    theirs = pa_make.tag(make.company(), "乙")
    client = api.as_(admin)
    assert body(client.post(f"{A}/article_tag/update/{theirs.id}", {"tag_name": "x"}))["code"] == 302
    assert body(client.post(f"{A}/article_tag/add/0", {"tag_name": ""}))["code"] == 303
    assert body(client.get(f"{A}/article_tag"))["code"] == 200
    # 1.7 is a read the contract makes a POST
    assert body(client.post(f"{A}/home_page/line_info", {"days": 7, "index_type": 1}))["code"] == 200
    assert _entries() == []


def test_passwords_are_never_recorded_only_that_they_changed(api, make):
    admin = make.admin()
    client = api.as_(admin)
    form = {"login_user": "newbie", "password": NEW, "role_id": ROLE_MEMBER, "company_id": admin.company_id}
    form.update(username="新人", position="销售")
    assert body(client.post(f"{A}/admin_userprofile/add/0", form))["code"] == 200
    assert body(client.post(f"{A}/modify_password", {"password1": NEW, "password2": NEW}))["code"] == 200
    entries = _entries()
    text = repr([(e.summary, e.action, e.target_id) for e in entries])
    assert NEW not in text and admin.token not in text
    add = next(e for e in entries if e.endpoint == "admin.admin_userprofile.add")
    assert add.summary["password"] == oplog.CHANGED and add.summary["login_user"] == "newbie"
    assert add.category == "security"  # a password was set
    change = next(e for e in entries if e.action == "account")
    assert change.category == "security" and change.summary == {"password1": "已修改", "password2": "已修改"}
    # the new password rotated the credentials: the invites the admin handed out stop working
    [revoked] = _entries(action=oplog.CREDENTIALS_REVOKED)
    assert revoked.target_type == "admin_user" and revoked.target_id == str(admin.id)


def test_disabling_an_admin_records_the_invite_revocation(api, make):
    admin = make.admin()
    member = make.member(admin.company)
    path = f"{A}/admin_userprofile/update_status/{member.id}"
    assert body(api.as_(admin).post(path, {"status": 2}))["code"] == 200
    [revoked] = _entries(action=oplog.CREDENTIALS_REVOKED)
    assert revoked.admin_id == admin.id and revoked.target_id == str(member.id)
    [write] = _entries(category="write")
    assert write.action == "admin_userprofile" and write.summary == {"status": 2}


def test_sign_ins_and_failed_sign_ins(api, make):
    user = make.admin(login_user="zhangcong")
    assert body(api.post(f"{A}/login", {"username": "zhangcong", "password": PASSWORD}))["code"] == 200
    assert body(api.post(f"{A}/login", {"username": "zhangcong", "password": "Wrong1234"}))["code"] == 401
    assert body(api.post(f"{A}/login", {"username": "nobody", "password": "Wrong1234"}))["code"] == 401
    login, failed, unknown = _entries()
    assert (login.action, login.admin_id, login.category) == (oplog.LOGIN, user.id, "security")
    assert (failed.action, failed.admin_id, failed.company_id) == (oplog.LOGIN_FAILED, user.id, user.company_id)
    assert failed.summary == {"username": "zhangcong", "reason": "账号或密码错误"}
    assert "Wrong1234" not in repr(failed.summary)
    assert (unknown.action, unknown.admin_id, unknown.summary["username"]) == (oplog.LOGIN_FAILED, None, "nobody")


def test_rate_limit_refusals(app, api, make):
    make.admin(login_user="zhangcong")
    limit = int(app.config["LOGIN_RATE_LIMIT"].split()[0])
    for _ in range(limit + 1):
        response = api.post(f"{A}/login", {"username": "zhangcong", "password": "Wrong1234"})
    assert response.status_code == 429
    refused = _entries(action=oplog.RATE_LIMITED)
    assert refused and refused[0].summary["path"] == f"{A}/login"


def test_refused_signatures_on_writes(api, make):
    admin = make.admin()
    client = api.as_(admin)
    ts = "1" + "0" * 12  # long expired
    assert body(client.post(f"{A}/article_tag/add/0", {"tag_name": "x"}, timestamp=ts))["code"] == 400
    assert body(client.get(f"{A}/article_tag", timestamp=ts))["code"] == 400  # a read: not a security event
    [refused] = _entries()
    assert refused.action == oplog.SIGNATURE_REFUSED and refused.admin_id == admin.id
    assert refused.summary["path"] == f"{A}/article_tag/add/0"


def test_switch_user_is_recorded_and_names_the_operator_on_later_writes(api, make):
    root = make.superadmin()
    target = make.admin()
    assert body(api.as_(root).post(f"{A}/admin_userprofile/switch_admin_user/{target.id}"))["code"] == 200
    [switch] = _entries(action=oplog.SWITCH_USER)
    assert switch.admin_id == root.id and switch.target_type == "admin_user" and switch.target_id == str(target.id)
    assert body(api.as_(target).post(f"{A}/article_tag/add/0", {"tag_name": "切换"}))["code"] == 200
    [write] = _entries(endpoint="admin.article_tag.add")
    assert write.admin_id == target.id and write.switched_from_id == root.id
    # the target's own sign-in opens a session of its own
    assert body(api.post(f"{A}/login", {"username": target.login_user, "password": PASSWORD}))["code"] == 200
    assert body(api.as_(target).post(f"{A}/article_tag/add/0", {"tag_name": "自己"}))["code"] == 200
    assert _entries(endpoint="admin.article_tag.add")[-1].switched_from_id is None


def test_the_request_id_is_recorded_when_present(app, api, make):
    from flask import g

    def set_request_id():
        g.request_id = "req-123"

    app.before_request_funcs.setdefault(None, []).insert(0, set_request_id)
    try:
        admin = make.admin()
        assert body(api.as_(admin).post(f"{A}/article_tag/add/0", {"tag_name": "x"}))["code"] == 200
    finally:
        app.before_request_funcs[None].remove(set_request_id)
    assert _entries()[0].request_id == "req-123"


# --- the list ---------------------------------------------------------------------------------------------------


def _write_some(api, make):
    root = make.superadmin()
    a_admin, b_admin = make.admin(), make.admin()
    for admin, name in ((a_admin, "甲"), (b_admin, "乙"), (root, "平台")):
        assert body(api.as_(admin).post(f"{A}/article_tag/add/0", {"tag_name": name}))["code"] == 200
    return root, a_admin, b_admin


def test_list_tenancy_role_1_all_role_2_its_company_role_3_nothing(api, make):
    root, a_admin, b_admin = _write_some(api, make)
    payload = body(api.as_(a_admin).get(LOG))
    assert payload["code"] == 200 and payload["data"]["data_count"] == 1
    [item] = payload["data"]["ret_data"]
    assert item["admin_id"] == a_admin.id and item["summary"] == {"tag_name": "甲"}
    assert len(item["create_date"]) == 19 and item["category_text"] == "写操作"
    # role 2 cannot widen its scope with company_id
    assert body(api.as_(a_admin).get(LOG, {"company_id": b_admin.company_id}))["data"]["data_count"] == 1
    assert body(api.as_(root).get(LOG))["data"]["data_count"] == 3
    assert body(api.as_(root).get(LOG, {"company_id": b_admin.company_id}))["data"]["data_count"] == 1
    member = make.member(a_admin.company)
    assert body(api.as_(member).get(LOG))["code"] == 403


def test_list_filters_and_paging(api, make):
    root, a_admin, _ = _write_some(api, make)
    client = api.as_(root)

    def count(**query):
        payload = body(client.get(LOG, query))
        assert payload["code"] == 200, payload
        return payload["data"]["data_count"]

    assert count(admin_id=a_admin.id) == 1
    assert count(action="article_tag") == 3 and count(action="company") == 0
    assert count(category="write") == 3 and count(category="security") == 0
    assert count(target_type="article_tag") == 3
    target_id = _entries(admin_id=a_admin.id)[0].target_id
    assert count(target_id=target_id) == 1
    today = utcnow().date()
    assert count(start_date=str(today - timedelta(days=1)), end_date=str(today + timedelta(days=1))) == 3
    assert count(end_date=str(today - timedelta(days=2))) == 0
    page = body(client.get(LOG, {"length": 2, "current_page": 2}))["data"]
    assert page["data_count"] == 3 and len(page["ret_data"]) == 1
    assert body(client.get(LOG, {"category": "other"}))["code"] == 303
    assert body(client.get(LOG, {"start_date": "2026-02-02", "end_date": "2026-02-01"}))["code"] == 303
    assert body(client.get(LOG, {"admin_id": "x"}))["code"] == 301


def test_list_query_count_is_constant(api, make, count_queries):
    root, *_ = _write_some(api, make)
    with count_queries() as few:
        body(api.as_(root).get(LOG))
    for i in range(5):
        body(api.as_(root).post(f"{A}/article_tag/add/0", {"tag_name": f"更多{i}"}))
    with count_queries() as many:
        body(api.as_(root).get(LOG))
    assert few() == many()


def test_retention_purges_old_entries(app, make):
    admin = make.admin()
    days = app.config["OPERATION_LOG_DAYS"]
    old = OperationLog(action="x", create_date=utcnow() - timedelta(days=days + 1), company_id=admin.company_id)
    recent = OperationLog(action="y", create_date=utcnow() - timedelta(days=days - 1), company_id=admin.company_id)
    db.session.add_all([old, recent])
    db.session.commit()
    assert purge_operation_log() == 1
    assert [e.action for e in _entries()] == ["y"]
