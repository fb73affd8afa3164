"""8.9 on the H5 side: a customer signs up for an activity with its own credentials (action 17)."""

from sqlalchemy import func, select

from app.extensions import db
from app.models.plugin import ActivitySignUp
from app.models.radar import AccessLog
from tests.conftest import body

URL = "/zhugeleida/gongzhonghao/plugin_report/sign_up_activity/{}"
FORM = {"customer_name": "王五", "phone": "13020002341", "leave_message": "不错哦!!!", "phone_verify_code": "1231"}


def _sign_ups():
    db.session.expire_all()
    return db.session.scalars(select(ActivitySignUp).order_by(ActivitySignUp.id)).all()


def _events():
    return db.session.execute(select(AccessLog.action, AccessLog.radar_user_id, AccessLog.customer_id)).all()


def test_sign_up_records_the_customer_and_logs_action_17(api, h5, pa_make):
    activity = pa_make.activity(h5.admin)
    payload = body(api.as_(h5.customer).post(URL.format(activity.id), FORM, query={"uid": h5.user.id}))
    assert payload["code"] == 200 and payload["msg"] == "报名成功"
    [entry] = _sign_ups()
    assert (entry.id, entry.customer_id, entry.recorder_id) == (payload["data"]["id"], h5.customer.id, None)
    assert (entry.name, entry.phone, entry.leave_message) == ("王五", "13020002341", "不错哦!!!")
    assert _events() == [(17, h5.user.id, h5.customer.id)]


def test_sign_up_without_uid_and_as_json(api, h5, pa_make):
    activity = pa_make.activity(h5.admin)
    payload = body(api.as_(h5.customer).post(URL.format(activity.id), json=FORM, query={"uid": ""}))
    assert payload["code"] == 200
    assert _events() == [(17, None, h5.customer.id)]


def test_sign_up_same_phone_twice_is_300(api, h5, pa_make):
    activity = pa_make.activity(h5.admin)
    assert body(api.as_(h5.customer).post(URL.format(activity.id), FORM))["code"] == 200
    assert body(api.as_(h5.customer).post(URL.format(activity.id), FORM))["code"] == 300
    assert len(_sign_ups()) == 1 and len(_events()) == 1


def test_sign_up_other_companys_activity_or_radar_user_is_302(api, h5, pa_make, make, radar):
    other_admin = make.admin()
    foreign = pa_make.activity(other_admin)
    assert body(api.as_(h5.customer).post(URL.format(foreign.id), FORM))["code"] == 302
    assert body(api.as_(h5.customer).post(URL.format(999_999), FORM))["code"] == 302
    own = pa_make.activity(h5.admin)
    foreign_user = radar.user(other_admin.company)
    payload = body(api.as_(h5.customer).post(URL.format(own.id), FORM, query={"uid": foreign_user.id}))
    assert payload["code"] == 302
    assert _sign_ups() == [] and _events() == []


def test_sign_up_validation(api, h5, pa_make):
    activity = pa_make.activity(h5.admin)
    for field, value, code in (("phone", "12", 303), ("customer_name", "", 303), ("phone", None, 303)):
        form = {k: v for k, v in FORM.items() if k != field} | ({} if value is None else {field: value})
        assert body(api.as_(h5.customer).post(URL.format(activity.id), form))["code"] == code, field
    assert body(api.as_(h5.customer).post(URL.format(activity.id), FORM, query={"uid": "x"}))["code"] == 301
    assert db.session.scalar(select(func.count()).select_from(ActivitySignUp)) == 0


def test_sign_up_needs_customer_credentials(api, h5, pa_make):
    activity = pa_make.activity(h5.admin)
    assert body(api.post(URL.format(activity.id), FORM))["code"] == 400
    assert body(api.as_(h5.admin).post(URL.format(activity.id), FORM))["code"] == 400
    assert _sign_ups() == []
