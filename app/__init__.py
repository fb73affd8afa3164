"""The zhugeleida admin backend: create_app() is a list of register_*() calls."""

import os
from pathlib import Path

from flask import Flask
from werkzeug.routing import IntegerConverter

from config import Config, config_from_env


def create_app(config_class: type[Config] | None = None) -> Flask:
    config_class = config_class or config_from_env()
    app = Flask(
        __name__,
        instance_relative_config=True,
        static_folder=config_class.STATICS_DIR,
        static_url_path="/statics",
    )
    app.config.from_object(config_class)
    app.url_map.strict_slashes = False
    app.url_map.converters["int"] = BoundedIntConverter
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    register_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_security_headers(app)
    register_commands(app)
    return app


class BoundedIntConverter(IntegerConverter):
    """`<int:…>` ids fit a signed 64-bit column; a longer number names no route (404), never a 500."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


def register_logging(app: Flask) -> None:
    from app.logging import configure_logging

    configure_logging(app)


def register_extensions(app: Flask) -> None:
    from app import models  # noqa: F401 - every table on the metadata
    from app.extensions import db, limiter, migrate

    os.makedirs(app.instance_path, exist_ok=True)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    limiter.init_app(app)


def register_blueprints(app: Flask) -> None:
    from app.api import register_blueprints as register

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
