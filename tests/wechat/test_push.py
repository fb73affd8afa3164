"""Radar users created on our side (approval of scan-to-join requests) are pushed to WeChat Work by a job."""

from sqlalchemy import func, select

from app.extensions import db
from app.models.jobs import Job
from app.models.radar import Department, RadarUser
from app.security import new_token
from app.services import hooks
from tests.fixtures.wechat import CORP_ID, wait_for_job


def radar_user(company, userid, phone, departments=()):
    user = RadarUser(
        company_id=company.id, userid=userid, username=f"新人{userid}", position="顾问", wechat_phone=phone,
        gender=2, token=new_token(), departments=list(departments),
    )  # fmt: skip
    db.session.add(user)
    db.session.flush()
    return user


def only_job() -> Job:
    db.session.rollback()
    jobs = db.session.scalars(select(Job)).all()
    assert len(jobs) == 1
    return wait_for_job(jobs[0].id)


def test_created_users_are_pushed_once_the_transaction_commits(linked_company, sandbox):
    dept = Department(company_id=linked_company.id, name="华东", wechat_id=3)
    db.session.add(dept)
    first = radar_user(linked_company, "zgld_a1", "13900000001", [dept])
    second = radar_user(linked_company, "zgld_a2", "13900000002")
    hooks.radar_users_created(linked_company.id, [first.id, second.id])
    assert "zgld_a1" not in {m["userid"] for m in sandbox.corp(CORP_ID)["members"]}  # nothing before the commit
    db.session.commit()
    job = only_job()
    assert job.kind == "wechat_work.push_members" and job.status == "finished"
    assert job.result["pushed"] == 2 and job.result["failed"] == 0
    members = {m["userid"]: m for m in sandbox.corp(CORP_ID)["members"]}
    pushed = members["zgld_a1"]
    assert (pushed["name"], pushed["position"], pushed["mobile"], pushed["gender"]) == (
        "新人zgld_a1",
        "顾问",
        "13900000001",
        "2",
    )
    assert pushed["department"] == [3] and members["zgld_a2"]["department"] == [1]


def test_nothing_is_pushed_when_the_transaction_rolls_back(linked_company, sandbox):
    user = radar_user(linked_company, "zgld_b1", "13900000003")
    hooks.radar_users_created(linked_company.id, [user.id])
    db.session.rollback()
    db.session.commit()  # a later commit of the same session starts nothing either
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0
    assert "zgld_b1" not in {m["userid"] for m in sandbox.corp(CORP_ID)["members"]}


def test_no_job_without_a_connected_address_book(make, sandbox):
    company = make.company()
    user = radar_user(company, "zgld_c1", "13900000004")
    hooks.radar_users_created(company.id, [user.id])
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0


def test_push_is_idempotent_and_reports_each_refusal(linked_company, sandbox):
    existing = radar_user(linked_company, "user00001", "13900000005")  # already in WeChat: updated
    clash = radar_user(linked_company, "zgld_d2", "+86 13800000002")  # mobile of user00002: refused
    hooks.radar_users_created(linked_company.id, [existing.id, clash.id])
    db.session.commit()
    job = only_job()
    assert job.status == "finished" and (job.result["pushed"], job.result["failed"]) == (1, 1)
    outcomes = {o["userid"]: o for o in job.result["members"]}
    assert outcomes["user00001"]["outcome"] == "updated"
    assert outcomes["zgld_d2"]["errcode"] == 60104 and outcomes["zgld_d2"]["errmsg"].startswith("mobile existed")
    assert {m["userid"]: m for m in sandbox.corp(CORP_ID)["members"]}["user00001"]["mobile"] == "13900000005"


def test_push_retries_a_network_error(linked_company, sandbox):
    user = radar_user(linked_company, "zgld_e1", "13900000006")
    sandbox.fail_next("user/create", http_status=502)
    hooks.radar_users_created(linked_company.id, [user.id])
    db.session.commit()
    job = only_job()
    assert job.status == "finished" and job.attempts == 2 and job.result["pushed"] == 1
