"""The part every fake server shares: a real HTTP server on 127.0.0.1, on a free port, served
from a daemon thread, started and stopped by a context manager.

    class FakeThing(FakeServer):
        thread_name = "fake-thing"

        def handler(self) -> type[BaseHTTPRequestHandler]:
            return _handler_for(self)

    with FakeThing() as fake:
        requests.get(fake.root + "/...")

A subclass says what it serves (``handler``) and may release its own waiters on the way down
(``stopping``); the start/stop code lives only here, so the fake Slack, the fake GitHub and
the fakes to come (a webhook sender, a git http-backend) stop the same way.
"""

from __future__ import annotations

import sys
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self

HOST = "127.0.0.1"


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that keeps the test output clean (no access log on stderr)."""

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    """A threaded server whose unhandled request errors name the fake they happened in."""

    fake_name = "fake"

    def handle_error(self, request: object, client_address: tuple[str, int]) -> None:
        # socketserver would print a bare traceback and close the connection unanswered:
        # the client then sees only RemoteDisconnected, so the fake is named here.
        sys.stderr.write(
            f"{self.fake_name}: a request from {client_address} failed, connection closed:\n"
            f"{traceback.format_exc()}"
        )


class FakeServer:
    """Start/stop, port and root URL of a threaded HTTP server; subclasses give ``handler``."""

    thread_name = "fake-server"  # the serving thread's name, seen in a hung test's thread dump

    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    def handler(self) -> type[BaseHTTPRequestHandler]:
        raise NotImplementedError

    def stopping(self) -> None:
        """Called first on stop: wake anything that waits on the server (delayed answers)."""

    def started(self) -> None:
        """Called first on start, before the server listens."""

    def listening(self, server: ThreadingHTTPServer) -> None:
        """Called once the server is bound, before it serves (a TLS fake wraps its socket)."""

    def start(self) -> Self:
        if self._server is not None:
            return self
        self.started()
        server = _Server((HOST, 0), self.handler())
        server.fake_name = type(self).__name__
        server.daemon_threads = True
        self._server = server
        self.listening(server)
        # A short poll interval so that stop() returns quickly.
        self._thread = threading.Thread(
            target=server.serve_forever, name=self.thread_name, kwargs={"poll_interval": 0.05}
        )
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping()
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError(f"{type(self).__name__} is not started")
        return self._server.server_address[1]

    @property
    def root(self) -> str:
        """``http://127.0.0.1:PORT``, no trailing slash."""
        return f"http://{HOST}:{self.port}"
