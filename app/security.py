"""Secrets: password hashing and policy, tokens, request signatures, encryption at rest."""

import base64
import hashlib
import hmac
import logging
import re
import secrets

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy.types import Text, TypeDecorator
from werkzeug.security import check_password_hash, generate_password_hash

PASSWORD_RULE = re.compile(r"^(?=.*[a-z])(?=.*[A-Z])(?=.*\d).{8,}$")

# A fixed hash compared against when the login name is unknown, so both paths cost the same.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def new_token() -> str:
    return secrets.token_hex(16)


def hash_password(password: str) -> str:
    """A slow salted hash (werkzeug's scrypt unless PASSWORD_HASH_METHOD says otherwise: tests use a cheap one)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


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


log = logging.getLogger(__name__)


class UndecryptableSecret(Exception):
    """A stored secret that none of FIELD_ENCRYPTION_KEY's keys decrypts (a lost or rotated-away key)."""


def fernet() -> MultiFernet:
    """Every key of FIELD_ENCRYPTION_KEY (the first encrypts); derived from SECRET_KEY when unset."""
    from config import fernet_keys

    value = current_app.config.get("FIELD_ENCRYPTION_KEY")
    if value:
        keys = fernet_keys(value)
    else:
        digest = hashlib.sha256(("field-encryption:" + current_app.config["SECRET_KEY"]).encode()).digest()
        keys = [base64.urlsafe_b64encode(digest)]
    return MultiFernet([Fernet(key) for key in keys])


class EncryptedText(TypeDecorator):
    """A text column stored encrypted (Fernet); plain text in Python."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else fernet().encrypt(value.encode()).decode()

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        try:
            return fernet().decrypt(value.encode()).decode()
        except InvalidToken:
            # Never a silent None: a secret read back as missing would be overwritten or reported as unset.
            log.error("stored secret cannot be decrypted with FIELD_ENCRYPTION_KEY")
            raise UndecryptableSecret(
                "已加密保存的密钥无法解密：FIELD_ENCRYPTION_KEY 与加密时的密钥不一致（见 docs/security.md 的密钥轮换）"
            ) from None
