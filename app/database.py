"""The database connection's round trips (docs/operations.md, "Database connections").

- A pool as large as the process's threads (DATABASE_POOL_SIZE): a connection that does not fit in the pool is
  closed when returned, so a request served by an overflow connection pays a new connection (TCP, handshake,
  authentication) and the server a new thread.

- No ping before each use. A pooled connection older than DATABASE_POOL_RECYCLE seconds is replaced when it is
  taken from the pool; a PyMySQL connection whose socket the server closed (a restart, `KILL`, wait_timeout)
  is noticed then too, by a zero-timeout poll of its socket (no round trip), and replaced by a fresh one.
  One that dies while in use fails its request with a 503; SQLAlchemy then replaces it and every
  connection the pool handed out before it (app/responses.py).
- A request ends its transaction in one round trip: COMMIT when it succeeded and wrote something (`wrote`),
  else ROLLBACK (app/responses.py). The pool's own reset on return (`pool_reset_on_return=None` in config.py)
  is done here: a ROLLBACK only when something ran since the connection's last COMMIT or ROLLBACK.
"""

import select

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session

# Keys of a pooled connection's `info` (it lives as long as the DBAPI connection).
_ENDED = "zhugeleida_transaction_ended"  # nothing ran since the last COMMIT/ROLLBACK
_WROTE = "zhugeleida_transaction_wrote"  # the open transaction ran a statement that is not a read
_READS = ("SELECT", "SHOW")


def pool_options(config) -> dict:
    """SQLALCHEMY_ENGINE_OPTIONS with the pool's size for a server database; SQLite keeps Flask-SQLAlchemy's
    pool (one connection for an in-memory database)."""
    options = dict(config["SQLALCHEMY_ENGINE_OPTIONS"])
    if not str(config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite"):
        options.setdefault("pool_size", config["DATABASE_POOL_SIZE"])
        options.setdefault("max_overflow", config["DATABASE_MAX_OVERFLOW"])
    return options


def register_engine(engine: Engine) -> None:
    """Install the listeners on the app's engine (once per engine)."""
    if event.contains(engine, "before_cursor_execute", _before_execute):
        return
    event.listen(engine, "begin", _begin)
    event.listen(engine, "before_cursor_execute", _before_execute)
    event.listen(engine, "commit", _ended)
    event.listen(engine, "rollback", _ended)
    event.listen(engine.pool, "reset", _reset)
    if engine.dialect.driver == "pymysql":
        event.listen(engine.pool, "checkout", _check_socket)


def _begin(conn) -> None:
    conn.info[_WROTE] = False


def _before_execute(conn, _cursor, statement, _params, _context, _executemany) -> None:
    conn.info[_ENDED] = False
    if not statement.lstrip(" (\n").upper().startswith(_READS):
        conn.info[_WROTE] = True


def _ended(conn) -> None:
    conn.info[_ENDED] = True


def _reset(dbapi_connection, connection_record, reset_state) -> None:
    """The pool's reset on return: a ROLLBACK only for a transaction left open (or a connection we know nothing of)."""
    if reset_state.terminate_only:
        return
    if connection_record is None or not connection_record.info.get(_ENDED):
        dbapi_connection.rollback()


def _check_socket(dbapi_connection, connection_record, _proxy) -> None:
    """An idle MySQL connection has nothing to read: anything (an error packet, EOF, a hang-up) means the server
    closed it. DisconnectionError makes the pool drop it and hand out another."""
    sock = getattr(dbapi_connection, "_sock", None)
    if sock is None:
        raise DisconnectionError("the connection is closed")
    poller = select.poll()
    poller.register(sock, select.POLLIN | select.POLLPRI)
    if poller.poll(0):
        raise DisconnectionError("the server closed the connection")


def wrote(session: Session) -> bool:
    """Whether the session's transaction holds anything to commit: pending objects, or a statement run
    that was not a read (a flush, an UPDATE/INSERT/DELETE executed directly, a savepoint)."""
    if session.new or session.dirty or session.deleted:
        return True
    if not session.in_transaction():
        return False
    return bool(session.connection().info.get(_WROTE))
