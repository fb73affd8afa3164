"""5.7 address-book sync against the sandbox (jobs inline): what ends up in our tables, and at what cost."""

import pytest
from sqlalchemy import func, select, text

from app.extensions import db
from app.models.jobs import FAILED, FINISHED
from app.models.radar import Department, RadarUser
from app.services.companies import start_sync
from app.services.wechat_work import our_mobile
from tests.fixtures.wechat import CONTACTS_SECRET, link_company, seed_corp, wait_for_job


def sync(company):
    return wait_for_job(start_sync(company).job.id)


def users(company_id) -> dict[str, RadarUser]:
    db.session.expire_all()
    rows = db.session.scalars(select(RadarUser).where(RadarUser.company_id == company_id))
    return {user.userid: user for user in rows}


def departments(company_id) -> dict[int, Department]:
    db.session.expire_all()
    rows = db.session.scalars(select(Department).where(Department.company_id == company_id))
    return {dept.wechat_id: dept for dept in rows}


def test_sync_creates_departments_and_members(linked_company, sandbox, wechat_corp):
    """Departments keep their WeChat ids and tree; members get name, position, mobile, gender, avatar."""
    job = sync(linked_company)
    assert job.status == FINISHED and job.progress == 100, (job.error_code, job.error)
    assert job.result["departments"] == {"total": 5, "created": 5, "updated": 0, "missing": 0}
    assert job.result["members"]["created"] == 20 and job.result["members"]["over_quota"] == 0
    depts = departments(linked_company.id)
    assert set(depts) == {1, 2, 3, 4, 5}
    assert depts[1].parent_id is None and depts[1].name == "沙箱企业"
    assert all(depts[i].parent_id == depts[1].id for i in (2, 3, 4, 5))
    wx = {m["userid"]: m for m in sandbox.corp(wechat_corp.corpid)["members"]}
    synced = users(linked_company.id)
    assert set(synced) == set(wx)
    one, theirs = synced["user00007"], wx["user00007"]
    assert (one.username, one.position) == (theirs["name"], theirs["position"])
    assert theirs["mobile"] == "+86 13800000007" and one.wechat_phone == "13800000007"  # mainland: no prefix kept
    assert (one.gender, one.avatar, one.email, one.status) == (
        int(theirs["gender"]),
        theirs["avatar"],
        theirs["email"],
        1,
    )
    assert [d.wechat_id for d in one.departments] == theirs["department"]


def test_sync_twice_changes_nothing(linked_company, wechat_corp):
    """Idempotent: a second run finds nothing to do and duplicates nothing."""
    sync(linked_company)
    again = sync(linked_company)
    assert again.status == FINISHED
    assert again.result["departments"] == {"total": 5, "created": 0, "updated": 0, "missing": 0}
    members = again.result["members"]
    assert (members["created"], members["updated"], members["disabled"]) == (0, 0, 0)
    assert db.session.scalar(select(func.count()).select_from(RadarUser)) == 20
    assert db.session.scalar(select(func.count()).select_from(Department)) == 5
    links = db.session.execute(text("SELECT COUNT(*) FROM radar_user_department")).scalar()
    assert links == 20


def test_sync_follows_changes_and_disables_the_departed(linked_company, sandbox, wechat_corp):
    sync(linked_company)
    before = users(linked_company.id)
    token_before = before["user00003"].token
    sandbox.upsert_departments(wechat_corp.corpid, [{"id": 5, "name": "华南销售", "parentid": 2}])
    sandbox.upsert_members(
        wechat_corp.corpid,
        [
            {"userid": "user00001", "name": "张三", "position": "总监", "department": [3, 4]},
            {"userid": "newbie", "name": "新人", "department": [5], "mobile": "+86 13900000001"},
        ],
    )
    sandbox.delete_member(wechat_corp.corpid, "user00003")
    job = sync(linked_company)
    assert job.status == FINISHED
    assert job.result["departments"]["updated"] == 1
    assert job.result["members"]["created"] == 1 and job.result["members"]["disabled"] == 1
    assert job.result["members"]["updated"] == 1
    depts, now = departments(linked_company.id), users(linked_company.id)
    assert depts[5].name == "华南销售" and depts[5].parent_id == depts[2].id
    assert (now["user00001"].username, now["user00001"].position) == ("张三", "总监")
    assert sorted(d.wechat_id for d in now["user00001"].departments) == [3, 4]
    gone = now["user00003"]
    assert gone.status == 2 and gone.token != token_before  # disabled, token revoked, never deleted
    assert now["newbie"].departments[0].wechat_id == 5


def test_sync_respects_the_seat_quota(make, sandbox, wechat_corp):
    """Members beyond the free seats are reported, not created."""
    company = link_company(make.company(mingpian_available_num=15), wechat_corp)
    job = sync(company)
    members = job.result["members"]
    assert members["created"] == 15 and members["over_quota"] == 5
    assert members["over_quota_userids"] == [f"user{n:05d}" for n in range(16, 21)]
    assert len(users(company.id)) == 15
    sandbox.delete_member(wechat_corp.corpid, "user00001")  # one leaves: its seat goes to the next in line
    job = sync(company)
    assert job.result["members"]["disabled"] == 1 and job.result["members"]["created"] == 1
    enabled = [u for u in users(company.id).values() if u.status == 1]
    assert len(enabled) == 15 and "user00016" in users(company.id)


def test_sync_walks_the_departments(app, make, sandbox):
    """gettoken + department/list + the list_id pages + one user/list per department (no fetch_child)."""
    corp = seed_corp(sandbox, departments=12, members=20)
    company = link_company(make.company(mingpian_available_num=50), corp)
    app.config["WECHAT_WORK_PAGE_SIZE"] = 7
    sandbox.clear_calls()
    job = sync(company)
    paths = [c["path"].rsplit("/cgi-bin/", 1)[1] for c in sandbox.calls()]
    assert paths[:5] == ["gettoken", "department/list", "user/list_id", "user/list_id", "user/list_id"]
    assert paths[5:] == ["user/list"] * 12
    assert job.result["wechat_calls"] == len(paths) == 12 + 3 + 2
    assert job.result["members"]["created"] == 20 and job.result["warning"] is None
    wx = {m["userid"]: m for m in sandbox.corp(corp.corpid)["members"]}
    deep = next(u for u in users(company.id).values() if wx[u.userid]["department"][0] > 11)  # a sub-department's
    assert (deep.username, deep.position) == (wx[deep.userid]["name"], wx[deep.userid]["position"])


def test_sync_merges_a_member_of_several_departments(linked_company, sandbox, wechat_corp):
    sandbox.upsert_members(wechat_corp.corpid, [{"userid": "user00001", "name": "张三", "department": [2, 5]}])
    job = sync(linked_company)
    assert job.status == FINISHED and job.result["members"]["total"] == 20
    one = users(linked_company.id)["user00001"]
    assert one.username == "张三" and sorted(d.wechat_id for d in one.departments) == [2, 5]


def test_sync_retries_a_busy_department_with_backoff(linked_company, sandbox):
    sandbox.fail_next("user/list", errcode=45009, times=2)
    sandbox.fail_next("user/list", errcode=-1)
    job = sync(linked_company)
    assert job.status == FINISHED and job.attempts == 1, (job.error_code, job.error)
    assert job.result["details_missing"] == 0 and job.result["warning"] is None


def test_sync_still_busy_after_the_retries_retries_the_job(app, make, sandbox):
    corp = seed_corp(sandbox, departments=1, members=3)  # one department: every try hits the same call
    company = link_company(make.company(), corp)
    sandbox.fail_next("user/list", errcode=45009, times=1 + app.config["WECHAT_RETRY_MAX"])
    job = sync(company)
    assert job.status == FINISHED and job.attempts == 2
    assert job.result["details_missing"] == 0


def test_sync_refused_details_say_so(linked_company, sandbox, wechat_corp):
    """48002 for the reads (WeChat's 2022 restriction): membership syncs, names stay, the result says why."""
    sync(linked_company)
    sandbox.fail_next("user/list", errcode=48002, times=10)
    sandbox.upsert_members(wechat_corp.corpid, [{"userid": "user00002", "name": "改名"}])
    job = sync(linked_company)
    assert job.status == FINISHED and job.result["details_error"] == 48002
    assert job.result["details_missing"] == 20
    assert job.result["warning"].startswith("企业微信拒绝读取成员详情（48002），20名成员只同步了所属部门")
    assert users(linked_company.id)["user00002"].username == "成员00002"  # kept, not replaced by the userid


def test_sync_withheld_fields_are_kept_and_reported(linked_company, sandbox, wechat_corp):
    sync(linked_company)
    sandbox.set_corp(wechat_corp.corpid, withheld_fields=["name", "mobile", "avatar", "email", "gender"])
    sandbox.delete_member(wechat_corp.corpid, "user00020")  # a free seat for the newcomer
    sandbox.upsert_members(wechat_corp.corpid, [{"userid": "newbie", "name": "新人", "department": [3]}])
    sandbox.upsert_members(wechat_corp.corpid, [{"userid": "user00004", "position": "总监"}])
    job = sync(linked_company)
    assert job.status == FINISHED and job.result["details_withheld"] == 20
    assert job.result["warning"] == (
        "企业微信未返回20名成员的姓名、手机号或头像（企业微信自2022年起限制读取成员信息），这些信息未更新"
    )
    now = users(linked_company.id)
    assert (now["user00004"].username, now["user00004"].position) == ("成员00004", "总监")
    assert now["user00004"].wechat_phone == "13800000004"
    assert now["newbie"].username == "newbie"  # nothing better is known of a new member


@pytest.mark.parametrize(
    ("theirs", "ours"),
    [
        ("+86 13800000000", "13800000000"),
        ("+86-13900000001", "13900000001"),
        ("8613700000002", "13700000002"),
        ("13600000003", "13600000003"),
        ("+1 4155550100", "+1 4155550100"),  # not a mainland number: kept as WeChat gives it
        ("+86 12345", "+86 12345"),
        ("", None),
    ],
)
def test_a_members_mobile_is_kept_in_our_form(theirs, ours):
    assert our_mobile(theirs) == ours


def test_sync_with_recursive_listing_honoured_gives_the_same_result(linked_company, sandbox, wechat_corp):
    """A WeChat still honouring fetch_child changes nothing: we never ask for it."""
    sandbox.set_corp(wechat_corp.corpid, legacy_fetch_child=True)
    job = sync(linked_company)
    assert job.result["details_missing"] == 0 and job.result["members"]["created"] == 20


def test_sync_adopts_our_departments_and_disambiguates_names(linked_company, sandbox, wechat_corp):
    ours = Department(company_id=linked_company.id, name="部门003")
    db.session.add(ours)
    db.session.commit()
    sandbox.upsert_departments(wechat_corp.corpid, [{"id": 9, "name": "部门003", "parentid": 2}])
    job = sync(linked_company)
    assert job.status == FINISHED, job.error
    depts = departments(linked_company.id)
    assert depts[3].id == ours.id and depts[3].name == "部门003"  # adopted, not duplicated
    assert depts[9].name == "部门003(9)" and depts[9].parent_id == depts[2].id
    sandbox.upsert_departments(wechat_corp.corpid, [{"id": 3, "name": "部门004"}, {"id": 4, "name": "部门003"}])
    assert sync(linked_company).status == FINISHED  # a swap of names passes the unique constraint
    depts = departments(linked_company.id)
    assert (depts[3].name, depts[4].name) == ("部门004", "部门003")


def test_sync_with_a_refused_secret_fails_and_unvalidates(make, sandbox, wechat_corp):
    company = make.company()
    company.corp_id, company.tongxunlu_secret, company.is_validate = wechat_corp.corpid, "revoked-secret", True
    db.session.commit()
    job = sync(company)
    assert job.status == FAILED and job.error_code == 40001 and job.attempts == 1
    db.session.refresh(company)
    assert company.is_validate is False


def test_sync_retries_a_network_error(linked_company, sandbox, wechat_corp):
    sandbox.fail_next("department/list", http_status=502)
    job = sync(linked_company)
    assert job.status == FINISHED and job.attempts == 2
    assert job.result["members"]["created"] == 20


def test_sync_gives_up_after_the_retries(app, linked_company, sandbox):
    sandbox.fail_next("department/list", http_status=503, times=10)
    job = sync(linked_company)
    assert job.status == FAILED and job.attempts == 1 + app.config["JOB_RETRY_MAX"]
    assert job.error_code == -1 and job.error == "微信服务暂时不可用，请稍后重试"


def test_sync_does_not_retry_a_wechat_refusal(linked_company, sandbox):
    sandbox.fail_next("user/list_id", errcode=60011)
    job = sync(linked_company)
    assert job.status == FAILED and job.attempts == 1 and job.error_code == 60011
    assert job.error.startswith("no privilege to access/modify contact/party/agent, hint: [")


def test_sync_survives_an_expired_token(linked_company, sandbox, wechat_corp):
    sync(linked_company)
    sandbox.expire_tokens(wechat_corp.corpid)
    sandbox.clear_calls()
    job = sync(linked_company)
    assert job.status == FINISHED
    paths = [c["path"].rsplit("/cgi-bin/", 1)[1] for c in sandbox.calls()]
    # refused once (42001), refreshed once, retried — and the fresh token serves the rest of the sync
    assert paths == ["department/list", "gettoken", "department/list", "user/list_id"] + ["user/list"] * 5


def test_sync_needs_validated_credentials(make):
    from app.responses import ApiError

    company = make.company()
    try:
        start_sync(company)
    except ApiError as err:
        assert err.code == 303 and err.msg == "请先添加并验证企业微信通讯录秘钥"
    else:
        raise AssertionError("expected 303")
    assert CONTACTS_SECRET not in str(company.tongxunlu_secret)


def test_sync_refreshes_a_token_refused_during_the_walk(linked_company, sandbox):
    sandbox.fail_next("user/list", errcode=42001)
    sandbox.clear_calls()
    job = sync(linked_company)
    assert job.status == FINISHED and job.attempts == 1 and job.result["details_missing"] == 0
    paths = [c["path"].rsplit("/cgi-bin/", 1)[1] for c in sandbox.calls()]
    assert paths.count("gettoken") == 2 and paths.count("user/list") == 5 + 1
