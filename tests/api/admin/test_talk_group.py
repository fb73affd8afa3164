"""17.1–17.4 talk groups: camelCase fields, o_id in URLs, GET delete, per-company names."""

from datetime import datetime

from app.extensions import db
from app.models.speech import SpeechDetail, TalkGroup
from tests.conftest import body

SHOW = "/zhugeleida/admin/talkGroupManageShow"
OPER = "/zhugeleida/admin/talkGroupManageOper"


def test_show_shape(api, make, pa_make):
    company = make.company(name="北京合众康桥科技发展有限公司")
    admin = make.admin(company, username="张聪")
    group = pa_make.group(admin, "分组名称sad")
    group.create_date = datetime(2018, 9, 18, 7, 49, 4)
    db.session.commit()
    payload = body(api.as_(admin).get(SHOW))
    assert (payload["code"], payload["msg"]) == (200, "查询成功")
    assert payload["data"] == {
        "otherList": [
            {
                "id": group.id,
                "groupName": "分组名称sad",
                "userProfile": "张聪",
                "userProfileId": admin.id,
                "companyName": "北京合众康桥科技发展有限公司",
                "companyId": company.id,
                "createDate": "2018-09-18 15:49:04",
            }
        ],
        "objsCount": 1,
    }


def test_show_scoped_paged_and_counted(api, make, pa_make, count_queries):
    a, b = make.admin(), make.admin()
    pa_make.group(a)
    pa_make.group(b)
    client = api.as_(a)
    with count_queries() as few:
        client.get(SHOW)
    for _ in range(5):
        pa_make.group(make.admin(a.company))
    with count_queries() as many:
        payload = body(client.get(SHOW, {"length": 4}))
    assert many() == few() + 1  # + the count: a full page does not tell the total (app/pagination.py)
    assert payload["data"]["objsCount"] == 6 and len(payload["data"]["otherList"]) == 4
    assert body(api.as_(make.superadmin()).get(SHOW))["data"]["objsCount"] == 7


def test_add_group(api, make):
    admin = make.admin()
    owner = make.member(admin.company)
    payload = body(api.as_(admin).post(f"{OPER}/add/0", {"groupName": "开场白", "userProfile": owner.id}))
    assert (payload["code"], payload["msg"]) == (200, "添加成功")
    group = db.session.get(TalkGroup, payload["data"]["id"])
    assert (group.company_id, group.owner_id, group.name) == (admin.company_id, owner.id, "开场白")


def test_add_group_errors(api, make, pa_make):
    admin = make.admin()
    pa_make.group(admin, "开场白")
    outsider = make.admin()
    client = api.as_(admin)
    assert body(client.post(f"{OPER}/add/0", {"groupName": "开场白", "userProfile": admin.id}))["code"] == 300
    assert body(client.post(f"{OPER}/add/0", {"groupName": "", "userProfile": admin.id}))["code"] == 303
    assert body(client.post(f"{OPER}/add/0", {"groupName": "新"}))["code"] == 303
    assert body(client.post(f"{OPER}/add/0", {"groupName": "新", "userProfile": "张聪"}))["code"] == 301
    assert body(client.post(f"{OPER}/add/0", {"groupName": "新", "userProfile": 99999}))["code"] == 302
    # the owner must be in the group's company, and a company admin cannot create in another company
    assert body(client.post(f"{OPER}/add/0", {"groupName": "新", "userProfile": outsider.id}))["code"] == 302
    other = {"groupName": "新", "userProfile": outsider.id, "companyName": outsider.company_id}
    assert body(client.post(f"{OPER}/add/0", other))["code"] == 302
    assert db.session.query(TalkGroup).count() == 1


def test_superadmin_adds_group_for_another_company(api, make):
    root = make.superadmin()
    owner = make.admin()
    form = {"groupName": "开场白", "userProfile": owner.id, "companyName": owner.company_id}
    payload = body(api.as_(root).post(f"{OPER}/add/0", form))
    assert payload["code"] == 200
    assert db.session.get(TalkGroup, payload["data"]["id"]).company_id == owner.company_id
    assert body(api.as_(root).post(f"{OPER}/add/0", {**form, "companyName": 99999}))["code"] == 302


def test_update_group(api, make, pa_make):
    admin = make.admin()
    owner = make.member(admin.company)
    group = pa_make.group(admin, "旧")
    payload = body(api.as_(admin).post(f"{OPER}/update/{group.id}", {"groupName": "新"}))
    assert (payload["code"], payload["msg"]) == (200, "修改成功")
    db.session.refresh(group)
    assert (group.name, group.owner_id) == ("新", admin.id)
    assert body(api.as_(admin).post(f"{OPER}/update/{group.id}", {"userProfile": owner.id}))["code"] == 200
    db.session.refresh(group)
    assert (group.name, group.owner_id) == ("新", owner.id)


def test_update_group_errors_and_tenancy(api, make, pa_make):
    admin = make.admin()
    group = pa_make.group(admin, "甲")
    pa_make.group(admin, "乙")
    outsider = make.admin()
    theirs = pa_make.group(outsider, "丙")
    client = api.as_(admin)
    assert body(client.post(f"{OPER}/update/{group.id}", {"groupName": "乙"}))["code"] == 300
    assert body(client.post(f"{OPER}/update/{group.id}", {"groupName": " "}))["code"] == 303
    assert body(client.post(f"{OPER}/update/{group.id}", {"userProfile": outsider.id}))["code"] == 302
    assert body(client.post(f"{OPER}/update/{group.id}", {"companyName": outsider.company_id}))["code"] == 302
    assert body(client.post(f"{OPER}/update/99999", {"groupName": "丁"}))["code"] == 302
    assert body(client.post(f"{OPER}/update/{theirs.id}", {"groupName": "丁"}))["code"] == 302
    db.session.refresh(group)
    db.session.refresh(theirs)
    assert (group.name, group.owner_id, theirs.name) == ("甲", admin.id, "丙")


def test_superadmin_moves_group_with_its_details(api, make, pa_make):
    root = make.superadmin()
    admin, target_owner = make.admin(), make.admin()
    group = pa_make.group(admin)
    detail = pa_make.speech(group)
    client = api.as_(root)
    # moving without an owner of the target company is refused
    assert body(client.post(f"{OPER}/update/{group.id}", {"companyName": target_owner.company_id}))["code"] == 302
    form = {"companyName": target_owner.company_id, "userProfile": target_owner.id}
    assert body(client.post(f"{OPER}/update/{group.id}", form))["code"] == 200
    db.session.refresh(group)
    db.session.refresh(detail)
    assert group.company_id == detail.company_id == target_owner.company_id


def test_delete_group_is_get(api, make, pa_make):
    admin = make.admin()
    group = pa_make.group(admin)
    assert api.as_(admin).post(f"{OPER}/delete/{group.id}").status_code == 405
    payload = body(api.as_(admin).get(f"{OPER}/delete/{group.id}"))
    assert (payload["code"], payload["msg"]) == (200, "删除成功")
    assert db.session.query(TalkGroup).count() == 0


def test_delete_group_with_details_is_304(api, make, pa_make):
    admin = make.admin()
    group = pa_make.group(admin)
    pa_make.speech(group)
    assert body(api.as_(admin).get(f"{OPER}/delete/{group.id}"))["code"] == 304
    assert db.session.query(TalkGroup).count() == 1 and db.session.query(SpeechDetail).count() == 1


def test_delete_group_missing_and_tenancy(api, make, pa_make):
    admin = make.admin()
    theirs = pa_make.group(make.admin())
    client = api.as_(admin)
    assert body(client.get(f"{OPER}/delete/99999"))["code"] == 302
    assert body(client.get(f"{OPER}/delete/{theirs.id}"))["code"] == 302
    assert db.session.get(TalkGroup, theirs.id) is not None


def test_member_may_read_but_not_manage(api, make, pa_make):
    member = make.member()
    group = pa_make.group(member)
    client = api.as_(member)
    assert body(client.get(SHOW))["code"] == 200
    assert body(client.post(f"{OPER}/add/0", {"groupName": "x", "userProfile": member.id}))["code"] == 403
    assert body(client.post(f"{OPER}/update/{group.id}", {"groupName": "x"}))["code"] == 403
    assert body(client.get(f"{OPER}/delete/{group.id}"))["code"] == 403
    assert db.session.query(TalkGroup.name).all() == [(group.name,)]
