"""The real Bolt app behind the real WSGI entry point, on 127.0.0.1, for tests."""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import requests

from bot.config import Settings
from bot.slack.server import Web, make
from bot.slack.services import Services
from tests.fakes import signing

SECRET = "test-signing-secret"
TOKEN = "xoxb-test-token-0000"


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Running:
    url: str
    services: Services

    def command(self, text: str, response_url: str, **kw: Any) -> requests.Response:
        body = signing.slash_command_body(text=text, response_url=response_url, **kw)
        return signing.post(self.url + "/slack/events", body, SECRET)

    def click(
        self, action: dict[str, Any], response_url: str | None, **kw: Any
    ) -> requests.Response:
        body = signing.block_actions_body([action], response_url=response_url, **kw)
        return signing.post(self.url + "/slack/events", body, SECRET)

    def event(self, event: dict[str, Any]) -> requests.Response:
        return signing.post(self.url + "/slack/events", signing.event_body(event), SECRET)


def settings_for(slack_url: str, **overrides: Any) -> Settings:
    scratch = tempfile.mkdtemp(prefix="roadmap-bot-test-")
    values: dict[str, Any] = {
        "slack_bot_token": TOKEN,
        "slack_signing_secret": SECRET,
        "slack_api_url": slack_url,
        "roadmap_repo": None,
        "database_url": f"sqlite:///{scratch}/state.db",
        # A fresh cache per app: the bundled example is served from a repo made there.
        "cache_dir": f"{scratch}/cache",
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@contextmanager
def running(settings: Settings) -> Iterator[Running]:
    app, services = make(settings)
    server = make_server("127.0.0.1", 0, Web(app, services), _ThreadingServer, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Running(f"http://127.0.0.1:{server.server_port}", services)
    finally:
        server.shutdown()
        server.server_close()
        services.stop_background()
