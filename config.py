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
    UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))  # one merged image
    UPLOAD_MAX_CHUNK_BYTES = int(os.environ.get("UPLOAD_MAX_CHUNK_BYTES", str(2 * 1024 * 1024)))  # one chunk
    UPLOAD_MAX_CHUNKS = int(os.environ.get("UPLOAD_MAX_CHUNKS", "100"))
    UPLOAD_MAX_PIXELS = int(os.environ.get("UPLOAD_MAX_PIXELS", "40000000"))  # width x height
    UPLOAD_MAX_PENDING = int(os.environ.get("UPLOAD_MAX_PENDING", "20"))  # unfinished uploads per uploader
    UPLOAD_CHUNK_TTL_SECONDS = int(os.environ.get("UPLOAD_CHUNK_TTL_SECONDS", "86400"))
    # Where chunks wait for their merge (not served); default instance/upload_chunks.
    UPLOAD_CHUNK_DIR = os.environ.get("UPLOAD_CHUNK_DIR") or None
    # A base64 chunk arrives as a form field: let one be as large as UPLOAD_MAX_CHUNK_BYTES encoded.
    MAX_FORM_MEMORY_SIZE = UPLOAD_MAX_CHUNK_BYTES * 4 // 3 + 64 * 1024

    # --- radar users, scan-to-join, statistics (issue 4) ---
    # The H5 page a scan-to-join QR code opens; it gets rand_str/timestamp/user_id of the invite.
    H5_BASE_URL = os.environ.get("H5_BASE_URL", "http://127.0.0.1:8080/scan_code_to_add_user")
    # How long a scan-to-join QR code (its invite signature) stays valid.
    INVITE_TTL_DAYS = int(os.environ.get("INVITE_TTL_DAYS", "7"))
    # Scan-to-join submissions per client address (the endpoint needs no login).
    SCAN_JOIN_RATE_LIMIT = os.environ.get("SCAN_JOIN_RATE_LIMIT", "30 per minute")

    # --- jobs and WeChat (issues 5-7) ---
    # Run jobs on background threads of the web process even when REDIS_URL is set (without it they always do).
    JOBS_INLINE = _bool("JOBS_INLINE", False)
    JOB_THREADS = int(os.environ.get("JOB_THREADS", "1"))  # those threads per queue and process (1: in order)
    # RQ queue names are "<prefix>:<queue>" (e.g. zhugeleida:wechat); a worker consumes the same prefix.
    JOB_QUEUE_PREFIX = os.environ.get("JOB_QUEUE_PREFIX", "zhugeleida")
    JOB_TIMEOUT = int(os.environ.get("JOB_TIMEOUT", "1800"))  # seconds; a job kind may ask for less
    JOB_RETRY_MAX = int(os.environ.get("JOB_RETRY_MAX", "3"))  # retries after network/busy errors
    JOB_RETRY_INTERVALS = [int(s) for s in os.environ.get("JOB_RETRY_INTERVALS", "10,60,300").split(",")]
    JOB_RESULT_TTL = int(os.environ.get("JOB_RESULT_TTL", "86400"))  # how long RQ keeps its own job hashes
    # WeChat hosts (the sandbox replaces them all: see `flask wechat-sandbox`).
    WECHAT_API_BASE = os.environ.get("WECHAT_API_BASE", "https://api.weixin.qq.com/")
    WECHAT_WORK_API_BASE = os.environ.get("WECHAT_WORK_API_BASE", "https://qyapi.weixin.qq.com/cgi-bin/")
    WECHAT_OPEN_BASE = os.environ.get("WECHAT_OPEN_BASE", "https://open.weixin.qq.com/")
    WECHAT_TIMEOUT = float(os.environ.get("WECHAT_TIMEOUT", "10"))  # seconds per WeChat HTTP call
    WECHAT_TOKEN_PREFIX = os.environ.get("WECHAT_TOKEN_PREFIX", "zhugeleida:wechat")  # Redis keys of tokens
    WECHAT_TOKEN_EARLY_REFRESH = int(os.environ.get("WECHAT_TOKEN_EARLY_REFRESH", "300"))  # seconds before expiry
    WECHAT_WORK_PAGE_SIZE = int(os.environ.get("WECHAT_WORK_PAGE_SIZE", "10000"))  # user/list_id limit (1-10000)
    WECHAT_WORK_SYNC_WORKERS = int(os.environ.get("WECHAT_WORK_SYNC_WORKERS", "4"))  # user/list calls at once
    # A busy WeChat (-1, 45009…) inside a job's walk: retries, first pause in seconds (doubling each time).
    WECHAT_RETRY_MAX = int(os.environ.get("WECHAT_RETRY_MAX", "3"))
    WECHAT_RETRY_BACKOFF = float(os.environ.get("WECHAT_RETRY_BACKOFF", "1"))
    # This API's public base URL: radar-user OAuth entry of the AI雷达/Boss雷达 apps (7.4 sets it in WeChat Work).
    RADAR_OAUTH_BASE_URL = os.environ.get("RADAR_OAUTH_BASE_URL", "http://127.0.0.1:8000")
    # Third-party platform (issue 6): the component's credentials, as registered on open.weixin.qq.com.
    COMPONENT_APPID = os.environ.get("COMPONENT_APPID", "")
    COMPONENT_APPSECRET = os.environ.get("COMPONENT_APPSECRET", "")
    COMPONENT_TOKEN = os.environ.get("COMPONENT_TOKEN", "")  # message check token
    COMPONENT_AES_KEY = os.environ.get("COMPONENT_AES_KEY", "")  # EncodingAESKey, 43 characters
    # This API's public base URL as WeChat's browser redirect reaches it (the 11.4/13.3 auth_code callback).
    OPEN_PLATFORM_CALLBACK_BASE_URL = os.environ.get("OPEN_PLATFORM_CALLBACK_BASE_URL", "http://127.0.0.1:8000")
    OPEN_PLATFORM_GRANT_TTL = int(os.environ.get("OPEN_PLATFORM_GRANT_TTL", "1800"))  # seconds a grant URL lives
    XCX_AUTO_RELEASE_DEFAULT = _bool("XCX_AUTO_RELEASE_DEFAULT", False)  # new apps: release once an audit passes
    # 5.6: the card page the mini-program code opens (scene = radar user id), its width, WeChat's check_path.
    XCX_QRCODE_PAGE = os.environ.get("XCX_QRCODE_PAGE", "pages/mingpian/index")
    XCX_QRCODE_WIDTH = int(os.environ.get("XCX_QRCODE_WIDTH", "430"))
    XCX_QRCODE_CHECK_PATH = _bool("XCX_QRCODE_CHECK_PATH", True)
    # 14.1: where the official account's silent OAuth (snsapi_base) sends the visitor back to.
    GONGZHONGHAO_OAUTH_REDIRECT_URL = os.environ.get("GONGZHONGHAO_OAUTH_REDIRECT_URL", "http://127.0.0.1:8080/admin/")
    # H5 side (issue 7): the article page a share link's OAuth redirect lands on ({article_id} is filled in).
    H5_ARTICLE_URL = os.environ.get("H5_ARTICLE_URL", "http://127.0.0.1:8080/yulanwenzhang/{article_id}")
    # Key of the HMAC that signs a share link's uid/pid/level/article/company; derived from SECRET_KEY when unset.
    SHARE_SIGN_KEY = os.environ.get("SHARE_SIGN_KEY") or None
    # 16.5: the most stay time (seconds) one heartbeat may add, whatever the time since the previous one.
    STAYTIME_MAX_STEP = int(os.environ.get("STAYTIME_MAX_STEP", "30"))


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
