"""A minimal WebSocket server for Socket Mode tests: it completes the handshake (RFC 6455),
says Slack's `hello`, answers pings with pongs and reads everything else. Enough for a
client to be connected. `send()` hands every connected client an envelope (an Events API
delivery, say), and `acks` lists the envelope ids the clients acknowledged."""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import struct
import threading
from contextlib import suppress
from types import TracebackType

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class FakeSocketServer:
    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.url = f"ws://127.0.0.1:{self.port}/link/?ticket=fake"
        self.connections = 0
        self.acks: list[str] = []
        self._open: list[socket.socket] = []
        self._changed = threading.Condition()
        self._stop = threading.Event()

    def send(self, envelope: dict[str, object]) -> None:
        """`envelope` as a text frame to every connected client."""
        with self._changed:
            for conn in self._open:
                conn.sendall(_frame(0x1, json.dumps(envelope).encode()))

    def wait_connected(self, timeout: float = 20) -> None:
        with self._changed:
            if not self._changed.wait_for(lambda: bool(self._open), timeout=timeout):
                raise AssertionError("no Socket Mode client connected")

    def wait_acks(self, count: int, timeout: float = 20) -> list[str]:
        with self._changed:
            self._changed.wait_for(lambda: len(self.acks) >= count, timeout=timeout)
            return list(self.acks)

    def __enter__(self) -> FakeSocketServer:
        self._acceptor = threading.Thread(target=self._accept, daemon=True)
        self._acceptor.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        # Wake the accept() and let it end before the socket is closed (see Proxy.close).
        with suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._acceptor.join(timeout=10)
        self._listener.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                request += chunk
            key = next(
                line.split(":", 1)[1].strip()
                for line in request.decode().split("\r\n")
                if line.lower().startswith("sec-websocket-key:")
            )
            accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
            conn.sendall(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n".encode()
            )
            self.connections += 1
            conn.sendall(_frame(0x1, json.dumps({"type": "hello", "num_connections": 1}).encode()))
            with self._changed:
                self._open.append(conn)
                self._changed.notify_all()
            try:
                self._read(conn)
            finally:
                with self._changed:
                    self._open.remove(conn)

    def _read(self, conn: socket.socket) -> None:
        while not self._stop.is_set():
            frame = _read_frame(conn)
            if frame is None:
                return
            opcode, payload = frame
            if opcode == 0x9:  # ping
                with self._changed:
                    conn.sendall(_frame(0xA, payload))
            elif opcode == 0x8:  # close
                return
            elif opcode == 0x1:  # an acknowledgement: {"envelope_id": ...}
                envelope = json.loads(payload).get("envelope_id")
                with self._changed:
                    self.acks.append(str(envelope))
                    self._changed.notify_all()


def _frame(opcode: int, payload: bytes) -> bytes:
    """A server frame: final, unmasked (payloads here are short)."""
    head = bytes([0x80 | opcode])
    if len(payload) < 126:
        return head + bytes([len(payload)]) + payload
    if len(payload) < 1 << 16:
        return head + bytes([126]) + struct.pack("!H", len(payload)) + payload
    return head + bytes([127]) + struct.pack("!Q", len(payload)) + payload


def _read_frame(conn: socket.socket) -> tuple[int, bytes] | None:
    head = _recv(conn, 2)
    if head is None:
        return None
    opcode, size = head[0] & 0x0F, head[1] & 0x7F
    if size == 126:
        more = _recv(conn, 2)
        size = struct.unpack("!H", more)[0] if more else 0
    elif size == 127:
        more = _recv(conn, 8)
        size = struct.unpack("!Q", more)[0] if more else 0
    mask = _recv(conn, 4) if head[1] & 0x80 else b"\0\0\0\0"
    data = _recv(conn, size) if size else b""
    if mask is None or data is None:
        return None
    return opcode, bytes(b ^ mask[i % 4] for i, b in enumerate(data))


def _recv(conn: socket.socket, n: int) -> bytes | None:
    out = b""
    while len(out) < n:
        try:
            chunk = conn.recv(n - len(out))
        except OSError:
            return None
        if not chunk:
            return None
        out += chunk
    return out
