"""Serve the sandbox over real HTTP from a background thread (tests, benchmark) or the foreground (CLI)."""

import threading

from werkzeug.serving import WSGIRequestHandler, make_server

from app.wechat.sandbox import create_sandbox_app, sandbox_config
from app.wechat.sandbox.state import SandboxState


class QuietHandler(WSGIRequestHandler):
    """No access log: WeChat URLs carry secrets and tokens in their query strings."""

    def log_request(self, *args, **kwargs):
        pass


class SandboxServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, state: SandboxState | None = None):
        self.state = state or SandboxState()
        self.app = create_sandbox_app(self.state)
        self.server = make_server(host, port, self.app, threaded=True, request_handler=QuietHandler)
        self.host, self.port = host, self.server.server_port
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def config(self) -> dict:
        return sandbox_config(self.url)

    def start(self) -> "SandboxServer":
        self.thread = threading.Thread(target=self.server.serve_forever, name="wechat-sandbox", daemon=True)
        self.thread.start()
        return self

    def serve_forever(self) -> None:
        self.server.serve_forever()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        if self.thread is not None:
            self.thread.join(timeout=5)
