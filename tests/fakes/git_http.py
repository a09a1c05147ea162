"""The real `git http-backend` behind a small HTTPS server on 127.0.0.1 that records headers.

What a hosted git server does, as far as the bot can tell: smart HTTP, Basic auth with the
token GitHub accepts (`x-access-token:<token>`), 401 without it, 403 for a push when the
token may only read. Every request's method, path and headers are kept in `requests`, so a
test can say which credentials reached this host.

    with GitHttp(remote.bare.parent, token="ghs_x", read_only=False) as server:
        url = server.url("remote.git")          # https://127.0.0.1:PORT/remote.git

The certificate is self-signed for 127.0.0.1 and `localhost`; `ca_file` is what git's
GIT_SSL_CAINFO must name.
"""

from __future__ import annotations

import base64
import os
import ssl
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from .server import HOST, FakeServer, QuietHandler


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]


def basic(token: str) -> str:
    """The Authorization value GitHub accepts for a token (what the bot sends)."""
    return "Basic " + base64.b64encode(f"x-access-token:{token}".encode()).decode()


class GitHttp(FakeServer):
    """`git http-backend` for the repositories under `root`, over HTTPS.

    `token`: the one token accepted (None: anyone may fetch and push). `read_only`: a push
    gets 403 even with the token (a token with contents: read only).
    """

    thread_name = "fake-git-http"

    def __init__(self, root: Path, token: str | None = None, read_only: bool = False) -> None:
        self.root_dir = Path(root)
        self.token = token
        self.read_only = read_only
        self.requests: list[Seen] = []
        self.down = False  # True: every request gets 503, as from a host in an outage
        self.redirect_to = ""  # "https://host:port": every request is sent there (302)
        self._lock = threading.Lock()
        self._certs = Path(tempfile.mkdtemp(prefix="fake-git-http-"))
        self.ca_file = self._certs / "cert.pem"

    def started(self) -> None:
        key = self._certs / "key.pem"
        subprocess.run(
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", str(key), "-out", str(self.ca_file), "-days", "1",
                "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip

    def listening(self, server: ThreadingHTTPServer) -> None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.ca_file, self._certs / "key.pem")
        server.socket = context.wrap_socket(server.socket, server_side=True)

    def url(self, name: str, host: str = HOST) -> str:
        return f"https://{host}:{self.port}/{name}"

    def seen(self, request: Seen) -> None:
        with self._lock:
            self.requests.append(request)

    def handler(self) -> type[BaseHTTPRequestHandler]:
        return _handler_for(self)


def _handler_for(server: GitHttp) -> type[BaseHTTPRequestHandler]:
    class Handler(QuietHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def _serve(self) -> None:
            server.seen(Seen(self.command, self.path, dict(self.headers.items())))
            body = self._body()
            parts = urlsplit(self.path)
            if server.redirect_to:
                self._answer(302, [("Location", server.redirect_to + self.path)], b"")
                return
            if server.down:
                self._answer(503, [], b"Service Unavailable\n")
                return
            pushing = "git-receive-pack" in (parts.path + parts.query)
            if server.token is not None and self.headers.get("Authorization") != basic(
                server.token
            ):
                self._answer(401, [("WWW-Authenticate", 'Basic realm="git"')], b"no\n")
                return
            if pushing and server.read_only:
                self._answer(403, [], b"Permission denied\n")
                return
            env = {
                **os.environ,
                "GIT_PROJECT_ROOT": str(server.root_dir),
                "GIT_HTTP_EXPORT_ALL": "1",
                "GIT_CONFIG_COUNT": "1",
                "GIT_CONFIG_KEY_0": "http.receivepack",
                "GIT_CONFIG_VALUE_0": "true",
                "PATH_INFO": parts.path,
                "QUERY_STRING": parts.query,
                "REQUEST_METHOD": self.command,
                "CONTENT_TYPE": self.headers.get("Content-Type", ""),
                "CONTENT_LENGTH": str(len(body)),
                "REMOTE_USER": "bot",
                "REMOTE_ADDR": HOST,
            }
            if self.headers.get("Content-Encoding"):
                env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
            if self.headers.get("Git-Protocol"):
                env["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
            out = subprocess.run(
                ["git", "http-backend"], input=body, env=env, capture_output=True, check=False
            ).stdout
            head, _, payload = out.partition(b"\r\n\r\n")
            if not _:
                head, _, payload = out.partition(b"\n\n")
            status, headers = 200, []
            for line in head.decode("latin-1").splitlines():
                name, _, value = line.partition(":")
                if name.lower() == "status":
                    status = int(value.split()[0])
                elif name:
                    headers.append((name, value.strip()))
            self._answer(status, headers, payload)

        def _body(self) -> bytes:
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                data = bytearray()
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        self.rfile.readline()
                        return bytes(data)
                    data += self.rfile.read(size)
                    self.rfile.readline()
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _answer(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
            self.send_response(status)
            for name, value in headers:
                if name.lower() not in ("content-length", "connection"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler
