"""The response envelope, business codes and app-level error handlers (docs/architecture.md)."""

import logging
import math
import time
from enum import IntEnum

from flask import g, has_app_context, jsonify, request
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound, RequestEntityTooLarge, TooManyRequests

from app.database import wrote
from app.extensions import db, limiter

log = logging.getLogger(__name__)


class Code(IntEnum):
    OK = 200
    DUPLICATE = 300
    TYPE_ERROR = 301
    NOT_FOUND = 302
    INVALID = 303
    HAS_CHILDREN = 304
    FORBIDDEN_SELF = 305
    DISABLED = 306
    AUTH_FAILED = 400
    BAD_LOGIN = 401
    BAD_METHOD = 402
    FORBIDDEN = 403
    ILLEGAL = 404
    PAYLOAD_TOO_LARGE = 413
    TOO_MANY_REQUESTS = 429
    SERVER_ERROR = 500


def envelope_body(code: int, msg: str = "", data=None) -> dict:
    """What the envelope holds (app/fastpath.py answers it without Flask)."""
    return {"code": int(code), "msg": msg, "data": {} if data is None else data}


def envelope(code: int, msg: str = "", data=None, status: int = 200):
    body = envelope_body(code, msg, data)
    if has_app_context():
        g.envelope_code = int(code)  # counted by app/metrics.py
    return jsonify(body), status


def ok(data=None, msg: str = ""):
    return envelope(Code.OK, msg, data)


class ApiError(Exception):
    """A business error answered as the envelope with HTTP 200 (unless `status` says otherwise)."""

    def __init__(self, code: int, msg: str, data=None, status: int = 200):
        super().__init__(msg)
        self.code, self.msg, self.data, self.status = int(code), msg, data, status

    @classmethod
    def not_found(cls, what: str = "对象"):
        return cls(Code.NOT_FOUND, f"{what}ID不存在")

    @classmethod
    def duplicate(cls, msg: str):
        return cls(Code.DUPLICATE, msg)

    @classmethod
    def invalid(cls, msg: str, data=None):
        return cls(Code.INVALID, msg, data)

    @classmethod
    def has_children(cls, msg: str = "含有子级数据,请先删除或转移子级数据"):
        return cls(Code.HAS_CHILDREN, msg)

    @classmethod
    def forbidden(cls, msg: str = "无权限进行此操作"):
        return cls(Code.FORBIDDEN, msg)

    @classmethod
    def auth(cls, msg: str = "认证失败"):
        return cls(Code.AUTH_FAILED, msg)


def _retry_after() -> int:
    """Seconds until the breached rate limit's window lets the next request through (at least 1)."""
    current = limiter.current_limit
    return max(1, math.ceil(current.reset_at - time.time())) if current is not None else 60


def register_error_handlers(app):
    @app.errorhandler(ApiError)
    def handle_api_error(err: ApiError):
        db.session.rollback()
        return envelope(err.code, err.msg, err.data, err.status)

    @app.errorhandler(NotFound)
    def handle_not_found(_err):
        db.session.rollback()
        return envelope(Code.ILLEGAL, "非法请求", status=404)

    @app.errorhandler(MethodNotAllowed)
    def handle_bad_method(_err):
        db.session.rollback()
        return envelope(Code.BAD_METHOD, "请求方式异常", status=405)

    @app.errorhandler(TooManyRequests)
    def handle_rate_limited(_err):
        db.session.rollback()
        retry_after = _retry_after()
        response, status = envelope(Code.TOO_MANY_REQUESTS, f"尝试次数过多，请 {retry_after} 秒后再试", status=429)
        response.headers["Retry-After"] = str(retry_after)
        return response, status

    @app.errorhandler(RequestEntityTooLarge)
    def handle_too_large(_err):
        db.session.rollback()
        limit = request.max_content_length
        msg = f"请求体过大，不能超过{limit}字节" if limit else "请求体过大"
        return envelope(Code.PAYLOAD_TOO_LARGE, msg, status=413)

    @app.errorhandler(HTTPException)
    def handle_http_error(err: HTTPException):
        db.session.rollback()
        code = Code.ILLEGAL if (err.code or 500) < 500 else Code.SERVER_ERROR
        return envelope(code, "非法请求" if code == Code.ILLEGAL else "服务器错误", status=err.code or 500)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def handle_database_down(err):
        # The database is unreachable (or was restarted under us): a clear 503, and the pool recovers by itself.
        try:
            db.session.rollback()
        except SQLAlchemyError:
            db.session.remove()
        log.error("database unavailable", extra={"error": type(err.orig or err).__name__})
        return envelope(Code.SERVER_ERROR, "数据库暂时不可用，请稍后重试", status=503)

    @app.errorhandler(OverflowError)
    def handle_overflow(_err):
        # An id beyond any column's range (SQLite refuses integers above 2**63-1) names no row.
        db.session.rollback()
        return envelope(Code.INVALID, "ID 超出范围")

    @app.errorhandler(Exception)
    def handle_unexpected(err: Exception):
        db.session.rollback()
        log.exception("unhandled error", extra={"error": type(err).__name__})
        return envelope(Code.SERVER_ERROR, "服务器错误，请稍后重试", status=500)

    @app.after_request
    def commit_or_rollback(response):
        # One transaction per request, ended in one round trip (app/database.py): COMMIT what a successful
        # request wrote, ROLLBACK anything else — reads included.
        if response.status_code < 400 and wrote(db.session()):
            db.session.commit()
        else:
            try:
                db.session.rollback()
            except SQLAlchemyError:  # a dead connection cannot roll back: drop the session, the pool recovers
                db.session.remove()
        return response
