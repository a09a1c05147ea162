"""Posting against the fake Slack Web API: blocks, the PNG in the thread, exactly once."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine, delete

from bot.blockkit.kit import Message
from bot.blockkit.limits import check_message
from bot.digest import deliver
from bot.digest.blocks import to_blocks
from bot.digest.chart import burnup_png
from bot.digest.compose import compose
from bot.digest.deliver import post_digest
from bot.store import db
from bot.store import digest as store
from tests.fakes.slack import FakeSlack
from tests.support.settings import postgres_or_skip

from .conftest import dt, roadmap, second_engine
from .test_chart import assert_png
from .test_compose import BEFORE, END, NOW, OLD, START, WEEK

KEY = "2024-05-13T09:00+02:00"


@pytest.fixture(scope="module")
def message() -> Message:
    return to_blocks(compose(roadmap(NOW), roadmap(BEFORE), WEEK, OLD + WEEK, START, END))


@pytest.fixture(scope="module")
def png() -> bytes:
    return burnup_png(OLD + WEEK, roadmap(NOW), START, END)


@pytest.fixture
def engine(database_url: str, channel: str) -> Engine:
    eng = db.engine(database_url)
    yield eng  # type: ignore[misc]
    with eng.begin() as conn:
        conn.execute(delete(store.deliveries).where(store.deliveries.c.channel == channel))


def client(slack: FakeSlack) -> WebClient:
    return WebClient(token="xoxb-test", base_url=slack.url)


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def test_posts_blocks_and_uploads_the_chart_in_the_thread(
    slack: FakeSlack, engine: Engine, channel: str, message: Message, png: bytes
) -> None:
    out = post_digest(client(slack), engine, channel, message, png, KEY)
    assert out.status == "posted" and out.ok
    (call,) = slack.calls_to("chat.postMessage")
    assert call.params["channel"] == channel
    assert call.params["blocks"] == message.blocks
    assert check_message(call.params["blocks"]) == []
    assert call.params["text"] == message.text
    (file,) = slack.uploaded_files()
    assert file.content == png
    assert_png(file.content)
    assert (file.channel_id, file.thread_ts) == (channel, out.ts)
    assert file.filename.endswith(".png") and file.alt_txt
    found = store.delivery(engine, channel, KEY)
    assert found is not None
    assert (found.state, found.message_ts, found.file_id) == ("posted", out.ts, file.id)


def test_twice_posts_once(
    slack: FakeSlack, engine: Engine, channel: str, message: Message, png: bytes
) -> None:
    first = post_digest(client(slack), engine, channel, message, png, KEY)
    second = post_digest(client(slack), engine, channel, message, png, KEY)
    assert (first.status, second.status) == ("posted", "already_posted")
    assert second.ts == first.ts
    assert len(slack.calls_to("chat.postMessage")) == 1
    assert len(slack.uploaded_files()) == 1
    # Another period is another digest.
    post_digest(client(slack), engine, channel, message, png, "next week")
    assert len(slack.calls_to("chat.postMessage")) == 2


def test_two_threads_post_once(
    slack: FakeSlack, engine: Engine, channel: str, message: Message, png: bytes
) -> None:
    barrier = threading.Barrier(6)
    outcomes: list[str] = []

    def run() -> None:
        barrier.wait()
        outcomes.append(post_digest(client(slack), engine, channel, message, png, KEY).status)

    threads = [threading.Thread(target=run) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes).count("posted") == 1
    assert len(slack.calls_to("chat.postMessage")) == 1
    assert len(slack.uploaded_files()) == 1


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_instances_post_once(
    backend: str, tmp_path: Path, slack: FakeSlack, channel: str, message: Message, png: bytes
) -> None:
    url = f"sqlite:///{tmp_path}/shared.db" if backend == "sqlite" else postgres_or_skip()
    engines = [db.engine(url), second_engine(url)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def instance(eng: Engine) -> None:
        barrier.wait()
        outcomes.append(post_digest(client(slack), eng, channel, message, png, KEY).status)

    threads = [threading.Thread(target=instance, args=(e,)) for e in engines]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert sorted(outcomes)[-1] == "posted" and outcomes.count("posted") == 1
        assert len(slack.calls_to("chat.postMessage")) == 1
        assert len(slack.uploaded_files()) == 1
    finally:
        with engines[0].begin() as conn:
            conn.execute(delete(store.deliveries).where(store.deliveries.c.channel == channel))
        engines[1].dispose()


def test_a_transient_failure_is_retried(
    slack: FakeSlack, engine: Engine, channel: str, message: Message, png: bytes
) -> None:
    slack.fail_next("chat.postMessage", "internal_error", status=500)
    slack.fail_next("files.completeUploadExternal", "service_unavailable")
    sleeps = Sleeps()
    out = post_digest(client(slack), engine, channel, message, png, KEY, sleep=sleeps)
    assert out.status == "posted" and out.attempts == 3
    assert sleeps == [2.0, 4.0]  # doubling backoff
    # The message went out once; the second try only retried the upload.
    assert len([c for c in slack.calls_to("chat.postMessage") if c.status == 200]) == 1
    assert len(slack.uploaded_files()) == 1


def test_retry_after_is_honoured(
    slack: FakeSlack, engine: Engine, channel: str, message: Message, png: bytes
) -> None:
    slack.fail_next("chat.postMessage", "ratelimited", status=429, retry_after=7)
    sleeps = Sleeps()
    out = post_digest(client(slack), engine, channel, message, png, KEY, sleep=sleeps)
    assert out.status == "posted"
    assert sleeps == [7.0]


def test_a_failure_that_lasts_is_reported_and_marked_then_retried_later(
    slack: FakeSlack,
    engine: Engine,
    channel: str,
    message: Message,
    png: bytes,
    caplog: pytest.LogCaptureFixture,
) -> None:
    slack.fail_next("chat.postMessage", "internal_error", times=10)
    sleeps = Sleeps()
    with caplog.at_level(logging.ERROR, logger="bot.digest.deliver"):
        out = post_digest(client(slack), engine, channel, message, png, KEY, sleep=sleeps)
    assert out.status == "failed" and not out.ok
    assert out.attempts == deliver.TRIES and len(sleeps) == deliver.TRIES - 1
    assert "internal_error" in (out.error or "")
    assert "NOT posted" in str(out)
    assert any("NOT posted" in r.getMessage() and channel in r.getMessage() for r in caplog.records)
    found = store.delivery(engine, channel, KEY)
    assert found is not None and found.state == "failed" and "internal_error" in (found.error or "")
    assert slack.uploaded_files() == []
    # Slack is back: the next run (the CLI, the next instance) takes the failed marker.
    slack.clear()
    again = post_digest(client(slack), engine, channel, message, png, KEY, sleep=sleeps)
    assert again.status == "posted"
    assert len(slack.calls_to("chat.postMessage")) == 1


def test_a_permanent_error_is_not_retried(
    slack: FakeSlack, engine: Engine, message: Message, png: bytes
) -> None:
    nowhere = "CNOWHERE" + engine.url.get_backend_name().upper()
    sleeps = Sleeps()
    slack.fail_next("chat.postMessage", "not_in_channel")
    try:
        out = post_digest(client(slack), engine, nowhere, message, png, KEY, sleep=sleeps)
        assert out.status == "failed" and out.attempts == 1 and sleeps == []
        assert "not_in_channel" in (out.error or "")
    finally:
        with engine.begin() as conn:
            conn.execute(delete(store.deliveries).where(store.deliveries.c.channel == nowhere))


def test_a_failed_upload_never_posts_the_message_twice(
    slack: FakeSlack, engine: Engine, channel: str, message: Message, png: bytes
) -> None:
    slack.fail_next("upload", "internal_error", status=500, times=10)
    out = post_digest(client(slack), engine, channel, message, png, KEY, sleep=Sleeps())
    assert out.status == "failed" and out.ts is not None
    assert "only the chart is missing" in (out.error or "")
    slack.clear()
    again = post_digest(client(slack), engine, channel, message, png, KEY, sleep=Sleeps())
    assert again.status == "posted" and again.ts == out.ts
    assert slack.calls_to("chat.postMessage") == []  # the retry only uploaded
    (file,) = slack.uploaded_files()
    assert file.thread_ts == out.ts


def test_an_abandoned_post_is_finished_by_the_next_run(
    slack: FakeSlack, engine: Engine, channel: str, message: Message, png: bytes
) -> None:
    crashed = store.take(engine, channel, KEY, dt("2024-05-13T09:00:00+02:00"))

    def at(hhmm: str) -> Callable[[], datetime]:
        return lambda: dt(f"2024-05-13T{hhmm}:00+02:00")

    assert crashed is not None
    # Within the lease nobody else posts; after it, the next run does, once.
    soon = post_digest(client(slack), engine, channel, message, png, KEY, now=at("09:05"))
    assert soon.status == "in_progress"
    later = post_digest(client(slack), engine, channel, message, png, KEY, now=at("09:15"))
    assert later.status == "posted"
    assert len(slack.calls_to("chat.postMessage")) == 1
