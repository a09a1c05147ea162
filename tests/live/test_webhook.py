"""POST /github/webhook: signed events wake the feed; forged ones get 401 and change nothing;
a redelivery does nothing new. Through real HTTP, against real pushes to a bare remote."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
import requests
from sqlalchemy import Engine, func, select

from bot.live.webhook import GitHubWebhook
from bot.store import db
from bot.store import live as store
from bot.store.schema import webhook_deliveries
from tests.fakes.slack import FakeSlack
from tests.slack.app_server import running, settings_for
from tests.support.git import Remote

from .conftest import FeedMaker, Pusher, posted_to

SECRET = "gh-webhook-secret"


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def sign(body: bytes, secret: str = SECRET) -> str:
    # Written out here, not taken from the code under test.
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def send(
    url: str,
    event: str,
    payload: dict[str, Any],
    *,
    secret: str | None = SECRET,
    delivery: str | None = None,
    signature: str | None = None,
) -> requests.Response:
    body = json.dumps(payload).encode()
    headers = {
        "Content-Type": "application/json",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
    }
    if signature is not None:
        headers["X-Hub-Signature-256"] = signature
    elif secret is not None:
        headers["X-Hub-Signature-256"] = sign(body, secret)
    return requests.post(url + "/github/webhook", data=body, headers=headers, timeout=10)


def until(condition: Callable[[], bool], what: str, timeout: float = 20) -> None:
    """Wait for something another thread does (not a timing assertion: only a bound)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


class Wakes:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


@pytest.fixture
def endpoint(engine: Engine) -> Iterator[tuple[str, Wakes]]:
    """The webhook alone, on real HTTP, counting the wakes it asks for."""
    wakes = Wakes()
    app = GitHubWebhook(SECRET, engine, "main", wakes)
    server = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", wakes
    finally:
        server.shutdown()
        server.server_close()


def deliveries(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(webhook_deliveries)).scalar() or 0)


PUSH = {"ref": "refs/heads/main", "after": "0" * 40}


def test_a_signed_push_wakes_the_feed(endpoint: tuple[str, Wakes], engine: Engine) -> None:
    url, wakes = endpoint
    r = send(url, "push", PUSH)
    assert r.status_code == 202 and r.json()["refresh"] is True
    assert wakes.count == 1 and deliveries(engine) == 1
    assert send(url, "pull_request", {"action": "closed"}).status_code == 202
    assert wakes.count == 2


@pytest.mark.parametrize(
    "signature",
    [
        None,  # missing
        "sha256=" + "0" * 64,
        "sha1=abc",
        "",
    ],
)
def test_a_forged_or_unsigned_event_gets_401_and_nothing_happens(
    endpoint: tuple[str, Wakes], engine: Engine, signature: str | None
) -> None:
    url, wakes = endpoint
    r = send(url, "push", PUSH, secret=None, signature=signature)
    assert r.status_code == 401
    assert wakes.count == 0 and deliveries(engine) == 0


def test_an_event_signed_with_another_secret_gets_401(
    endpoint: tuple[str, Wakes], engine: Engine
) -> None:
    url, wakes = endpoint
    assert send(url, "push", PUSH, secret="not-the-secret").status_code == 401
    assert wakes.count == 0 and deliveries(engine) == 0


def test_without_a_configured_secret_every_event_gets_401(engine: Engine) -> None:
    app = GitHubWebhook(None, engine, "main", Wakes())
    server = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        r = send(f"http://127.0.0.1:{server.server_port}", "push", PUSH)
        assert r.status_code == 401
        assert app.wake.count == 0  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()


def test_a_redelivery_does_nothing_new(endpoint: tuple[str, Wakes], engine: Engine) -> None:
    url, wakes = endpoint
    assert send(url, "push", PUSH, delivery="d-1").status_code == 202
    again = send(url, "push", PUSH, delivery="d-1")
    assert again.status_code == 200 and again.json()["redelivery"] is True
    assert wakes.count == 1 and deliveries(engine) == 1


def test_a_push_to_another_branch_and_a_ping_are_ignored(
    endpoint: tuple[str, Wakes], engine: Engine
) -> None:
    url, wakes = endpoint
    assert send(url, "push", {"ref": "refs/heads/feature"}).status_code == 200
    assert send(url, "ping", {"zen": "Keep it logically awesome."}).status_code == 200
    assert wakes.count == 0


def test_the_poller_picks_up_a_push_without_any_webhook(
    engine: Engine, make_feed: FeedMaker, slack: FakeSlack, pusher: Pusher
) -> None:
    store.subscribe(engine, "C1", store.CHANGES, [], None, datetime_now())
    feed = make_feed(engine, poll_seconds=0.2)
    feed.start()
    try:
        until(lambda: store.cursor(engine, feed.key) is not None, "the first check")
        pusher.tick("Ingestion", "Docs")
        pusher.push()
        slack.wait_for("chat.postMessage", timeout=20)
        assert "Ingestion" in str(posted_to(slack, "C1")[0]["text"]) + str(
            posted_to(slack, "C1")[0]["blocks"]
        )
    finally:
        feed.stop()


def test_a_push_reaches_the_channel_through_the_served_webhook(
    tmp_path: Path, remote: Remote, pusher: Pusher, slack: FakeSlack
) -> None:
    settings = settings_for(
        slack.url,
        roadmap_repo=str(remote.bare),
        roadmap_path="docs/roadmap.md",
        github_webhook_secret=SECRET,
        live_poll_seconds=3600,  # only the webhook can make the feed look again in time
    )
    engine = db.engine(settings.database_url)
    store.subscribe(engine, "C1", store.CHANGES, [], None, datetime_now())
    with running(settings) as app:
        feed = app.services.live
        assert feed is not None
        until(lambda: store.cursor(engine, feed.key) is not None, "the first check")
        pusher.tick("Publish", "Docs", author="Bo Tiller")
        pusher.push()
        assert send(app.url, "push", PUSH, secret="forged").status_code == 401
        r = send(app.url, "push", PUSH)
        assert r.status_code == 202
        slack.wait_for("chat.postMessage", timeout=20)
        [message] = posted_to(slack, "C1")
        assert "*Publish* · Docs ticked by Bo Tiller" in str(message["blocks"])
        # The roadmap answers come from the new commit too.
        until(lambda: app.services.snapshot().commit == remote.log()[0], "the refresh")


def datetime_now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


def test_delivery_ids_are_forgotten_after_thirty_days(engine: Engine) -> None:
    from datetime import UTC, datetime, timedelta

    then = datetime(2026, 1, 1, tzinfo=UTC)
    assert store.first_delivery(engine, "d-1", "push", then)
    assert not store.first_delivery(engine, "d-1", "push", then + timedelta(days=29))
    assert store.first_delivery(engine, "d-2", "push", then + timedelta(days=31))
    assert deliveries(engine) == 1  # d-1 went when d-2 came
