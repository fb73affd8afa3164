"""Signed admins and their companies, kept in the process between requests (docs/security.md, "Caller cache").

Every admin request needs its caller: token and status to check the signature, role for the access rule,
company for tenancy. With REDIS_URL, an admin read from the database is kept in this process's memory with two
versions Redis holds for it:

- `<CALLER_VERSION_PREFIX>:all`, a random stamp: replaced after a commit that wrote a company (any company: they
  are few and seldom written) or ran a bulk UPDATE/DELETE of admins or companies, and made anew when Redis lost
  it (a restart), so nothing kept before then is trusted;
- `<CALLER_VERSION_PREFIX>:u:<admin id>`, a counter INCRed after every commit that wrote that admin (a sign-in's
  new token, a status, a role, a password).

A request signed with the kept token of an enabled admin reads both versions in the Redis round trip that
remembers its signature (one pipeline, app/signatures.py): unchanged, the caller is the kept one and costs no
statement; changed on any process or host, it is read from the database again. So a token rotated or an admin
disabled is refused on the very next request everywhere. Without Redis, or while it does not answer, every
request reads its caller from the database. A kept caller is read again CALLER_CACHE_SECONDS after it was read,
whatever the versions say: that bounds SQL by hand and a version bump lost to a Redis failure.
"""

import copy
import logging
import threading
import time
import uuid
from dataclasses import dataclass

from flask import current_app, has_app_context
from redis.exceptions import RedisError
from sqlalchemy import event
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import instance_state
from sqlalchemy.orm.util import identity_key

from app.extensions import db, redis_connection
from app.models.admin import STATUS_ENABLED, AdminUser
from app.models.company import Company
from app.security import signature_matches
from app.signatures import signature_key

log = logging.getLogger(__name__)

_WRITES = "zhugeleida_caller_writes"  # Session.info: (admin ids written, whether every caller must be dropped)
_MUTABLE = ("website_content",)  # Company's JSON column: each request gets its own copy


@dataclass(frozen=True)
class _Entry:
    versions: tuple  # (the `all` stamp, the admin's counter) as Redis gave them before the rows were read
    loaded: float  # time.monotonic() when read
    user: dict  # admin_user's columns
    company: dict  # company's columns


class _Cache:
    LIMIT = 10_000  # admins kept per process; beyond it the cache starts again empty

    def __init__(self):
        self.lock = threading.Lock()
        self.entries: dict[int, _Entry] = {}

    def put(self, user_id: int, entry: _Entry) -> None:
        with self.lock:
            if len(self.entries) >= self.LIMIT:
                self.entries.clear()
            self.entries[user_id] = entry

    def drop(self, user_ids, everyone: bool) -> None:
        with self.lock:
            if everyone:
                self.entries.clear()
            for user_id in user_ids:
                self.entries.pop(user_id, None)


_cache = _Cache()


def _all_key() -> str:
    return f"{current_app.config['CALLER_VERSION_PREFIX']}:all"


def _user_key(user_id: int) -> str:
    return f"{current_app.config['CALLER_VERSION_PREFIX']}:u:{user_id}"


def _keys(user_id: int) -> list[str]:
    return [_all_key(), _user_key(user_id)]


def _connection():
    return redis_connection() if current_app.config["CALLER_CACHE_SECONDS"] > 0 else None


def _usable(user_id: int, company_id: int) -> bool:
    """The request's session holds neither row (a second authentication in one request, or a test's session
    that already holds them answers from what it holds)."""
    held = db.session.identity_map
    return identity_key(AdminUser, user_id) not in held and identity_key(Company, company_id) not in held


def lookup(user_id: int, kind: str, rand_str: str, timestamp: str) -> tuple[AdminUser | None, bool | None]:
    """(the kept caller when it is current and signed this request, else None; whether the signature is used for
    the first time when that was asked of Redis, else None: the caller must remember it itself)."""
    entry = _cache.entries.get(user_id)
    conn = _connection()
    if (
        entry is None
        or conn is None
        or time.monotonic() - entry.loaded >= current_app.config["CALLER_CACHE_SECONDS"]
        or entry.user["status"] != STATUS_ENABLED
        or not signature_matches(rand_str, timestamp, entry.user["token"])
        or not _usable(user_id, entry.user["company_id"])
    ):
        return None, None
    key, ttl = signature_key(kind, user_id, timestamp, rand_str)
    try:
        pipe = conn.pipeline(transaction=False)
        pipe.mget(_keys(user_id))
        pipe.set(key, b"1", nx=True, ex=int(ttl) + 1)
        versions, first = pipe.execute()
    except RedisError as err:
        log.warning("caller versions unreadable, caller read from the database", extra={"error": type(err).__name__})
        return None, None
    if tuple(versions) != entry.versions:
        _cache.drop((user_id,), everyone=False)
        return None, bool(first)
    return _attach(entry), bool(first)


def versions(user_id: int) -> tuple | None:
    """The versions to keep the caller under, read before the caller is (None: do not keep it). A lost `all`
    stamp is made anew here."""
    conn = _connection()
    if conn is None:
        return None
    keys = _keys(user_id)
    try:
        pipe = conn.pipeline(transaction=False)
        pipe.set(keys[0], uuid.uuid4().hex, nx=True)
        pipe.mget(keys)
        _made, found = pipe.execute()
    except RedisError as err:
        log.warning("caller versions unreadable, caller not kept", extra={"error": type(err).__name__})
        return None
    return tuple(found)


def keep(user: AdminUser, found: tuple) -> None:
    """Keep the caller just read from the database (with its company) under the versions read before it."""
    company = user.__dict__.get("company")
    if company is None:
        return
    _cache.put(user.id, _Entry(found, time.monotonic(), _columns(user), _columns(company)))


def _columns(obj) -> dict:
    state = instance_state(obj)
    return _copied({attr.key: state.dict[attr.key] for attr in state.mapper.column_attrs if attr.key in state.dict})


def _copied(values: dict) -> dict:
    """The values with their own copy of each mutable one: the kept rows and each request's are never shared."""
    mutable = {name: copy.deepcopy(values[name]) for name in _MUTABLE if values.get(name) is not None}
    return {**values, **mutable} if mutable else values


def _instance(model, values: dict):
    obj = model.__mapper__.class_manager.new_instance()
    instance_state(obj).dict.update(_copied(values))
    return obj


def _attach(entry: _Entry) -> AdminUser:
    """The kept rows as the request session's persistent objects, as a query would have given them."""
    company = _instance(Company, entry.company)
    user = _instance(AdminUser, entry.user)
    instance_state(user).dict["company"] = company
    make_transient_to_detached(company)
    make_transient_to_detached(user)
    db.session.add(user)  # and its company (save-update cascade)
    return user


def bump(user_ids, everyone: bool) -> None:
    """Admins (or every caller) written: this process's entries at once, every other process's through Redis."""
    _cache.drop(user_ids, everyone)
    if not has_app_context():
        return
    conn = redis_connection()
    if conn is None:
        return
    try:
        pipe = conn.pipeline(transaction=False)
        if everyone:
            pipe.set(_all_key(), uuid.uuid4().hex)
        for user_id in user_ids:
            pipe.incr(_user_key(user_id))
        pipe.execute()
    except RedisError as err:
        # Other processes keep what they hold until CALLER_CACHE_SECONDS have passed, or Redis loses the stamp.
        log.error("caller versions not bumped in Redis", extra={"error": type(err).__name__})


def forget_all() -> None:
    """Tests: start from an empty cache."""
    _cache.drop((), everyone=True)


def _note(session, user_ids=(), everyone: bool = False) -> None:
    ids, every = session.info.get(_WRITES, (frozenset(), False))
    session.info[_WRITES] = (ids | frozenset(user_ids), every or everyone)


@event.listens_for(Session, "after_flush")
def _note_writes(session, _flush_context) -> None:
    changed = (*session.dirty, *session.deleted)
    users = {obj.id for obj in changed if isinstance(obj, AdminUser)}
    everyone = any(isinstance(obj, Company) for obj in changed)
    if users or everyone:
        _note(session, users, everyone)


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_writes(orm_execute_state) -> None:
    if not (orm_execute_state.is_update or orm_execute_state.is_delete):
        return
    mapper = orm_execute_state.bind_mapper
    if mapper is not None and mapper.class_ in (AdminUser, Company):
        _note(orm_execute_state.session, everyone=True)


@event.listens_for(Session, "after_commit")
def _bump_after_commit(session) -> None:
    written = session.info.pop(_WRITES, None)
    if written:
        bump(*written)


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session, previous_transaction) -> None:
    if not previous_transaction.nested:  # a savepoint's rollback keeps what the transaction wrote before it
        session.info.pop(_WRITES, None)
