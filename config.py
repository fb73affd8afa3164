"""Configuration classes, read from the environment (a `.env` file is allowed).

Every value is parsed when this module is imported; a value that does not parse is collected in
ENV_ERRORS (never a traceback) and `check()` refuses to start with all of them listed. Production also
refuses a missing or default SECRET_KEY and a missing or malformed FIELD_ENCRYPTION_KEY (docs/security.md).
The testing configuration reads none of the developer's environment: only TEST_* variables.
"""

import base64
import binascii
import ipaddress
import os
from pathlib import Path

from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent
load_dotenv(BASE_DIR / ".env")

DEV_SECRET_KEY = "dev-secret-key-change-me"  # noqa: S105 - the public development default, refused in production
ENV_ERRORS: list[str] = []  # "NAME=value: why" for every environment value that did not parse
_DEFAULTS: dict[str, object] = {}  # setting → its value when the environment does not set it


def _raw(name: str, default):
    _DEFAULTS[name] = default
    value = os.environ.get(name)
    return None if value is None or value.strip() == "" else value.strip()


def _str(name: str, default: str | None) -> str | None:
    value = _raw(name, default)
    return default if value is None else value


def _int(name: str, default: int, minimum: int = 0) -> int:
    value = _raw(name, default)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        ENV_ERRORS.append(f"{name}={value!r}: 需要整数（例如 {default}）")
        return default
    if number < minimum:
        ENV_ERRORS.append(f"{name}={value!r}: 不能小于 {minimum}")
        return default
    return number


def _float(name: str, default: float) -> float:
    value = _raw(name, default)
    if value is None:
        return default
    try:
        return float(value)
    except ValueError:
        ENV_ERRORS.append(f"{name}={value!r}: 需要数字（例如 {default}）")
        return default


def _ints(name: str, default: list[int]) -> list[int]:
    value = _raw(name, default)
    if value is None:
        return default
    try:
        return [int(part) for part in value.split(",")]
    except ValueError:
        ENV_ERRORS.append(f"{name}={value!r}: 需要逗号分隔的整数（例如 {','.join(map(str, default))}）")
        return default


def _strs(name: str, default: list[str]) -> list[str]:
    value = _raw(name, default)
    return default if value is None else [part.strip() for part in value.split(",") if part.strip()]


def _bool(name: str, default: bool = False) -> bool:
    value = _raw(name, default)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    ENV_ERRORS.append(f"{name}={value!r}: 需要 true 或 false")
    return default


def _database_url(default: str) -> str:
    url = _str("DATABASE_URL", default)
    if url.startswith("mysql://"):
        url = "mysql+pymysql://" + url[len("mysql://") :]
    if url.startswith("mysql+pymysql://") and "charset=" not in url:
        url += ("&" if "?" in url else "?") + "charset=utf8mb4"
    return url


class Config:
    APP_ENV = "development"
    READS_ENVIRONMENT = True
    DEBUG = _bool("DEBUG", False)  # only when asked for, in any environment
    SECRET_KEY = _str("SECRET_KEY", DEV_SECRET_KEY)
    # Keys for secrets at rest: comma-separated Fernet keys (urlsafe base64 of 32 bytes), the first encrypts,
    # every one decrypts (key rotation: docs/security.md). Derived from SECRET_KEY when unset (not in production).
    FIELD_ENCRYPTION_KEY = _str("FIELD_ENCRYPTION_KEY", None)
    SQLALCHEMY_DATABASE_URI = _database_url(f"sqlite:///{BASE_DIR / 'instance' / 'zhugeleida.sqlite3'}")
    # Pooled connections (docs/operations.md, "Database connections"): no ping before each use; a connection
    # older than DATABASE_POOL_RECYCLE seconds is replaced (keep it below the server's wait_timeout, 28800 s by
    # default), one the server closed is replaced when it is taken from the pool, and the pool's reset on return
    # is app/database.py's (a ROLLBACK only when the request left its transaction open).
    DATABASE_POOL_RECYCLE = _int("DATABASE_POOL_RECYCLE", 3600, minimum=1)
    # Connections each process keeps open (MariaDB/MySQL): at least gunicorn's threads per worker (8) plus the
    # in-process job thread, so that no request opens and closes a connection of its own (an overflow one);
    # DATABASE_MAX_OVERFLOW more are opened under a burst and closed when returned.
    DATABASE_POOL_SIZE = _int("DATABASE_POOL_SIZE", 10, minimum=1)
    DATABASE_MAX_OVERFLOW = _int("DATABASE_MAX_OVERFLOW", 10)
    # hide_parameters: a logged SQL error never carries the bound values (passwords, tokens, personal data).
    SQLALCHEMY_ENGINE_OPTIONS = {
        "pool_recycle": DATABASE_POOL_RECYCLE,
        "pool_reset_on_return": None,
        "hide_parameters": True,
    }
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    REDIS_URL = _str("REDIS_URL", None)
    TIMEZONE = _str("TIMEZONE", "Asia/Shanghai")
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 - werkzeug's hash method for new passwords (not from the environment)
    # A signed request's timestamp must be this close to server time; a write's signature is single-use.
    AUTH_MAX_SKEW_SECONDS = _int("AUTH_MAX_SKEW_SECONDS", 300, minimum=1)
    SIGNATURE_KEY_PREFIX = _str("SIGNATURE_KEY_PREFIX", "zhugeleida:sig")  # Redis keys of seen signatures
    # Each role's access rules are kept in the process (docs/security.md, "Access rules cache"): with REDIS_URL the
    # shared version key is read at most every ACCESS_RULES_CHECK_SECONDS (0: every request) and every role or
    # rule write bumps it; a cached role is reloaded after ACCESS_RULES_CACHE_SECONDS whatever the version says
    # (without Redis: the longest a change takes to reach the other processes and hosts).
    ACCESS_RULES_CHECK_SECONDS = _float("ACCESS_RULES_CHECK_SECONDS", 1)
    ACCESS_RULES_CACHE_SECONDS = _float("ACCESS_RULES_CACHE_SECONDS", 60)
    ACCESS_RULES_VERSION_KEY = _str("ACCESS_RULES_VERSION_KEY", "zhugeleida:access_rules_version")
    # Signed admins and their companies are kept in each process (docs/security.md, "Caller cache") while the
    # versions under CALLER_VERSION_PREFIX in Redis stay the same, and read again after CALLER_CACHE_SECONDS
    # whatever they say (0: every request reads its caller). Without REDIS_URL nothing is kept.
    CALLER_CACHE_SECONDS = _float("CALLER_CACHE_SECONDS", 60)
    CALLER_VERSION_PREFIX = _str("CALLER_VERSION_PREFIX", "zhugeleida:caller")
    # Failed sign-ins per login name and per client address (successful ones are never counted).
    LOGIN_RATE_LIMIT = _str("LOGIN_RATE_LIMIT", "10 per minute")
    # The public WeChat OAuth sign-ins (customers, radar users, the platform's auth_code), per client address.
    OAUTH_LOGIN_RATE_LIMIT = _str("OAUTH_LOGIN_RATE_LIMIT", "60 per minute")
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are trusted (0 = none).
    PROXY_FIX_HOPS = _int("PROXY_FIX_HOPS", 0)
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_KEY_PREFIX = _str("RATELIMIT_KEY_PREFIX", "zhugeleida")
    # Redis down: limits are counted in the process's memory until it answers again (never a 500 on login).
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
    ADMIN_USERNAME = _str("ADMIN_USERNAME", "admin")
    ADMIN_PASSWORD = _str("ADMIN_PASSWORD", None)
    DEFAULT_COMPANY_NAME = _str("DEFAULT_COMPANY_NAME", "诸葛雷达")
    STATICS_DIR = _str("STATICS_DIR", str(BASE_DIR / "statics"))
    # --- file storage (docs/operations.md): local disk, or an S3-compatible bucket shared by every host ---
    STORAGE_BACKEND = _str("STORAGE_BACKEND", "local").lower()  # local | s3
    S3_ENDPOINT_URL = _str("S3_ENDPOINT_URL", None)  # e.g. https://cos.ap-shanghai.myqcloud.com; unset = AWS
    S3_BUCKET = _str("S3_BUCKET", None)
    S3_REGION = _str("S3_REGION", "us-east-1")
    S3_ACCESS_KEY_ID = _str("S3_ACCESS_KEY_ID", None)
    S3_SECRET_ACCESS_KEY = _str("S3_SECRET_ACCESS_KEY", None)
    S3_PREFIX = _str("S3_PREFIX", "")  # keys are <prefix>statics/… and <prefix>upload_chunks/…
    S3_ADDRESSING_STYLE = _str("S3_ADDRESSING_STYLE", "auto")  # virtual for COS/OSS, path for MinIO
    S3_TIMEOUT = _float("S3_TIMEOUT", 10)  # seconds to connect / read
    # Absolute base URL of the served files (a CDN in front of the bucket's statics/); unset = "statics/…" paths.
    STATICS_BASE_URL = _str("STATICS_BASE_URL", None)
    LOG_LEVEL = _str("LOG_LEVEL", "INFO")
    # --- monitoring (docs/operations.md) ---
    # /metrics answers "Authorization: Bearer <METRICS_TOKEN>", or a client address in METRICS_ALLOW_IPS.
    METRICS_TOKEN = _str("METRICS_TOKEN", None)
    METRICS_ALLOW_IPS = _strs("METRICS_ALLOW_IPS", ["127.0.0.1", "::1"])
    # /healthz/ready fails when jobs need a worker (REDIS_URL set, not inline) and none beat for this long.
    WORKER_HEARTBEAT_MAX_AGE = _int("WORKER_HEARTBEAT_MAX_AGE", 120, minimum=1)
    SENTRY_DSN = _str("SENTRY_DSN", None)  # error reporting; tokens, passwords and signatures scrubbed
    SENTRY_ENVIRONMENT = _str("SENTRY_ENVIRONMENT", None)  # default: APP_ENV
    SENTRY_TRACES_SAMPLE_RATE = _float("SENTRY_TRACES_SAMPLE_RATE", 0)

    # --- uploads and tenant content ---
    UPLOAD_MAX_BYTES = _int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)  # one merged image
    UPLOAD_MAX_CHUNK_BYTES = _int("UPLOAD_MAX_CHUNK_BYTES", 2 * 1024 * 1024)  # one chunk
    UPLOAD_MAX_CHUNKS = _int("UPLOAD_MAX_CHUNKS", 100)
    UPLOAD_MAX_PIXELS = _int("UPLOAD_MAX_PIXELS", 40000000)  # width x height
    UPLOAD_MAX_FRAMES = _int("UPLOAD_MAX_FRAMES", 100)  # frames of an animated image
    # width x height x frames: what re-encoding an animation costs (CPU and memory); default one still image.
    UPLOAD_MAX_TOTAL_PIXELS = _int("UPLOAD_MAX_TOTAL_PIXELS", 40000000)
    UPLOAD_RATE_LIMIT = _str("UPLOAD_RATE_LIMIT", "120 per minute")  # chunks + merges per admin
    UPLOAD_MERGE_RATE_LIMIT = _str("UPLOAD_MERGE_RATE_LIMIT", "20 per minute")  # merges per admin
    UPLOAD_MAX_PENDING = _int("UPLOAD_MAX_PENDING", 20)  # unfinished uploads per uploader
    UPLOAD_CHUNK_TTL_SECONDS = _int("UPLOAD_CHUNK_TTL_SECONDS", 86400)
    # Where chunks wait for their merge (not served); default instance/upload_chunks.
    UPLOAD_CHUNK_DIR = _str("UPLOAD_CHUNK_DIR", None)
    # A base64 chunk arrives as a form field: let one be as large as UPLOAD_MAX_CHUNK_BYTES encoded.
    MAX_FORM_MEMORY_SIZE = UPLOAD_MAX_CHUNK_BYTES * 4 // 3 + 64 * 1024
    # Request bodies (docs/security.md): every body is refused with 413 beyond BODY_MAX_BYTES before it is
    # read; the chunk upload alone may send one base64 chunk and the other form fields.
    BODY_MAX_BYTES = _int("BODY_MAX_BYTES", 1024 * 1024)
    MAX_CONTENT_LENGTH = BODY_MAX_BYTES
    UPLOAD_BODY_MAX_BYTES = MAX_FORM_MEMORY_SIZE + 64 * 1024

    # --- radar users, scan-to-join, statistics ---
    # The H5 page a scan-to-join QR code opens; it gets rand_str/timestamp/user_id of the invite.
    H5_BASE_URL = _str("H5_BASE_URL", "http://127.0.0.1:8000/h5/scan_code_to_add_user")
    # How long a scan-to-join QR code (its invite signature) stays valid.
    INVITE_TTL_DAYS = _int("INVITE_TTL_DAYS", 7)
    # Scan-to-join submissions per client address (the endpoint needs no login).
    SCAN_JOIN_RATE_LIMIT = _str("SCAN_JOIN_RATE_LIMIT", "30 per minute")

    # --- jobs and WeChat ---
    # Run jobs on background threads of the web process even when REDIS_URL is set (without it they always do).
    JOBS_INLINE = _bool("JOBS_INLINE", False)
    JOB_THREADS = _int("JOB_THREADS", 1)  # those threads per queue and process (1: in order)
    # RQ queue names are "<prefix>:<queue>" (e.g. zhugeleida:wechat); a worker consumes the same prefix.
    JOB_QUEUE_PREFIX = _str("JOB_QUEUE_PREFIX", "zhugeleida")
    JOB_TIMEOUT = _int("JOB_TIMEOUT", 1800)  # seconds; a job kind may ask for less
    JOB_RETRY_MAX = _int("JOB_RETRY_MAX", 3)  # retries after network/busy errors
    JOB_RETRY_INTERVALS = _ints("JOB_RETRY_INTERVALS", [10, 60, 300])
    JOB_RESULT_TTL = _int("JOB_RESULT_TTL", 86400)  # how long RQ keeps its own job hashes
    # The RQ worker riding out Redis drops (docs/jobs_wechat.md "Outages"): how long it blocks waiting for a job
    # (its heartbeat, maintenance and scheduler check run between waits), how often it cleans RQ's registries,
    # how often it beats while a job runs, and the longest pause between reconnection attempts (seconds).
    WORKER_POLL_INTERVAL = _int("WORKER_POLL_INTERVAL", 5)
    WORKER_MAINTENANCE_INTERVAL = _int("WORKER_MAINTENANCE_INTERVAL", 15)
    WORKER_HEARTBEAT_INTERVAL = _int("WORKER_HEARTBEAT_INTERVAL", 10)
    WORKER_RECONNECT_MAX_WAIT = _float("WORKER_RECONNECT_MAX_WAIT", 5)
    JOB_DB_WAIT = _int("JOB_DB_WAIT", 120)  # seconds a job waits for the database to record its outcome
    # A running job's process writes job.heartbeat_at this often; a row silent for longer than the timeout is
    # marked interrupted and retried (noticed within timeout + WORKER_MAINTENANCE_INTERVAL, at once on a read).
    JOB_HEARTBEAT_INTERVAL = _float("JOB_HEARTBEAT_INTERVAL", 10)
    JOB_HEARTBEAT_TIMEOUT = _float("JOB_HEARTBEAT_TIMEOUT", 40)
    # WeChat hosts (the sandbox replaces them all: see `flask wechat-sandbox`).
    WECHAT_API_BASE = _str("WECHAT_API_BASE", "https://api.weixin.qq.com/")
    WECHAT_WORK_API_BASE = _str("WECHAT_WORK_API_BASE", "https://qyapi.weixin.qq.com/cgi-bin/")
    WECHAT_OPEN_BASE = _str("WECHAT_OPEN_BASE", "https://open.weixin.qq.com/")
    WECHAT_TIMEOUT = _float("WECHAT_TIMEOUT", 10)  # seconds per WeChat HTTP call
    # Every WeChat call of one request shares this many seconds (keep it below GUNICORN_TIMEOUT); a WeChat API
    # failing WECHAT_BREAKER_FAILURES times in a row (network) answers "busy" at once for WECHAT_BREAKER_RESET s.
    WECHAT_REQUEST_DEADLINE = _float("WECHAT_REQUEST_DEADLINE", 20)
    WECHAT_BREAKER_FAILURES = _int("WECHAT_BREAKER_FAILURES", 3)
    WECHAT_BREAKER_RESET = _float("WECHAT_BREAKER_RESET", 30)
    WECHAT_TOKEN_PREFIX = _str("WECHAT_TOKEN_PREFIX", "zhugeleida:wechat")  # Redis keys of tokens
    WECHAT_TOKEN_EARLY_REFRESH = _int("WECHAT_TOKEN_EARLY_REFRESH", 300)  # seconds before expiry
    WECHAT_WORK_PAGE_SIZE = _int("WECHAT_WORK_PAGE_SIZE", 10000)  # user/list_id limit (1-10000)
    WECHAT_WORK_SYNC_WORKERS = _int("WECHAT_WORK_SYNC_WORKERS", 4)  # user/list calls at once
    # A busy WeChat (-1, 45009…) inside a job's walk: retries, first pause in seconds (doubling each time).
    WECHAT_RETRY_MAX = _int("WECHAT_RETRY_MAX", 3)
    WECHAT_RETRY_BACKOFF = _float("WECHAT_RETRY_BACKOFF", 1)
    # This API's public base URL: radar-user OAuth entry of the AI雷达/Boss雷达 apps (7.4 sets it in WeChat Work).
    RADAR_OAUTH_BASE_URL = _str("RADAR_OAUTH_BASE_URL", "http://127.0.0.1:8000")
    # Third-party platform: the component's credentials, as registered on open.weixin.qq.com.
    COMPONENT_APPID = _str("COMPONENT_APPID", "")
    COMPONENT_APPSECRET = _str("COMPONENT_APPSECRET", "")
    COMPONENT_TOKEN = _str("COMPONENT_TOKEN", "")  # message check token
    COMPONENT_AES_KEY = _str("COMPONENT_AES_KEY", "")  # EncodingAESKey, 43 characters
    # This API's public base URL as WeChat's browser redirect reaches it (the 11.4/13.3 auth_code callback).
    OPEN_PLATFORM_CALLBACK_BASE_URL = _str("OPEN_PLATFORM_CALLBACK_BASE_URL", "http://127.0.0.1:8000")
    OPEN_PLATFORM_GRANT_TTL = _int("OPEN_PLATFORM_GRANT_TTL", 1800)  # seconds a grant URL lives
    XCX_AUTO_RELEASE_DEFAULT = _bool("XCX_AUTO_RELEASE_DEFAULT", False)  # new apps: release once an audit passes
    # 5.6: the card page the mini-program code opens (scene = radar user id), its width, WeChat's check_path.
    XCX_QRCODE_PAGE = _str("XCX_QRCODE_PAGE", "pages/mingpian/index")
    XCX_QRCODE_WIDTH = _int("XCX_QRCODE_WIDTH", 430)
    XCX_QRCODE_CHECK_PATH = _bool("XCX_QRCODE_CHECK_PATH", True)
    # 14.1: where the official account's silent OAuth (snsapi_base) sends the visitor back to.
    GONGZHONGHAO_OAUTH_REDIRECT_URL = _str("GONGZHONGHAO_OAUTH_REDIRECT_URL", "http://127.0.0.1:8080/admin/")
    # H5 side: the article page a share link's OAuth redirect lands on ({article_id} is filled in).
    H5_ARTICLE_URL = _str("H5_ARTICLE_URL", "http://127.0.0.1:8000/h5/yulanwenzhang/{article_id}")
    # Key of the HMAC that signs a share link's uid/pid/level/article/company; derived from SECRET_KEY when unset.
    SHARE_SIGN_KEY = _str("SHARE_SIGN_KEY", None)
    # 16.5: the most stay time (seconds) one heartbeat may add, whatever the time since the previous one.
    STAYTIME_MAX_STEP = _int("STAYTIME_MAX_STEP", 30)
    # 15.1's heartbeat_interval: the seconds the H5 article page waits between two 16.5 heartbeats (keep it below
    # STAYTIME_MAX_STEP, or a reader's stay time loses the difference on every heartbeat; an overloaded server
    # sees the page wait up to three intervals, docs/h5.md "Overload": at most STAYTIME_MAX_STEP loses nothing).
    STAYTIME_HEARTBEAT_INTERVAL = _int("STAYTIME_HEARTBEAT_INTERVAL", 10, minimum=1)
    # While requests wait longer than this (ms) between the proxy and the app (the proxy's X-Request-Start header,
    # deploy/nginx), 16.5 answers twice that interval (at most STAYTIME_MAX_STEP): the readers' pages slow their
    # heartbeats and the app's threads go to the reads (docs/h5.md "Overload"). 0: never.
    STAYTIME_BUSY_QUEUE_MS = _int("STAYTIME_BUSY_QUEUE_MS", 200)
    # The customer hot path (docs/h5.md "The hot path"): with jobs on Redis, heartbeats and the counters of reads
    # and forwards go to a Redis buffer that a periodic job writes to the database every HOT_FLUSH_INTERVAL
    # seconds; the 15.1 article and the customers' credentials are cached there for HOT_CACHE_TTL seconds.
    HOT_BUFFER = _bool("HOT_BUFFER", True)
    HOT_FLUSH_INTERVAL = _int("HOT_FLUSH_INTERVAL", 5, minimum=1)
    HOT_CACHE_TTL = _int("HOT_CACHE_TTL", 600, minimum=1)
    HOT_KEY_PREFIX = _str("HOT_KEY_PREFIX", "zhugeleida:hot")
    # The console's and H5 pages' additions (docs/contract_extensions.md): the activity and card pages a customer
    # OAuth entry returns to, and the console page the 11.4/13.3 authorization callback sends the browser to.
    H5_ACTIVITY_URL = _str("H5_ACTIVITY_URL", "http://127.0.0.1:8000/h5/activity/{activity_id}")
    H5_CARD_URL = _str("H5_CARD_URL", "http://127.0.0.1:8000/h5/card/{uid}")
    CONSOLE_BASE_URL = _str("CONSOLE_BASE_URL", "http://127.0.0.1:8000/console/")

    # --- onboarding and sign-ups (docs/security.md "Onboarding and sign-ups") ---
    # Pending scan-to-join requests (temp users) a company may hold; 5.9.2 answers 403 beyond it.
    SCAN_JOIN_MAX_PENDING = _int("SCAN_JOIN_MAX_PENDING", 200)
    # 8.9 sign-ups per customer, and SMS verification codes per phone and per customer (Flask-Limiter syntax).
    SIGN_UP_RATE_LIMIT = _str("SIGN_UP_RATE_LIMIT", "10 per minute;50 per day")
    SMS_CODE_PHONE_RATE_LIMIT = _str("SMS_CODE_PHONE_RATE_LIMIT", "1 per minute;5 per hour;10 per day")
    SMS_CODE_CUSTOMER_RATE_LIMIT = _str("SMS_CODE_CUSTOMER_RATE_LIMIT", "3 per minute;10 per hour")
    SMS_CODE_TTL_SECONDS = _int("SMS_CODE_TTL_SECONDS", 300)
    SMS_CODE_MAX_ATTEMPTS = _int("SMS_CODE_MAX_ATTEMPTS", 5)  # wrong tries before a code is void
    # Who sends the codes: "log" (records that a code was sent, never the code) or "tencent" (Tencent Cloud SMS).
    SMS_BACKEND = _str("SMS_BACKEND", "log")
    SMS_TENCENT_SECRET_ID = _str("SMS_TENCENT_SECRET_ID", "")
    SMS_TENCENT_SECRET_KEY = _str("SMS_TENCENT_SECRET_KEY", "")
    SMS_TENCENT_REGION = _str("SMS_TENCENT_REGION", "ap-guangzhou")
    SMS_TENCENT_ENDPOINT = _str("SMS_TENCENT_ENDPOINT", "")  # default: the SDK's sms.tencentcloudapi.com
    SMS_TENCENT_SDK_APP_ID = _str("SMS_TENCENT_SDK_APP_ID", "")  # the SmsSdkAppId, e.g. 1400000000
    SMS_TENCENT_SIGN_NAME = _str("SMS_TENCENT_SIGN_NAME", "")  # the approved signature text
    SMS_TENCENT_TEMPLATE_ID = _str("SMS_TENCENT_TEMPLATE_ID", "")  # template with {1} code, {2} minutes

    # --- operation log and exports (docs/operation_log.md, docs/exports.md) ---
    OPERATION_LOG_DAYS = _int("OPERATION_LOG_DAYS", 180, minimum=1)  # entries older than this are purged daily
    EXPORT_LINK_TTL = _int("EXPORT_LINK_TTL", 900, minimum=1)  # seconds an export's signed download link works
    EXPORT_DIR = _str("EXPORT_DIR", None)  # local storage: where export files are kept; default instance/exports
    EXPORT_MAX_ROWS = _int("EXPORT_MAX_ROWS", 200000, minimum=1)  # rows one export file holds at most

    # --- the operator web console (console/, built by Vite; served at /console/) ---
    CONSOLE_DIST_DIR = _str("CONSOLE_DIST_DIR", str(BASE_DIR / "console" / "dist"))
    # --- the mobile H5 pages (h5/, built by Vite; served at /h5/): docs/h5.md ---
    H5_DIST_DIR = _str("H5_DIST_DIR", str(BASE_DIR / "h5" / "dist"))


class DevelopmentConfig(Config):
    pass


class TestingConfig(Config):
    """Every setting at its default whatever the environment says (see below); only TEST_* are read."""

    APP_ENV = "testing"
    READS_ENVIRONMENT = False
    TESTING = True
    SECRET_KEY = "testing-secret-key-0123456789abcdef"  # noqa: S105 - tests only
    FIELD_ENCRYPTION_KEY = "dGVzdGluZy1maWVsZC1lbmNyeXB0aW9uLWtleS0wMDA="  # tests only
    SQLALCHEMY_DATABASE_URI = _str("TEST_DATABASE_URL", None) or "sqlite://"
    REDIS_URL = _str("TEST_REDIS_URL", None)
    RATELIMIT_KEY_PREFIX = "zhugeleida-test"
    SIGNATURE_KEY_PREFIX = "zhugeleida-test:sig"
    CALLER_VERSION_PREFIX = "zhugeleida-test:caller"
    # Tests write heartbeats to the database unless they turn the buffer on (tests/services/test_hot_buffer.py).
    HOT_BUFFER = False
    HOT_KEY_PREFIX = "zhugeleida-test:hot"
    LOG_LEVEL = "WARNING"
    # Most of the suite's time was scrypt in the admin factory; what is tested is the checking, not the cost.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105 - a method name


for _name, _default in _DEFAULTS.items():  # the developer's exported ADMIN_PASSWORD, DATABASE_URL… change nothing
    if _name not in vars(TestingConfig) and not _name.startswith("TEST_"):
        setattr(TestingConfig, _name, _default)
TestingConfig.MAX_FORM_MEMORY_SIZE = TestingConfig.UPLOAD_MAX_CHUNK_BYTES * 4 // 3 + 64 * 1024
TestingConfig.MAX_CONTENT_LENGTH = TestingConfig.BODY_MAX_BYTES
TestingConfig.UPLOAD_BODY_MAX_BYTES = TestingConfig.MAX_FORM_MEMORY_SIZE + 64 * 1024
TestingConfig.SQLALCHEMY_ENGINE_OPTIONS = {
    **Config.SQLALCHEMY_ENGINE_OPTIONS,
    "pool_recycle": TestingConfig.DATABASE_POOL_RECYCLE,
}


class ProductionConfig(Config):
    APP_ENV = "production"
    SMS_BACKEND = _str("SMS_BACKEND", "tencent")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    name = (_str("APP_ENV", "development") or "").lower()
    if name not in CONFIGS:
        ENV_ERRORS.append(f"APP_ENV={name!r}: 只能是 {', '.join(CONFIGS)}")
        return DevelopmentConfig
    return CONFIGS[name]


def fernet_keys(value: str | None) -> list[bytes]:
    """The Fernet keys of FIELD_ENCRYPTION_KEY (comma-separated); ValueError names a malformed one."""
    keys = []
    for index, part in enumerate((value or "").split(",")):
        key = part.strip().encode()
        try:
            valid = len(base64.urlsafe_b64decode(key)) == 32
        except (binascii.Error, ValueError):
            valid = False
        if not valid:
            raise ValueError(
                f"FIELD_ENCRYPTION_KEY 第 {index + 1} 个密钥格式错误：需要 32 字节的 urlsafe base64（Fernet 密钥）"
            )
        keys.append(key)
    return keys


def problems(config) -> list[str]:
    """Why this configuration must not start: unparsable values, and in production unsafe secrets."""
    found = list(ENV_ERRORS) if config.get("READS_ENVIRONMENT") else []
    if config.get("FIELD_ENCRYPTION_KEY"):
        try:
            fernet_keys(config["FIELD_ENCRYPTION_KEY"])
        except ValueError as err:
            found.append(str(err))
    backend = config.get("STORAGE_BACKEND", "local")
    if backend not in ("local", "s3"):
        found.append(f"STORAGE_BACKEND={backend!r}: 只能是 local 或 s3")
    if backend == "s3" and not config.get("S3_BUCKET"):
        found.append("STORAGE_BACKEND=s3 需要 S3_BUCKET（以及 S3_ENDPOINT_URL 和密钥）")
    if config.get("S3_ADDRESSING_STYLE", "auto") not in ("auto", "virtual", "path"):
        found.append(f"S3_ADDRESSING_STYLE={config.get('S3_ADDRESSING_STYLE')!r}: 只能是 auto、virtual 或 path")
    for network in config.get("METRICS_ALLOW_IPS") or []:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            found.append(f"METRICS_ALLOW_IPS: {network!r} 不是 IP 地址或网段")
    if config.get("APP_ENV") == "production":
        secret = config.get("SECRET_KEY") or ""
        if secret == DEV_SECRET_KEY or len(secret) < 32:
            found.append("SECRET_KEY 未设置、是公开的默认值或短于 32 个字符：生产环境请设置随机的长密钥")
        if not config.get("FIELD_ENCRYPTION_KEY"):
            found.append("FIELD_ENCRYPTION_KEY 未设置：生产环境需要独立的 Fernet 密钥（docs/security.md）")
    return found
