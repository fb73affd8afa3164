"""The shipped nginx site's overload bounds (deploy/nginx/zhugeleida.conf; docs/h5.md "Overload"), run by a real
nginx in front of a slow stand-in for the app: the article page's reads in flight are bounded, and retries (a
page's `X-Retry-Attempt`) may hold only a quarter of that bound, so new readers still get in while they retry."""

import shutil
import socket
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
READ = "/zhugeleida/gongzhonghao/article/myarticle/1"

pytestmark = pytest.mark.skipif(not Path(NGINX).exists(), reason="needs nginx (apt-get install nginx-light)")


class _SlowApp(BaseHTTPRequestHandler):
    """Holds each request until the test releases it (the app's threads all busy), then answers code 200."""

    release = threading.Event()
    arrived: list[str] = []

    def do_GET(self):
        type(self).arrived.append(self.headers.get("X-Retry-Attempt") or "")
        type(self).release.wait(20)
        body = b'{"code": 200, "msg": "ok", "data": {}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args):
        pass


@pytest.fixture
def proxy():
    _SlowApp.release.clear()
    _SlowApp.arrived = []
    app = ThreadingHTTPServer(("127.0.0.1", 0), _SlowApp)
    app.daemon_threads = True
    threading.Thread(target=app.serve_forever, daemon=True).start()
    work = Path(tempfile.mkdtemp(prefix="zhugeleida-nginx-"))
    with ThreadingHTTPServer(("127.0.0.1", 0), _SlowApp) as probe:  # a free port for nginx
        port = probe.server_address[1]
    site = (ROOT / "deploy" / "nginx" / "zhugeleida.conf").read_text()
    site = site.replace("listen [::]:80;", "").replace("listen 80;", f"listen 127.0.0.1:{port};")
    site = site.replace("server 127.0.0.1:8000", f"server 127.0.0.1:{app.server_address[1]}")
    site = site.replace("/var/log/nginx/", f"{work}/")
    (work / "site.conf").write_text(site)
    (work / "nginx.conf").write_text(
        f"pid {work}/nginx.pid;\nworker_processes 1;\nevents {{ worker_connections 256; }}\n"
        f"http {{ include /etc/nginx/mime.types; access_log off; client_body_temp_path {work}/body;"
        f" proxy_temp_path {work}/proxy; include {work}/site.conf; }}\n"
    )
    nginx = subprocess.Popen(  # noqa: S603 - the machine's nginx, our own arguments
        [NGINX, "-p", str(work), "-c", str(work / "nginx.conf"), "-g", f"daemon off; error_log {work}/error.log;"]
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 10
        while True:  # nginx listens
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or nginx.poll() is not None:
                    raise
                time.sleep(0.1)
        yield base
    finally:
        _SlowApp.release.set()
        nginx.terminate()
        nginx.wait(10)
        app.shutdown()
        shutil.rmtree(work, ignore_errors=True)


def _get(base: str, retry: int | None = None) -> requests.Response:
    headers = {"X-Retry-Attempt": str(retry)} if retry else {}
    return requests.get(base + READ, headers=headers, timeout=30)


def _hold(pool: ThreadPoolExecutor, base: str, retry: int | None = None):
    """Send one read and wait until the app holds it; returns its future. nginx counts a refused request's
    connection until it has closed it: a request sent just then may meet that count and get a 503 at once, so
    such an answer is sent again (a few times: a bound that really refuses it fails the test)."""
    for _ in range(20):
        held = len(_SlowApp.arrived)
        future = pool.submit(_get, base, retry)
        deadline = time.monotonic() + 10
        while len(_SlowApp.arrived) == held and not future.done() and time.monotonic() < deadline:
            time.sleep(0.01)
        if len(_SlowApp.arrived) > held:
            return future
        assert future.done(), "the read neither reached the app nor was answered"
        assert future.result().status_code == 503
        time.sleep(0.05)
    raise AssertionError("nginx refused the read every time")


def test_retries_hold_at_most_a_quarter_of_the_reads(proxy):
    with ThreadPoolExecutor(max_workers=20) as pool:
        retries = [_hold(pool, proxy, 1) for _ in range(4)]  # four retries in flight: the retries' bound
        refused = _get(proxy, 2)
        assert refused.status_code == 503 and refused.headers["Retry-After"] == "1"
        assert refused.json()["code"] == 500
        firsts = [_hold(pool, proxy) for _ in range(12)]  # new readers still get in, up to the reads' bound
        assert _get(proxy).status_code == 503  # the reads' bound: 16 in flight
        _SlowApp.release.set()
        assert [f.result().status_code for f in retries + firsts] == [200] * 16
    assert sorted(_SlowApp.arrived) == [""] * 12 + ["1"] * 4


def test_first_tries_are_not_bounded_by_the_retries_share(proxy):
    with ThreadPoolExecutor(max_workers=20) as pool:
        firsts = [_hold(pool, proxy) for _ in range(8)]
        retried = [_hold(pool, proxy, 3) for _ in range(4)]
        assert _get(proxy, 1).status_code == 503
        _SlowApp.release.set()
        assert [f.result().status_code for f in firsts + retried] == [200] * 12
