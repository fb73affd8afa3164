"""Gunicorn's own log lines as JSON, without query strings (`logger_class` in gunicorn.conf.py).

Every line of gunicorn's error and access logs goes through the app's JSONFormatter and QueryStringFilter:
gunicorn logs request URIs in its error log (e.g. "Error handling request /path?…" after a worker timeout),
and those carry rand_str signatures. The access line is the one access line of a request (the app writes
none under gunicorn): method, path without the query, status, bytes, milliseconds, client address, the
request id and, for a signed admin request, the admin id.
"""

from gunicorn.glogging import Logger

from app.logging import JSONFormatter, QueryStringFilter
from app.request_id import ENVIRON_KEY


class ScrubbingLogger(Logger):
    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            log.addFilter(QueryStringFilter())
            for handler in log.handlers:
                handler.setFormatter(JSONFormatter())
                handler.addFilter(QueryStringFilter())

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        fields = {
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO"),
            "status": int(status) if str(status).isdigit() else status,
            "bytes": getattr(resp, "sent", None),
            "ms": round(request_time.total_seconds() * 1000, 1),
            "remote": environ.get("REMOTE_ADDR"),
            "request_id": environ.get(ENVIRON_KEY),
        }
        if environ.get("zhugeleida.admin_id") is not None:
            fields["admin_id"] = environ["zhugeleida.admin_id"]
        try:
            self.access_log.info("request", extra=fields)
        except Exception:  # noqa: BLE001 - as gunicorn's own access(): a log line never breaks a response
            self.error(f"Failed to log the request {fields['method']} {fields['path']}")
