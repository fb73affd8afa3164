"""Single use of request signatures on writes (docs/security.md, "Signatures").

The contract's signature (`rand_str = md5(timestamp + token)`) covers no method, path or body, and signed
URLs end up in access logs. So every accepted signature (a read's too: its URL sits in the same logs) is
remembered until its timestamp leaves the skew window, and a write presenting a remembered one is refused:
a URL copied from a log cannot write, and a double-submitted POST writes once. Reads may reuse a signature
(a console fires parallel GETs).

The store is Redis when `REDIS_URL` is set (shared by every process and host: `SET NX EX`), else this
process's memory; when Redis is unreachable the process falls back to its memory until Redis answers again,
so an outage never turns every write into a 500.
"""

import logging
import threading
import time

from flask import current_app
from redis.exceptions import RedisError

from app.extensions import redis_connection

log = logging.getLogger(__name__)


class _MemoryStore:
    """Keys with an expiry, pruned as they are added; thread-safe."""

    def __init__(self):
        self._lock = threading.Lock()
        self._expires: dict[str, float] = {}
        self._next_prune = 0.0

    def add(self, key: str, ttl: float) -> bool:
        now = time.monotonic()
        with self._lock:
            if now >= self._next_prune:
                self._expires = {k: t for k, t in self._expires.items() if t > now}
                self._next_prune = now + 5
            if self._expires.get(key, 0) > now:
                return False
            self._expires[key] = now + ttl
            return True

    def clear(self) -> None:
        with self._lock:
            self._expires.clear()


_memory = _MemoryStore()


def signature_key(kind: str, user_id: int, timestamp: str, rand_str: str) -> tuple[str, float]:
    """The key that remembers a signature, and for how long (seconds) it must be remembered."""
    skew_ms = current_app.config["AUTH_MAX_SKEW_SECONDS"] * 1000
    # Accepted while |now - timestamp| <= skew: it stays valid until timestamp + skew.
    ttl = max(1.0, (int(timestamp) + skew_ms - time.time() * 1000) / 1000 + 1)
    return f"{current_app.config['SIGNATURE_KEY_PREFIX']}:{kind}:{user_id}:{timestamp}:{rand_str.lower()}", ttl


def first_use(kind: str, user_id: int, timestamp: str, rand_str: str) -> bool:
    """Remember this signature; False when it was seen before (within its validity)."""
    key, ttl = signature_key(kind, user_id, timestamp, rand_str)
    conn = redis_connection()
    if conn is not None:
        try:
            return bool(conn.set(key, b"1", nx=True, ex=int(ttl) + 1))
        except RedisError as err:
            log.warning("signature store unreachable, using process memory", extra={"error": type(err).__name__})
    return _memory.add(key, ttl)


def forget_all() -> None:
    """Tests: empty the process-memory store."""
    _memory.clear()
