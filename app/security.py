"""Secrets: password hashing and policy, tokens, request signatures, encryption at rest."""

import base64
import hashlib
import hmac
import re
import secrets

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app
from sqlalchemy.types import Text, TypeDecorator
from werkzeug.security import check_password_hash, generate_password_hash

PASSWORD_RULE = re.compile(r"^(?=.*[a-z])(?=.*[A-Z])(?=.*\d).{8,}$")

# A fixed hash compared against when the login name is unknown, so both paths cost the same.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def new_token() -> str:
    return secrets.token_hex(16)


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    return check_password_hash(password_hash or _DUMMY_HASH, password) and password_hash is not None


def password_is_strong(password: str) -> bool:
    return bool(PASSWORD_RULE.match(password or ""))


def sign(timestamp: str, token: str) -> str:
    """The public `rand_str`: md5(timestamp + token), as the console computes it."""
    return hashlib.md5((timestamp + token).encode()).hexdigest()


def signature_matches(rand_str: str, timestamp: str, token: str) -> bool:
    # As bytes: compare_digest refuses a str with non-ASCII characters (TypeError) instead of answering False.
    return hmac.compare_digest(sign(timestamp, token).encode(), (rand_str or "").lower().encode())


def _fernet() -> Fernet:
    key = current_app.config.get("FIELD_ENCRYPTION_KEY")
    if not key:
        digest = hashlib.sha256(("field-encryption:" + current_app.config["SECRET_KEY"]).encode()).digest()
        key = base64.urlsafe_b64encode(digest)
    return Fernet(key)


class EncryptedText(TypeDecorator):
    """A text column stored encrypted (Fernet); plain text in Python."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else _fernet().encrypt(value.encode()).decode()

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        try:
            return _fernet().decrypt(value.encode()).decode()
        except InvalidToken:
            return None
