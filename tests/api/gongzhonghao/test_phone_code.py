"""8.9 with is_get_phone_code: the customer asks for an SMS code (send_phone_code) and signs up with it
(docs/security.md "Onboarding and sign-ups"). The "log" SMS backend keeps what it sent in app.sms.OUTBOX."""

import logging
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import sms
from app.extensions import db
from app.models.plugin import ActivitySignUp
from app.models.sms import PhoneCode
from app.timefmt import utcnow
from tests.conftest import body

SEND = "/zhugeleida/gongzhonghao/plugin_report/send_phone_code/{}"
SIGN_UP = "/zhugeleida/gongzhonghao/plugin_report/sign_up_activity/{}"
PHONE = "13020002341"
FORM = {"customer_name": "王五", "phone": PHONE, "leave_message": "留言"}


@pytest.fixture(autouse=True)
def _empty_outbox():
    sms.OUTBOX.clear()
    yield
    sms.OUTBOX.clear()


@pytest.fixture
def activity(h5, pa_make):
    return pa_make.activity(h5.admin, is_get_phone_code=True)


def _send(api, customer, activity, phone=PHONE) -> dict:
    return body(api.as_(customer).post(SEND.format(activity.id), {"phone": phone}))


def _sign_up(api, customer, activity, code=None, **overrides) -> dict:
    form = {**FORM, **overrides} | ({} if code is None else {"phone_verify_code": code})
    return body(api.as_(customer).post(SIGN_UP.format(activity.id), form))


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(ActivitySignUp))


def _last_code(phone=PHONE) -> str:
    message = sms.OUTBOX[-1]
    assert message.phone == phone
    return message.code


def test_sign_up_with_the_code_sent(api, h5, activity, caplog):
    with caplog.at_level(logging.INFO):
        payload = _send(api, h5.customer, activity)
    assert (payload["code"], payload["msg"], payload["data"]) == (200, "验证码已发送", {"expires_in": 300})
    code = _last_code()
    assert len(code) == 6 and code.isdigit()
    # Logged that it was sent (to a masked phone), never the code: no text of any record carries it.
    texts = [str(v) for record in caplog.records for v in vars(record).values() if isinstance(v, str)]
    assert "130****2341" in texts and not any(code in text for text in texts)
    row = db.session.scalars(select(PhoneCode)).one()
    assert code not in row.code_hash and len(row.code_hash) == 64  # only its HMAC is stored
    assert _sign_up(api, h5.customer, activity, code)["code"] == 200
    assert _count() == 1 and db.session.scalar(select(func.count()).select_from(PhoneCode)) == 0


def test_sign_up_without_or_with_a_wrong_code_is_303(api, h5, activity):
    """Before this check any code, or none, was accepted."""
    _send(api, h5.customer, activity)
    code = _last_code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for attempt in (None, "", wrong, "1231"):
        payload = _sign_up(api, h5.customer, activity, attempt)
        assert payload["code"] == 303 and "phone_verify_code" in payload["data"], (attempt, payload)
        assert payload["msg"].startswith("验证码")
    assert _count() == 0
    assert _sign_up(api, h5.customer, activity, code)["code"] == 200  # two wrong tries do not void it


def test_a_code_is_used_once(api, h5, activity):
    _send(api, h5.customer, activity)
    code = _last_code()
    assert _sign_up(api, h5.customer, activity, code)["code"] == 200
    other_phone = _sign_up(api, h5.customer, activity, code, phone="13020002342")
    assert other_phone["code"] == 303  # bound to the phone it was sent to
    db.session.execute(ActivitySignUp.__table__.delete())
    db.session.commit()
    assert _sign_up(api, h5.customer, activity, code)["code"] == 303  # and gone once used


def test_a_failed_sign_up_does_not_use_the_code(api, h5, activity, pa_make):
    pa_make.sign_up(activity, phone=PHONE)
    _send(api, h5.customer, activity)
    code = _last_code()
    assert _sign_up(api, h5.customer, activity, code)["code"] == 300  # the phone already signed up
    assert db.session.scalar(select(func.count()).select_from(PhoneCode)) == 1


def test_an_expired_code_is_refused(api, h5, activity):
    _send(api, h5.customer, activity)
    code = _last_code()
    row = db.session.scalars(select(PhoneCode)).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert _sign_up(api, h5.customer, activity, code)["code"] == 303
    assert _count() == 0


def test_expired_codes_are_removed_when_the_customer_asks_again(api, h5, activity):
    _send(api, h5.customer, activity)
    row = db.session.scalars(select(PhoneCode)).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert _send(api, h5.customer, activity, phone="13020002342")["code"] == 200
    db.session.expire_all()
    assert [r.phone for r in db.session.scalars(select(PhoneCode))] == ["13020002342"]


def test_too_many_wrong_codes_void_it(app, api, h5, activity):
    _send(api, h5.customer, activity)
    code = _last_code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(app.config["SMS_CODE_MAX_ATTEMPTS"]):
        assert _sign_up(api, h5.customer, activity, wrong)["code"] == 303
    assert _sign_up(api, h5.customer, activity, code)["code"] == 303
    assert _count() == 0


def test_the_code_belongs_to_the_customer_and_the_activity(api, h5, activity, pa_make):
    _send(api, h5.customer, activity)
    code = _last_code()
    other = h5.customer_()
    assert _sign_up(api, other, activity, code)["code"] == 303
    second = pa_make.activity(h5.admin, is_get_phone_code=True)
    assert _sign_up(api, h5.customer, second, code)["code"] == 303
    assert _sign_up(api, h5.customer, activity, code)["code"] == 200


def test_a_new_code_replaces_the_old_one(app, api, h5, activity):
    app.config["SMS_CODE_PHONE_RATE_LIMIT"] = "10 per minute"
    try:
        _send(api, h5.customer, activity)
        first = _last_code()
        _send(api, h5.customer, activity)
        second = _last_code()
    finally:
        app.config["SMS_CODE_PHONE_RATE_LIMIT"] = "1 per minute;5 per hour;10 per day"
    if first != second:
        assert _sign_up(api, h5.customer, activity, first)["code"] == 303
    assert _sign_up(api, h5.customer, activity, second)["code"] == 200


def test_activity_without_phone_code_needs_none(api, h5, pa_make):
    plain = pa_make.activity(h5.admin)
    assert _sign_up(api, h5.customer, plain)["code"] == 200
    payload = _send(api, h5.customer, plain)
    assert payload["code"] == 303 and not sms.OUTBOX  # no SMS for an activity that does not ask for one


def test_send_validation_and_tenancy(api, h5, activity, make, pa_make):
    assert _send(api, h5.customer, activity, phone="12345")["code"] == 303
    foreign = pa_make.activity(make.admin(), is_get_phone_code=True)
    assert _send(api, h5.customer, foreign)["code"] == 302
    assert body(api.post(SEND.format(activity.id), {"phone": PHONE}))["code"] == 400
    assert not sms.OUTBOX


def test_sending_is_rate_limited_per_phone_and_per_customer(api, h5, activity):
    assert _send(api, h5.customer, activity)["code"] == 200
    assert _send(api, h5.customer, activity)["code"] == 429  # the same phone again within the minute
    assert _send(api, h5.customer_(), activity)["code"] == 429  # whoever asks
    assert _send(api, h5.customer, activity, phone="13020002342")["code"] == 200
    assert _send(api, h5.customer, activity, phone="13020002343")["code"] == 200
    assert _send(api, h5.customer, activity, phone="13020002344")["code"] == 429  # 3 per minute per customer
    assert len(sms.OUTBOX) == 3


def test_sign_ups_are_rate_limited_per_customer(app, api, h5, pa_make):
    app.config["SIGN_UP_RATE_LIMIT"] = "2 per minute"
    try:
        activities = [pa_make.activity(h5.admin) for _ in range(3)]
        codes = [_sign_up(api, h5.customer, a)["code"] for a in activities]
        other = _sign_up(api, h5.customer_(), activities[2])["code"]
    finally:
        app.config["SIGN_UP_RATE_LIMIT"] = "10 per minute;50 per day"
    assert codes == [200, 200, 429] and other == 200


def test_unknown_backend_is_a_clear_error(app):
    with app.test_request_context():
        app.config["SMS_BACKEND"] = "carrier-pigeon"
        try:
            with pytest.raises(RuntimeError, match="SMS_BACKEND"):
                sms.send_code(PHONE, "123456", 5)
        finally:
            app.config["SMS_BACKEND"] = "log"


# --- the "tencent" backend, against a local stand-in for the SendSms API -------------------------------


class _FakeSendSms:
    """A local HTTP server answering SendSms like Tencent Cloud; it records each request's JSON and headers."""

    def __init__(self, status_code="Ok"):
        import json
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        fake = self
        self.requests, self.status_code = [], status_code

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append((dict(self.headers), payload))
                status = {"Code": fake.status_code, "Message": "send success", "PhoneNumber": "+8613020002341"}
                answer = json.dumps({"Response": {"SendStatusSet": [status], "RequestId": "r-1"}}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


TENCENT = {
    "SMS_BACKEND": "tencent",
    "SMS_TENCENT_SECRET_ID": "AKIDtest",
    "SMS_TENCENT_SECRET_KEY": "test-secret-key",
    "SMS_TENCENT_SDK_APP_ID": "1400000000",
    "SMS_TENCENT_SIGN_NAME": "诸葛雷达",
    "SMS_TENCENT_TEMPLATE_ID": "123456",
}


@pytest.fixture
def tencent(app):
    fake = _FakeSendSms()
    saved = {key: app.config.get(key) for key in [*TENCENT, "SMS_TENCENT_ENDPOINT"]}
    app.config.update(TENCENT, SMS_TENCENT_ENDPOINT=fake.url)
    yield fake
    app.config.update(saved)
    fake.close()


def test_tencent_backend_sends_the_code_through_sendsms(api, h5, activity, tencent):
    payload = _send(api, h5.customer, activity)
    assert payload["code"] == 200, payload
    [(headers, request)] = tencent.requests
    assert headers["X-TC-Action"] == "SendSms" and headers["Authorization"].startswith("TC3-HMAC-SHA256")
    assert (request["SmsSdkAppId"], request["SignName"], request["TemplateId"]) == ("1400000000", "诸葛雷达", "123456")
    assert request["PhoneNumberSet"] == ["+86" + PHONE]
    code, minutes = request["TemplateParamSet"]
    assert len(code) == 6 and code.isdigit() and minutes == "5" and not sms.OUTBOX
    assert _sign_up(api, h5.customer, activity, code)["code"] == 200


def test_tencent_refusal_stores_nothing(api, h5, activity, tencent):
    tencent.status_code = "LimitExceeded.PhoneNumberDailyLimit"
    payload = _send(api, h5.customer, activity)
    assert payload["code"] == 500 and "LimitExceeded.PhoneNumberDailyLimit" in payload["msg"], payload
    assert db.session.scalar(select(func.count()).select_from(PhoneCode)) == 0


def test_tencent_without_credentials_is_a_clear_refusal(app, api, h5, activity, caplog):
    """A production left without SMS credentials: an envelope naming the cause, logged, nothing stored."""
    saved = {key: app.config.get(key) for key in TENCENT}
    app.config.update(SMS_BACKEND="tencent", SMS_TENCENT_SECRET_ID="", SMS_TENCENT_SECRET_KEY="")
    try:
        with caplog.at_level(logging.ERROR):
            payload = _send(api, h5.customer, activity)
    finally:
        app.config.update(saved)
    assert payload["code"] == 500 and "短信服务未配置" in payload["msg"], payload
    assert "not configured" in caplog.text
    assert db.session.scalar(select(func.count()).select_from(PhoneCode)) == 0
