"""The zhugeleida admin backend: create_app() is a list of register_*() calls."""

import os
import sys
from pathlib import Path

from flask import Flask
from werkzeug.routing import IntegerConverter

from config import Config, config_from_env, problems


class ConfigError(SystemExit):
    """The configuration is unsafe or unreadable: the process stops with the reasons, not a traceback.

    Exit status 3 is what gunicorn's master takes as "worker failed to boot" (it stops instead of respawning)."""

    def __init__(self, reasons: list[str]):
        lines = ["zhugeleida: 配置错误，拒绝启动 / refusing to start:", *(f"  - {r}" for r in reasons)]
        print(*lines, sep="\n", file=sys.stderr)
        super().__init__(3)
        self.reasons = reasons


def create_app(config_class: type[Config] | None = None) -> Flask:
    from app.auth import NoCookieSession

    config_class = config_class or config_from_env()
    reasons = problems(vars_of(config_class))
    if reasons:
        raise ConfigError(reasons)
    app = Flask(
        __name__,
        instance_relative_config=True,
        static_folder=config_class.STATICS_DIR,
        static_url_path="/statics",
    )
    app.config.from_object(config_class)
    register_input_limits(app)
    app.url_map.strict_slashes = False
    app.url_map.converters["int"] = BoundedIntConverter
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.session_interface = NoCookieSession()
    register_fast_path(app)
    register_proxy_fix(app)
    register_logging(app)
    register_monitoring(app)
    register_extensions(app)
    register_blueprints(app)
    register_storage(app)
    register_error_handlers(app)
    register_security_headers(app)
    register_commands(app)
    return app


class BoundedIntConverter(IntegerConverter):
    """`<int:…>` ids fit a signed 64-bit column; a longer number names no route (404), never a 500."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


def vars_of(config_class: type[Config]) -> dict:
    return {name: getattr(config_class, name) for name in dir(config_class) if name.isupper()}


def register_fast_path(app: Flask) -> None:
    """The 16.5 heartbeat answered before Flask when the hot buffer is on (app/fastpath.py); inside ProxyFix."""
    from app.fastpath import HeartbeatFastPath

    app.wsgi_app = HeartbeatFastPath(app, app.wsgi_app)  # type: ignore[method-assign]


def register_proxy_fix(app: Flask) -> None:
    """Trust X-Forwarded-For/-Proto/-Host from exactly PROXY_FIX_HOPS reverse proxies (docs/security.md)."""
    hops = app.config["PROXY_FIX_HOPS"]
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def register_input_limits(app: Flask) -> None:
    from app.inputs import register_input_limits as register

    register(app)


def register_logging(app: Flask) -> None:
    from app.logging import configure_logging

    configure_logging(app)


def register_monitoring(app: Flask) -> None:
    from app.error_reporting import register_error_reporting
    from app.metrics import register_metrics

    register_metrics(app)
    register_error_reporting(app)


def register_extensions(app: Flask) -> None:
    from app import models  # noqa: F401 - every table on the metadata
    from app.database import pool_options, register_engine
    from app.extensions import db, limiter, migrate
    from app.limits import record_breach, register_request_check

    os.makedirs(app.instance_path, exist_ok=True)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    # Every refused request is a security event of the operation log (app/limits.py).
    app.config.setdefault("RATELIMIT_ON_BREACH_CALLBACK", record_breach)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = pool_options(app.config)
    db.init_app(app)
    with app.app_context():
        register_engine(db.engine)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    limiter.init_app(app)
    register_request_check(app)


def register_blueprints(app: Flask) -> None:
    from app.api import register_blueprints as register

    register(app)


def register_storage(app: Flask) -> None:
    from app.storage import register_storage as register

    register(app)


def register_error_handlers(app: Flask) -> None:
    from app.responses import register_error_handlers as register

    register(app)


def register_security_headers(app: Flask) -> None:
    from app.headers import register_security_headers as register

    register(app)


def register_commands(app: Flask) -> None:
    from app.commands import register_commands as register

    register(app)
