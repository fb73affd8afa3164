"""Each role's access rules, kept in the process between requests (docs/security.md, "Access rules cache").

`role_paths(role_id)` answers the url_paths of a role's rules (`None`: every rule, what role 1 holds) from
this process's memory. The cache is stamped with a version:

- this process's own counter, bumped when a transaction that wrote a role or a rule commits (the session
  events below: any ORM write of `Role`, `AccessRule` or a role's rule list), so the writer's process sees
  the change at once;
- with REDIS_URL, a counter in Redis (`ACCESS_RULES_VERSION_KEY`) that the same commits INCR, read at most
  every ACCESS_RULES_CHECK_SECONDS: the other processes and hosts see the change within that time.

Whatever the version says, a role is reloaded ACCESS_RULES_CACHE_SECONDS after it was loaded: without Redis
that is how long a change takes to reach the other processes, and it bounds a change made outside the app
(SQL by hand). When Redis does not answer, the cache is not trusted: every request reloads its role.
A role is loaded on its own connection (a fresh snapshot, never the request's older one).
"""

import logging
import threading
import time

from flask import current_app, has_app_context
from redis.exceptions import RedisError
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.extensions import db, redis_connection
from app.models.admin import AccessRule, Role, role_rule

log = logging.getLogger(__name__)

_CHANGED = "zhugeleida_rules_changed"  # Session.info: this transaction wrote a role or a rule


class _Cache:
    def __init__(self):
        self.lock = threading.Lock()
        self.local = 0  # this process's writes
        self.shared: int | None = None  # the Redis version last read (None: not read, or Redis failed)
        self.checked = float("-inf")  # when it was read (monotonic)
        self.roles: dict[int | None, tuple[tuple, float, tuple[str, ...]]] = {}  # key → (version, loaded, paths)

    def version(self) -> tuple | None:
        """The current version, None when it cannot be known (Redis failed)."""
        conn = redis_connection()
        if conn is None:
            return (self.local,)
        now = time.monotonic()
        if now - self.checked >= current_app.config["ACCESS_RULES_CHECK_SECONDS"]:
            try:
                shared = int(conn.get(current_app.config["ACCESS_RULES_VERSION_KEY"]) or 0)
            except RedisError as err:
                log.warning("access rules version unreadable, rules reloaded", extra={"error": type(err).__name__})
                shared = None
            with self.lock:
                self.shared, self.checked = shared, now
        return None if self.shared is None else (self.local, self.shared)


_cache = _Cache()


def role_paths(role_id: int | None) -> tuple[str, ...]:
    """The url_paths of the rules `role_id` holds (None: every rule), ordered by rule id."""
    version = _cache.version()
    entry = _cache.roles.get(role_id)
    now = time.monotonic()
    if (
        version is not None
        and entry is not None
        and entry[0] == version
        and now - entry[1] < current_app.config["ACCESS_RULES_CACHE_SECONDS"]
    ):
        return entry[2]
    paths = _load(role_id)
    if version is not None:
        with _cache.lock:
            _cache.roles[role_id] = (version, now, paths)
    return paths


def _load(role_id: int | None) -> tuple[str, ...]:
    stmt = select(AccessRule.url_path).order_by(AccessRule.id)
    if role_id is not None:
        stmt = stmt.join(role_rule, role_rule.c.rule_id == AccessRule.id).where(role_rule.c.role_id == role_id)
    with db.engine.connect() as conn:
        return tuple(conn.scalars(stmt))


def bump() -> None:
    """Roles or rules changed: this process's cache at once, the others' through Redis."""
    with _cache.lock:
        _cache.local += 1
    if not has_app_context():
        return
    conn = redis_connection()
    if conn is None:
        return
    try:
        conn.incr(current_app.config["ACCESS_RULES_VERSION_KEY"])
    except RedisError as err:
        log.warning("access rules version not bumped in Redis", extra={"error": type(err).__name__})


def forget_all() -> None:
    """Tests: start from an empty cache."""
    with _cache.lock:
        _cache.roles.clear()
        _cache.checked = float("-inf")


@event.listens_for(Session, "after_flush")
def _note_rule_writes(session, _flush_context) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(obj, (Role, AccessRule)) for obj in changed):
        session.info[_CHANGED] = True


@event.listens_for(Session, "after_commit")
def _bump_after_commit(session) -> None:
    if session.info.pop(_CHANGED, False):
        bump()


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session, previous_transaction) -> None:
    if not previous_transaction.nested:  # a savepoint's rollback keeps what the transaction wrote before it
        session.info.pop(_CHANGED, None)
