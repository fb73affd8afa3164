"""Configuration classes, read from the environment (a `.env` file is allowed)."""

import os
from pathlib import Path

from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent
load_dotenv(BASE_DIR / ".env")


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _database_url(default: str) -> str:
    url = os.environ.get("DATABASE_URL") or default
    if url.startswith("mysql://"):
        url = "mysql+pymysql://" + url[len("mysql://") :]
    if url.startswith("mysql+pymysql://") and "charset=" not in url:
        url += ("&" if "?" in url else "?") + "charset=utf8mb4"
    return url


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-secret-key-change-me")
    # Key for secrets at rest (Fernet, urlsafe base64 of 32 bytes); derived from SECRET_KEY when unset.
    FIELD_ENCRYPTION_KEY = os.environ.get("FIELD_ENCRYPTION_KEY")
    SQLALCHEMY_DATABASE_URI = _database_url(f"sqlite:///{BASE_DIR / 'instance' / 'zhugeleida.sqlite3'}")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    REDIS_URL = os.environ.get("REDIS_URL") or None
    TIMEZONE = os.environ.get("TIMEZONE", "Asia/Shanghai")
    AUTH_MAX_SKEW_SECONDS = int(os.environ.get("AUTH_MAX_SKEW_SECONDS", "900"))
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "zhugeleida")
    ADMIN_USERNAME = os.environ.get("ADMIN_USERNAME", "admin")
    ADMIN_PASSWORD = os.environ.get("ADMIN_PASSWORD") or None
    DEFAULT_COMPANY_NAME = os.environ.get("DEFAULT_COMPANY_NAME", "诸葛雷达")
    STATICS_DIR = os.environ.get("STATICS_DIR", str(BASE_DIR / "statics"))
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")

    # --- uploads and tenant content (issue 3) ---

    # --- radar users, scan-to-join, statistics (issue 4) ---

    # --- jobs and WeChat (issues 5-7) ---


class DevelopmentConfig(Config):
    DEBUG = True


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret-key"  # noqa: S105 - tests only
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or "sqlite://"
    REDIS_URL = os.environ.get("TEST_REDIS_URL") or None
    RATELIMIT_KEY_PREFIX = "zhugeleida-test"
    LOG_LEVEL = "WARNING"


class ProductionConfig(Config):
    pass


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    return CONFIGS[os.environ.get("APP_ENV", "development").lower()]
