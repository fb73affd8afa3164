"""SMS verification codes for a customer's phone (docs/security.md "Onboarding and sign-ups").

A code is 6 random digits, sent through app/sms.py and stored only as an HMAC-SHA256 keyed by SECRET_KEY,
in the phone_code table (shared by every web process), for SMS_CODE_TTL_SECONDS. It is bound to the customer,
the phone and a purpose ("sign_up:<activity id>"), accepted once, and void after SMS_CODE_MAX_ATTEMPTS
wrong tries. Sending is rate-limited per phone and per customer by the view.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select

from app import sms
from app.extensions import db
from app.models.radar import Customer
from app.models.sms import PhoneCode
from app.responses import ApiError
from app.services.db import unique_or_300
from app.timefmt import utcnow

CODE_FIELD = "phone_verify_code"
WRONG_CODE = "验证码错误或已过期，请重新获取"


def sign_up_purpose(activity_id: int) -> str:
    return f"sign_up:{activity_id}"


def _digest(customer_id: int, phone: str, purpose: str, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{customer_id}:{phone}:{purpose}:{code}".encode(), hashlib.sha256).hexdigest()


def _live_row(customer: Customer, phone: str, purpose: str) -> PhoneCode | None:
    stmt = select(PhoneCode).where(
        PhoneCode.customer_id == customer.id, PhoneCode.phone == phone, PhoneCode.purpose == purpose
    )
    return db.session.scalars(stmt.with_for_update()).first()


def send_code(customer: Customer, phone: str, purpose: str) -> int:
    """Send a new code (replacing any earlier one for the same customer, phone and purpose); its lifetime in s.
    The customer's expired codes are removed on the way, so the table holds little more than live codes."""
    ttl = current_app.config["SMS_CODE_TTL_SECONDS"]
    expired = delete(PhoneCode).where(PhoneCode.customer_id == customer.id, PhoneCode.expires_at <= utcnow())
    db.session.execute(expired.execution_options(synchronize_session=False))
    code = f"{secrets.randbelow(10**6):06d}"
    row = _live_row(customer, phone, purpose) or PhoneCode(customer_id=customer.id, phone=phone, purpose=purpose)
    row.code_hash = _digest(customer.id, phone, purpose, code)
    row.expires_at = utcnow() + timedelta(seconds=ttl)
    row.attempts = 0
    with unique_or_300("验证码发送过于频繁，请稍后再试"):
        db.session.add(row)
    sms.send_code(phone, code, max(ttl // 60, 1))
    return ttl


def _wrong(msg: str = WRONG_CODE) -> ApiError:
    return ApiError.invalid(f"验证码 {msg}", {CODE_FIELD: [msg]})


def check_code(customer: Customer, phone: str, purpose: str, code: str | None) -> None:
    """Accept `code` once (the row is removed with the request's transaction), else 303 on the code field.

    A wrong code counts against the stored one at once, in its own commit: the refusal that follows rolls the
    request back, and the count must survive it. Call this before the request writes anything else."""
    if not code:
        raise _wrong("不能为空，请先获取验证码")
    row = _live_row(customer, phone, purpose)
    if row is None or row.expires_at <= utcnow() or row.attempts >= current_app.config["SMS_CODE_MAX_ATTEMPTS"]:
        raise _wrong()
    if not hmac.compare_digest(row.code_hash, _digest(customer.id, phone, purpose, code.strip())):
        row.attempts += 1
        db.session.commit()
        raise _wrong()
    db.session.delete(row)
    db.session.flush()
