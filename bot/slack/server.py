"""`roadmap-bot serve`: Bolt behind gunicorn (threads serve requests concurrently), or
Socket Mode when SLACK_APP_TOKEN is set. Bolt's own `app.start()` is a development server."""

from __future__ import annotations

import gc
import json
import logging
import signal
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot import logs
from bot.config import Settings, load_settings
from bot.errors import SettingsError
from bot.live.webhook import PATH as WEBHOOK_PATH
from bot.live.webhook import GitHubWebhook
from bot.repo.example import EXAMPLE_PATH, example_repo
from bot.repo.git import end_all
from bot.repo.mirror import default_cache_root
from bot.store import events
from bot.store.db import engine
from bot.ticks.service import STOP_SECONDS

from .app import build_app
from .guard import Deliveries, Guard
from .services import Services, build_services

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]

# How often the Socket Mode main thread wakes to run a signal handler (see _socket_mode).
SIGNAL_CHECK_SECONDS = 0.5
# gunicorn kills a worker that has not exited this long after SIGTERM: room for the tick
# applier's STOP_SECONDS twice (finish, then end git) and telling what was recorded.
GRACEFUL_SECONDS = int(3 * STOP_SECONDS)

TRY_WITHOUT_SLACK = (
    "to try the bot without Slack, run `roadmap-bot show` or `roadmap-bot show Ingestion`"
)


class Web:
    """The WSGI app: `POST /slack/events` through the guard (signature first, then a body
    that parses, each event once) to Bolt; `GET /healthz` to the roadmap's health."""

    def __init__(self, app: App, services: Services) -> None:
        self.bolt = SlackRequestHandler(app, path="/slack/events")
        settings = services.settings
        self.guard = Guard(
            self.bolt,
            settings.slack_signing_secret or "",
            take_event=lambda event_id: events.take(engine(settings.database_url), event_id),
        )
        self.services = services
        self.github = github_webhook(services)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO")
        if path == "/healthz":
            return health(self.services, start_response)
        if path == WEBHOOK_PATH:
            return self.github(environ, start_response)
        if path == "/slack/events" and environ.get("REQUEST_METHOD") == "POST":
            return self.guard(environ, start_response)
        return self.bolt(environ, start_response)


def github_webhook(services: Services) -> GitHubWebhook:
    """`POST /github/webhook`: a push or a pull request wakes the change feed (and with it
    the roadmap read for answers); without a feed it refreshes the roadmap."""
    settings = services.settings
    live = services.live

    def refresh() -> None:
        services.refresh()

    wake = live.wake if live is not None else refresh
    return GitHubWebhook(
        settings.github_webhook_secret,
        engine(settings.database_url),
        settings.roadmap_branch,
        wake,
    )


def health(
    services: Services,
    start_response: StartResponse,
    socket_connected: Callable[[], bool] | None = None,
) -> Iterable[bytes]:
    """200 when the roadmap can be read now; 503 with the reason when not (a fetch that
    fails while an older snapshot is still being served counts as not). In Socket Mode the
    body also says whether the socket to Slack is connected; the status does not follow it,
    so a reconnect (Slack closes sockets routinely) never gets the process restarted."""
    try:
        snap = services.source.snapshot()
        error = getattr(services.source, "last_error", None)
    except Exception as err:
        snap, error = None, str(err)
    if snap is not None and not error:
        status = "200 OK"
        data = {
            "ok": True,
            "roadmap": snap.location,
            "commit": snap.commit,
            "modules": len(snap.roadmap.modules),
        }
    else:
        status, data = "503 Service Unavailable", {"ok": False, "error": logs.redact(str(error))}
    if socket_connected is not None:
        data["socket_connected"] = socket_connected()
    body = json.dumps(data).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


def check_credentials(settings: Settings) -> None:
    if settings.slack_app_token:
        if not settings.slack_bot_token:
            raise SettingsError(
                f"setting SLACK_BOT_TOKEN is not set (Socket Mode needs it); {TRY_WITHOUT_SLACK}"
            )
        return
    missing = [
        n
        for n, v in (
            ("SLACK_BOT_TOKEN", settings.slack_bot_token),
            ("SLACK_SIGNING_SECRET", settings.slack_signing_secret),
        )
        if not v
    ]
    if missing:
        raise SettingsError(f"setting {' and '.join(missing)} not set; {TRY_WITHOUT_SLACK}")


def make(settings: Settings, *, start_ticks: bool = True) -> tuple[App, Services]:
    """The app and its services, with the roadmap read once so the first request is fast.
    With no ROADMAP_REPO the bundled example is served from a local repo in the cache, so
    ticks work on it too (local mode). `start_ticks=False` leaves the tick applier's thread
    to be started by whoever serves (a gunicorn worker, after the fork)."""
    if not settings.roadmap_repo:
        cache = Path(settings.cache_dir) if settings.cache_dir else default_cache_root()
        repo = example_repo(cache)
        log.info("no ROADMAP_REPO: serving the bundled example from %s", repo)
        settings = settings.model_copy(
            update={"roadmap_repo": str(repo), "roadmap_path": EXAMPLE_PATH}
        )
    client = WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url)
    services = build_services(settings, client)
    try:
        app = build_app(services, client)
    except Exception as err:
        msg = f"setting SLACK_BOT_TOKEN: Slack did not accept it ({logs.redact(str(err))})"
        raise SettingsError(msg) from None
    if start_ticks:
        services.start_background()
    return app, services


def serve() -> int:
    settings = load_settings()
    logs.setup(settings.log_format)
    check_credentials(settings)
    socket_mode = bool(settings.slack_app_token)
    if socket_mode:
        check_app_token(settings)
    # Under gunicorn the worker is forked from this process: threads do not survive a fork,
    # so the worker starts the tick applier itself (see _gunicorn).
    app, services = make(settings, start_ticks=socket_mode)
    # What start-up built lives as long as the process: keep it out of the collector's full
    # passes, which otherwise paused request handling for 100-160 ms at a time under load.
    gc.freeze()
    if socket_mode:
        _socket_mode(app, services, settings)
        return 0
    _gunicorn(Web(app, services), settings)
    return 0


def _socket_mode(app: App, services: Services, settings: Settings) -> None:
    """Connected until SIGTERM or SIGINT; then no more events are taken (the connection is
    closed first) and the tick applier finishes or abandons its run (bounded)."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    stopping = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda _sig, _frame: stopping.set())
    from slack_sdk.socket_mode.builtin import SocketModeClient
    from slack_sdk.socket_mode.request import SocketModeRequest
    from slack_sdk.socket_mode.response import SocketModeResponse

    deliveries = Deliveries(lambda event_id: events.take(engine(settings.database_url), event_id))

    class Handler(SocketModeHandler):
        """Slack retries an Events API envelope it thinks timed out, with the same event_id
        (and may send it to another connection or instance): acknowledged, handled once."""

        def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]  # as Bolt's own handler narrows it
            event_id = req.payload.get("event_id") if req.type == "events_api" else None
            if isinstance(event_id, str) and not deliveries.first(event_id):
                log.info(
                    "event %s delivered again (retry %s): already taken",
                    event_id[:40],
                    req.retry_attempt,
                )
                client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
                return
            super().handle(client, req)

    handler = Handler(app, settings.slack_app_token or "")
    _health_server(services, settings.port, handler.client.is_connected)
    log.info("Socket Mode: connecting to Slack (roadmap: %s)", services.snapshot().location)
    handler.connect()
    # Waited in short slices, not at once: the kernel may hand SIGTERM to any of the
    # process's threads, and then the Python handler only runs once the main thread wakes.
    # An untimed wait on a lock is never woken, and a deploy's stop hung (seen under load).
    while not stopping.wait(SIGNAL_CHECK_SECONDS):
        pass
    log.info("stopping: closing the Slack connection, then the tick applier")
    try:
        handler.close()
    finally:
        services.stop_background()
        end_all()  # a roadmap fetch still running in the background, say


def check_app_token(settings: Settings) -> None:
    """SettingsError (one line) when Slack rejects SLACK_APP_TOKEN: asked before anything
    starts, since the Socket Mode client would log its own error and raise a traceback.
    The socket URL this returns goes unused (it expires; the client asks for its own)."""
    from slack_sdk.errors import SlackApiError

    client = WebClient(base_url=settings.slack_api_url)
    try:
        client.apps_connections_open(app_token=settings.slack_app_token or "")
    except SlackApiError as err:
        reason = logs.redact(str(err.response.get("error") or err))
        raise SettingsError(
            f"setting SLACK_APP_TOKEN: Slack did not accept it ({reason}); it must be an "
            "app-level token (xapp-…) with the connections:write scope"
        ) from None


def _gunicorn(wsgi: Web, settings: Settings) -> None:
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self) -> None:
            options = {
                "bind": f"0.0.0.0:{settings.port}",
                "workers": settings.web_concurrency,
                "worker_class": "gthread",
                "threads": settings.web_threads,
                "accesslog": None,  # the app logs one line per request itself
                "loglevel": "warning",
                # SIGTERM: requests in flight finish, then worker_exit stops the tick
                # applier (bounded by STOP_SECONDS, git ended after it) before the master
                # would kill the worker.
                "graceful_timeout": GRACEFUL_SECONDS,
                "worker_exit": _worker_exit,
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Web:
            # In the worker, after the fork: the master's threads are gone and its pooled
            # database connections must not be shared, so start afresh here.
            engine(settings.database_url).dispose(close=False)
            wsgi.services.start_background()
            return wsgi

    def _worker_exit(_server: object, _worker: object) -> None:
        # In the worker, as it exits (SIGTERM from the master, or its own end): the tick
        # applier's thread would die with it, leaving its git running and ticks untold.
        wsgi.services.stop_background()
        end_all()  # a roadmap fetch still running in the background, say

    log.info(
        "HTTP: listening on port %s, POST /slack/events, POST /github/webhook, GET /healthz",
        settings.port,
    )
    Server().run()


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _health_server(services: Services, port: int, connected: Callable[[], bool]) -> None:
    """In Socket Mode there is no HTTP endpoint for Slack, but platforms still probe one
    (and GitHub's webhook still needs one)."""

    github = github_webhook(services)

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            return health(services, start_response, connected)
        if environ.get("PATH_INFO") == WEBHOOK_PATH:
            return github(environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"Not Found"]

    server = make_server("0.0.0.0", port, app, handler_class=_QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
