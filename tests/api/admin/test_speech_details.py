"""17.5–17.8 speech details: contentWords / talkGroupName (the group's ID), GET delete."""

from datetime import datetime

from app.extensions import db
from app.models.speech import SpeechDetail
from tests.conftest import body

SHOW = "/zhugeleida/admin/speechDetailsManageShow"
OPER = "/zhugeleida/admin/speechDetailsManageOper"


def test_show_shape(api, make, pa_make):
    admin = make.admin()
    group = pa_make.group(admin, "分组名称sad")
    detail = pa_make.speech(group, "覆盖多个")
    detail.create_date, detail.send_num = datetime(2018, 9, 18, 8, 40, 50), 3
    db.session.commit()
    payload = body(api.as_(admin).get(SHOW))
    assert (payload["code"], payload["msg"]) == (200, "查询成功")
    assert payload["data"] == {
        "otherList": [
            {
                "id": detail.id,
                "contentWords": "覆盖多个",
                "sendNum": 3,
                "talkGroupName": "分组名称sad",
                "talkGroupId": group.id,
                "createDate": "2018-09-18 16:40:50",
            }
        ],
        "objsCount": 1,
    }


def test_show_filter_scope_paging_and_count(api, make, pa_make, count_queries):
    admin = make.admin()
    g1, g2 = pa_make.group(admin), pa_make.group(admin)
    pa_make.speech(g1)
    pa_make.speech(pa_make.group(make.admin()))
    client = api.as_(admin)
    with count_queries() as few:
        client.get(SHOW)
    for n in range(6):
        pa_make.speech(g1 if n % 2 else g2)
    with count_queries() as many:
        payload = body(client.get(SHOW, {"length": 5}))
    assert many() == few() + 1  # + the count: a full page does not tell the total (app/pagination.py)
    assert payload["data"]["objsCount"] == 7 and len(payload["data"]["otherList"]) == 5
    assert body(client.get(SHOW, {"talkGroupId": g2.id}))["data"]["objsCount"] == 3
    assert body(client.get(SHOW, {"talkGroupId": "x"}))["code"] == 301
    assert body(api.as_(make.superadmin()).get(SHOW))["data"]["objsCount"] == 8


def test_add_detail(api, make, pa_make):
    admin = make.admin()
    group = pa_make.group(admin)
    payload = body(api.as_(admin).post(f"{OPER}/add/0", {"contentWords": "您好", "talkGroupName": group.id}))
    assert (payload["code"], payload["msg"]) == (200, "添加成功")
    detail = db.session.get(SpeechDetail, payload["data"]["id"])
    assert (detail.company_id, detail.group_id, detail.content, detail.send_num) == (
        admin.company_id,
        group.id,
        "您好",
        0,
    )


def test_add_detail_errors_and_tenancy(api, make, pa_make):
    admin = make.admin()
    group = pa_make.group(admin)
    theirs = pa_make.group(make.admin())
    client = api.as_(admin)
    assert body(client.post(f"{OPER}/add/0", {"contentWords": "", "talkGroupName": group.id}))["code"] == 303
    assert body(client.post(f"{OPER}/add/0", {"contentWords": "x"}))["code"] == 303
    assert body(client.post(f"{OPER}/add/0", {"contentWords": "x", "talkGroupName": "分组"}))["code"] == 301
    assert body(client.post(f"{OPER}/add/0", {"contentWords": "x", "talkGroupName": 99999}))["code"] == 302
    assert body(client.post(f"{OPER}/add/0", {"contentWords": "x", "talkGroupName": theirs.id}))["code"] == 302
    assert db.session.query(SpeechDetail).count() == 0


def test_update_detail(api, make, pa_make):
    admin = make.admin()
    g1, g2 = pa_make.group(admin), pa_make.group(admin)
    detail = pa_make.speech(g1)
    payload = body(
        api.as_(admin).post(f"{OPER}/update/{detail.id}", {"contentWords": "新话术", "talkGroupName": g2.id})
    )
    assert (payload["code"], payload["msg"]) == (200, "修改成功")
    db.session.refresh(detail)
    assert (detail.content, detail.group_id) == ("新话术", g2.id)


def test_update_detail_errors_and_tenancy(api, make, pa_make):
    admin = make.admin()
    group = pa_make.group(admin)
    detail = pa_make.speech(group, "原话术")
    other_group = pa_make.group(make.admin())
    theirs = pa_make.speech(other_group, "别人的")
    client = api.as_(admin)
    url = f"{OPER}/update/{detail.id}"
    assert body(client.post(url, {"contentWords": "只改内容"}))["code"] == 303  # both fields required (17.6)
    assert body(client.post(url, {"contentWords": "x", "talkGroupName": other_group.id}))["code"] == 302
    assert body(client.post(f"{OPER}/update/99999", {"contentWords": "x", "talkGroupName": group.id}))["code"] == 302
    form = {"contentWords": "x", "talkGroupName": group.id}
    assert body(client.post(f"{OPER}/update/{theirs.id}", form))["code"] == 302
    db.session.refresh(detail)
    db.session.refresh(theirs)
    assert (detail.content, detail.group_id, theirs.content) == ("原话术", group.id, "别人的")


def test_delete_detail_is_get(api, make, pa_make):
    admin = make.admin()
    detail = pa_make.speech(pa_make.group(admin))
    theirs = pa_make.speech(pa_make.group(make.admin()))
    client = api.as_(admin)
    assert client.post(f"{OPER}/delete/{detail.id}").status_code == 405
    assert body(client.get(f"{OPER}/delete/99999"))["code"] == 302
    assert body(client.get(f"{OPER}/delete/{theirs.id}"))["code"] == 302
    assert body(client.get(f"{OPER}/delete/{detail.id}"))["code"] == 200
    assert db.session.query(SpeechDetail.id).all() == [(theirs.id,)]


def test_member_may_read_but_not_manage(api, make, pa_make):
    member = make.member()
    detail = pa_make.speech(pa_make.group(member))
    client = api.as_(member)
    assert body(client.get(SHOW))["code"] == 200
    assert body(client.post(f"{OPER}/add/0", {"contentWords": "x", "talkGroupName": detail.group_id}))["code"] == 403
    form = {"contentWords": "x", "talkGroupName": detail.group_id}
    assert body(client.post(f"{OPER}/update/{detail.id}", form))["code"] == 403
    assert body(client.get(f"{OPER}/delete/{detail.id}"))["code"] == 403
    assert db.session.query(SpeechDetail).count() == 1
