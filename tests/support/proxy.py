"""A TCP proxy a test can cut: the state store "goes down" for the bot under test only.

Stopping the shared PostgreSQL would take it away from every other test running at the same
time; cutting this proxy (every connection through it closed, new ones accepted and closed at
once) looks the same to the bot's driver, and `restore` brings it back.
"""

from __future__ import annotations

import socket
import threading
from contextlib import suppress
from types import TracebackType


class Proxy:
    """127.0.0.1:<port> forwarding to `target` until `cut`; `refused` counts the connections
    turned away while cut (so a test knows the bot tried)."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._cut = False
        self._holding = False
        self._closed = False
        self.refused = 0
        self._changed = threading.Condition(self._lock)
        self._acceptor = threading.Thread(target=self._accept, daemon=True)
        self._acceptor.start()

    def url(self, database: str = "test") -> str:
        return f"postgresql://127.0.0.1:{self.port}/{database}"

    def cut(self) -> None:
        with self._lock:
            self._cut = True
            for s in self._open:
                _shut(s)
            self._open.clear()

    def hold(self) -> None:
        """Like `cut`, but new connections are accepted and then never answered: a host
        that does not respond (a network partition), not one that refuses."""
        self.cut()
        with self._lock:
            self._holding = True

    def restore(self) -> None:
        with self._lock:
            self._cut = self._holding = False

    def wait_refused(self, more_than: int, timeout: float = 30) -> None:
        """Until a connection beyond the first `more_than` was turned away."""
        with self._changed:
            if not self._changed.wait_for(lambda: self.refused > more_than, timeout):
                raise AssertionError(f"no connection reached the cut proxy in {timeout}s")

    def close(self) -> None:
        self.cut()
        with self._lock:
            self._closed = True
        # Wake the accept() first, then close once nothing uses the socket. Closed under
        # a blocked accept(), the socket would stay listening (the call holds it) and the
        # thread would wait on it for ever; and a thread just entering accept() could take
        # the fd number after it was reused, by the next test's server.
        with suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._acceptor.join(timeout=10)
        self._listener.close()

    def __enter__(self) -> Proxy:
        return self

    def __exit__(
        self, _t: type[BaseException] | None, _e: BaseException | None, _tb: TracebackType | None
    ) -> None:
        self.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            with self._changed:
                if self._cut or self._closed:
                    self.refused += 1
                    self._changed.notify_all()
                    if self._holding and not self._closed:
                        self._open.add(client)  # kept open, never answered, closed by cut()
                    else:
                        _shut(client)
                    continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                _shut(client)
                continue
            with self._lock:
                self._open.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            _shut(src)
            _shut(dst)
            with self._lock:
                self._open.discard(src)
                self._open.discard(dst)


def _shut(s: socket.socket) -> None:
    with suppress(OSError):
        s.shutdown(socket.SHUT_RDWR)
    s.close()
