"""Where WeChat tokens and tickets live, shared by every process (docs/wechat.md "Tokens and tickets").

Redis when REDIS_URL is set (keys `<WECHAT_TOKEN_PREFIX>:<key>`, with their TTL), otherwise the `wechat_token`
table (encrypted, with an expiry time). Both speak wechatpy's SessionStorage (get/set/delete), so any wechatpy
client can take one as its `session`, and both offer `lock(key)` so that only one process refreshes a token.
"""

import json
import logging
import threading
from contextlib import contextmanager
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete
from wechatpy.session import SessionStorage

from app.extensions import db, redis_connection
from app.models.wechat import WeChatToken
from app.timefmt import utcnow

log = logging.getLogger(__name__)
LOCK_SECONDS = 30


class RedisTokenStore(SessionStorage):
    def __init__(self, redis, prefix: str):
        self.redis, self.prefix = redis, prefix

    def _key(self, key: str) -> str:
        return f"{self.prefix}:{key}"

    def get(self, key, default=None):
        value = self.redis.get(self._key(key))
        return default if value is None else json.loads(value)

    def set(self, key, value, ttl=None):
        if value is not None:
            self.redis.set(self._key(key), json.dumps(value), ex=int(ttl) if ttl else None)

    def delete(self, key):
        self.redis.delete(self._key(key))

    def add(self, key, value, ttl: int) -> bool:
        """Set only if absent (atomic): True when this call set it."""
        return bool(self.redis.set(self._key(key), json.dumps(value), ex=int(ttl), nx=True))

    @contextmanager
    def lock(self, key: str):
        lock = self.redis.lock(self._key(f"lock:{key}"), timeout=LOCK_SECONDS, blocking_timeout=LOCK_SECONDS)
        acquired = lock.acquire()
        if not acquired:
            log.warning("token lock not acquired, refreshing anyway", extra={"token_key": key})
        try:
            yield
        finally:
            if acquired:
                lock.release()

    def clear(self) -> None:
        """Forget every token under the prefix (tests, and after rotating credentials)."""
        for name in self.redis.scan_iter(match=f"{self.prefix}:*", count=500):
            self.redis.delete(name)


class DatabaseTokenStore(SessionStorage):
    """Rows in the caller's session: a token fetched inside a request or job is saved with its commit."""

    _lock = threading.RLock()  # reentrant: an authorizer token is refreshed with the component token, nested

    def get(self, key, default=None):
        row = db.session.get(WeChatToken, key)
        if row is None or row.value is None or (row.expires_at is not None and row.expires_at <= utcnow()):
            return default
        return json.loads(row.value)

    def set(self, key, value, ttl=None):
        if value is None:
            return
        row = db.session.get(WeChatToken, key) or WeChatToken(key=key)
        row.value = json.dumps(value)
        row.expires_at = utcnow() + timedelta(seconds=int(ttl)) if ttl else None
        db.session.add(row)
        db.session.flush()

    def delete(self, key):
        db.session.execute(delete(WeChatToken).where(WeChatToken.key == key))

    def add(self, key, value, ttl: int) -> bool:
        """Set only if absent or expired: True when this call set it. Expired rows of the same kind (the key's
        first segment) are dropped on the way, so short-lived markers do not pile up."""
        kind = key.split(":", 1)[0] + ":"
        with self._lock:
            db.session.execute(
                delete(WeChatToken).where(WeChatToken.key.startswith(kind), WeChatToken.expires_at <= utcnow())
            )
            if self.get(key) is not None:
                return False
            self.set(key, value, ttl)
            return True

    @contextmanager
    def lock(self, key: str):
        # Without Redis there is no worker: one process, so a process-wide lock is enough.
        with self._lock:
            yield

    def clear(self) -> None:
        db.session.execute(delete(WeChatToken))


def token_store():
    redis = redis_connection()
    if redis is not None:
        return RedisTokenStore(redis, current_app.config["WECHAT_TOKEN_PREFIX"])
    return DatabaseTokenStore()


def token_ttl(expires_in) -> int:
    """Keep a token a little less than WeChat does, so it is refreshed before WeChat drops it."""
    early = current_app.config["WECHAT_TOKEN_EARLY_REFRESH"]
    return max(int(expires_in or 7200) - early, 60)
