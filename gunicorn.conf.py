"""Gunicorn settings for production: `gunicorn -c gunicorn.conf.py wsgi:app`.

Every setting can be changed from the environment (GUNICORN_*), so one file serves a host, a container
and the load benchmark (bench/load_soak.py). The application itself reads its configuration from the
environment as usual (APP_ENV=production, DATABASE_URL, REDIS_URL, SECRET_KEY, ...).
"""

import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = _int("GUNICORN_WORKERS", 2)
# Threaded workers (gthread): a request waiting on WeChat (at most WECHAT_REQUEST_DEADLINE seconds) holds one
# thread, not the whole process, so unrelated requests go on being served. GUNICORN_WORKER_CLASS=sync with
# GUNICORN_THREADS=1 gives the old one-request-per-process workers. 8 threads rather than 4: a heartbeat (well
# under a millisecond) waits less often behind article reads holding every thread, so fewer are shed at the proxy
# (bench/README.md, "H5 readers"); the work is GIL-bound, so more threads add no throughput beyond that.
threads = _int("GUNICORN_THREADS", 8)
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread" if threads > 1 else "sync")
# The bounded queue in front of the workers (docs/h5.md "Overload"): connections the kernel holds until a worker
# takes them; beyond it a new connection is refused at once rather than queued behind work the workers cannot
# drain in time. The proxy (deploy/nginx, limit_conn) answers the H5 pages a fast 503 before that.
backlog = _int("GUNICORN_BACKLOG", 64)
# A threaded worker accepts connections into its own queue, up to this many: bounded too, so that a surge waits
# in the backlog above (and is refused beyond it) rather than in a queue inside a worker that only grows.
worker_connections = _int("GUNICORN_WORKER_CONNECTIONS", 64)

# A request that needs longer than this is a bug (slow WeChat calls run in RQ jobs, not in requests):
# the worker is killed and replaced. The WeChat calls of one request share WECHAT_REQUEST_DEADLINE (20 s, keep
# it below this timeout), each at most WECHAT_TIMEOUT (10 s); app/wechat/guard.py.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)  # seconds an idle keep-alive connection is kept (behind a proxy)

# Recycling workers hides leaks; off by default (the soak benchmark checks that worker memory stays flat).
max_requests = _int("GUNICORN_MAX_REQUESTS", 0)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 0)

# Signed URLs are short; keep gunicorn's request limits (request line 4094 bytes, 100 headers).
limit_request_line = 4094
limit_request_fields = 100

# Each worker builds the app itself: no database connection is ever shared across a fork.
preload_app = False

# Access log: the path only (%(U)s), never the query string (%(q)s / %(r)s), which carries rand_str
# signatures and other credentials. %(M)s is the request time in milliseconds.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
# Gunicorn's error log names request URIs (a worker timeout's "Error handling request /path?…"): this logger
# class cuts every query string out of its lines.
logger_class = "app.gunicorn_logging.ScrubbingLogger"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

proc_name = "zhugeleida"

# Gunicorn's runtime control socket (gunicornc) is off unless a path is given: its default path is shared by
# every gunicorn of the user on the host.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True

# Metrics (app/metrics.py): with PROMETHEUS_MULTIPROC_DIR set, each worker writes its samples to files there and
# /metrics sums them. The files of a previous run are removed at start; a worker's gauges go when it exits.
_METRICS_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR")


# Each worker's threads each need a database connection of the app's pool (config.py DATABASE_POOL_SIZE, 10 by
# default); one beyond the pool is opened and closed per request (docs/operations.md, "Database connections").
_POOL_SIZE = _int("DATABASE_POOL_SIZE", 10)


def pool_warning(pool_size: int, threads: int) -> str | None:
    """What to tell the operator when the app's connection pool is smaller than a worker's threads plus the
    in-process job thread."""
    if pool_size >= threads + 1:
        return None
    return (
        f"DATABASE_POOL_SIZE={pool_size} is below GUNICORN_THREADS + 1 ({threads + 1}): requests beyond the pool "
        "open and close a database connection each; raise DATABASE_POOL_SIZE"
    )


def on_starting(server):
    warning = pool_warning(_POOL_SIZE, threads)
    if warning:
        server.log.warning(warning)
    if _METRICS_DIR:
        os.makedirs(_METRICS_DIR, exist_ok=True)
        for name in os.listdir(_METRICS_DIR):
            if name.endswith(".db"):
                os.unlink(os.path.join(_METRICS_DIR, name))


def child_exit(server, worker):
    if _METRICS_DIR:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
