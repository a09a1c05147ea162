"""Watches: DMs to watchers through the fake Web API, once per transition."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine

from bot.roadmap.model import normalize
from bot.store import live as store
from tests.fakes.slack import FakeSlack

from .conftest import HOST_CELLS, HOST_LAST, FeedMaker, Pusher, posted_to

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
COMPUTE = f"group:{normalize('Compute Modules')}"
HOST = f"group:{normalize('Host Modules')}"
INGESTION = f"module:{normalize('Compute Modules')}/{normalize('Ingestion')}"


def test_watchers_get_a_dm_when_unblocked_half_way_and_done_once_each(
    engine: Engine, make_feed: FeedMaker, slack: FakeSlack, pusher: Pusher
) -> None:
    store.watch(engine, "U0001", COMPUTE, "Compute Modules", NOW)
    store.watch(engine, "U0001", INGESTION, "Compute Modules/Ingestion", NOW)
    store.watch(engine, "U0002", HOST, "Host Modules", NOW)
    feed = make_feed(engine)
    feed.check()
    for module, column in HOST_CELLS[:2]:
        pusher.tick(module, column)
    pusher.push()
    feed.check()
    [half] = posted_to(slack, "DU0002")
    assert "Host Modules* is half way" in str(half["blocks"])
    assert posted_to(slack, "DU0001") == []
    pusher.tick(*HOST_CELLS[2])
    pusher.push()
    feed.check()
    assert len(posted_to(slack, "DU0002")) == 1  # still past 50%: no second "half way"
    pusher.tick(*HOST_LAST)
    pusher.push()
    feed.check()
    assert "Host Modules* is done" in str(posted_to(slack, "DU0002")[1]["blocks"])
    dms = [str(m["blocks"]) for m in posted_to(slack, "DU0001")]
    assert len(dms) == 2
    assert any("group *Compute Modules* is now unblocked" in d for d in dms)
    assert any("module *Ingestion* is now unblocked" in d for d in dms)
    opened = [c.params["users"] for c in slack.calls_to("conversations.open")]
    assert sorted(opened) == ["U0001", "U0001", "U0002", "U0002"]
    # Nothing new, and another instance on the same store: no DM again.
    assert feed.check().posted == 0
    assert make_feed(engine).check().posted == 0
    assert len(slack.calls_to("chat.postMessage")) == 4


def test_an_unwatched_target_sends_nothing(
    engine: Engine, make_feed: FeedMaker, slack: FakeSlack, pusher: Pusher
) -> None:
    store.watch(engine, "U0002", HOST, "Host Modules", NOW)
    assert store.unwatch(engine, "U0002", HOST)
    feed = make_feed(engine)
    feed.check()
    for module, column in [*HOST_CELLS, HOST_LAST]:
        pusher.tick(module, column)
    pusher.push()
    feed.check()
    assert slack.calls_to("chat.postMessage") == []
