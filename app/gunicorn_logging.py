"""Gunicorn's own log lines without query strings (`logger_class` in gunicorn.conf.py).

Gunicorn logs request URIs in its error log (e.g. "Error handling request /path?…" after a worker timeout),
and those carry rand_str signatures: every line of its error and access logs passes QueryStringFilter.
"""

from gunicorn.glogging import Logger

from app.logging import QueryStringFilter


class ScrubbingLogger(Logger):
    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            log.addFilter(QueryStringFilter())
