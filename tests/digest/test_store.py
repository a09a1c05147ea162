"""Subscriptions and delivery markers on SQLite and PostgreSQL: one taker, always."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete

from bot.store import db
from bot.store import digest as store
from tests.support.settings import postgres_or_skip

from .conftest import dt, second_engine

NOW = dt("2024-05-13T09:00:00+02:00")
KEY = "2024-05-13T09:00+02:00"


@pytest.fixture
def engine(database_url: str, channel: str) -> Engine:
    eng = db.engine(database_url)
    yield eng  # type: ignore[misc]
    with eng.begin() as conn:  # the PostgreSQL database is shared: leave nothing behind
        conn.execute(delete(store.deliveries).where(store.deliveries.c.channel == channel))
        conn.execute(delete(store.subscriptions).where(store.subscriptions.c.channel == channel))


def test_subscribe_and_unsubscribe(engine: Engine, channel: str) -> None:
    assert store.subscribe(engine, channel, "U0001", NOW)
    assert not store.subscribe(engine, channel, "U0002", NOW)  # once is enough
    assert store.is_subscribed(engine, channel)
    found = [s for s in store.subscribed(engine) if s.channel == channel]
    assert [(s.added_by, s.added_at) for s in found] == [("U0001", NOW)]
    assert store.unsubscribe(engine, channel)
    assert not store.unsubscribe(engine, channel)
    assert not store.is_subscribed(engine, channel)


def test_take_once_then_posted(engine: Engine, channel: str) -> None:
    claim = store.take(engine, channel, KEY, NOW)
    assert claim is not None and claim.attempts == 1
    assert store.take(engine, channel, KEY, NOW) is None  # being posted
    assert store.record_message(engine, claim, "111.222", NOW)
    assert store.mark_posted(engine, claim, NOW, "111.222", "F1")
    assert store.take(engine, channel, KEY, NOW + timedelta(days=30)) is None  # posted: never
    found = store.delivery(engine, channel, KEY)
    assert found is not None
    assert (found.state, found.message_ts, found.file_id) == ("posted", "111.222", "F1")
    assert store.posted(engine, channel, KEY)
    assert store.take(engine, channel, "another period", NOW) is not None


def test_a_failed_marker_is_taken_again_with_what_was_done(engine: Engine, channel: str) -> None:
    claim = store.take(engine, channel, KEY, NOW)
    assert claim is not None
    store.record_message(engine, claim, "111.222", NOW)
    assert store.mark_failed(engine, claim, "chart upload: internal_error", NOW)
    found = store.delivery(engine, channel, KEY)
    assert found is not None and found.state == "failed" and "internal_error" in (found.error or "")
    again = store.take(engine, channel, KEY, NOW + timedelta(minutes=1))
    assert again is not None
    assert again.attempts == 2 and again.message_ts == "111.222"  # the retry only uploads
    after = store.delivery(engine, channel, KEY)
    assert after is not None and after.state == "posting" and after.error is None


def test_an_abandoned_marker_is_taken_over_after_the_lease(engine: Engine, channel: str) -> None:
    crashed = store.take(engine, channel, KEY, NOW)
    assert crashed is not None
    lease = timedelta(minutes=10)
    assert store.take(engine, channel, KEY, NOW + lease - timedelta(seconds=1), lease) is None
    taker = store.take(engine, channel, KEY, NOW + lease + timedelta(seconds=1), lease)
    assert taker is not None and taker.attempts == 2
    # The first taker woke up: every write it tries is refused; the new one's go through.
    later = NOW + timedelta(minutes=11)
    assert not store.renew(engine, crashed, later)
    assert not store.record_message(engine, crashed, "1.1", later)
    assert not store.mark_posted(engine, crashed, later, "1.1", None)
    assert not store.mark_failed(engine, crashed, "late", later)
    assert store.renew(engine, taker, later)
    assert store.mark_posted(engine, taker, later, "2.2", None)
    found = store.delivery(engine, channel, KEY)
    assert found is not None and found.message_ts == "2.2"


def race(n: int, take: Callable[[int], object]) -> list[object]:
    """`take(i)` from n threads released together; what each got."""
    barrier = threading.Barrier(n)
    got: list[object] = [None] * n

    def one(i: int) -> None:
        barrier.wait()
        got[i] = take(i)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return got


def test_one_taker_among_threads(engine: Engine, channel: str) -> None:
    got = race(12, lambda _i: store.take(engine, channel, KEY, NOW))
    assert sum(g is not None for g in got) == 1


def test_one_taker_among_engines_on_one_sqlite_file(tmp_path: Path, channel: str) -> None:
    url = f"sqlite:///{tmp_path}/shared.db"
    engines = [db.engine(url), *(second_engine(url) for _ in range(3))]
    got = race(12, lambda i: store.take(engines[i % 4], channel, KEY, NOW))
    assert sum(g is not None for g in got) == 1


def test_one_taker_among_engines_on_postgresql(channel: str) -> None:
    url = postgres_or_skip()
    engines = [db.engine(url), *(second_engine(url) for _ in range(3))]
    try:
        got = race(12, lambda i: store.take(engines[i % 4], channel, KEY, NOW))
        assert sum(g is not None for g in got) == 1
        claim = next(g for g in got if g is not None)
        store.mark_failed(engines[0], claim, "boom", NOW)  # type: ignore[arg-type]
        # A failed marker: again exactly one of the racers gets it.
        got = race(12, lambda i: store.take(engines[i % 4], channel, KEY, NOW))
        assert sum(g is not None for g in got) == 1
    finally:
        with engines[0].begin() as conn:
            conn.execute(delete(store.deliveries).where(store.deliveries.c.channel == channel))
        for e in engines[1:]:
            e.dispose()


def test_a_failed_marker_keeps_the_posted_message(engine: Engine, channel: str) -> None:
    claim = store.take(engine, channel, KEY, NOW)
    assert claim is not None
    # The ts could not be recorded on its own (the database hiccuped): the failure keeps it.
    assert store.mark_failed(engine, claim, "database hiccup", NOW, ts="333.444")
    again = store.take(engine, channel, KEY, NOW)
    assert again is not None and again.message_ts == "333.444"
