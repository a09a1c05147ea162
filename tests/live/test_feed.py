"""The change feed against real pushes to a bare remote, the fake Slack and a real store."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from bot.blockkit.limits import check_message
from bot.store import live as store
from tests.fakes.slack import FakeSlack
from tests.support.git import git
from tests.support.roadmaps import roadmap_text
from tests.support.settings import postgres_or_skip

from .conftest import HOST_CELLS, HOST_LAST, URL, FeedMaker, Pusher, posted_to

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def follow(engine: Engine, channel: str, *groups: tuple[str, str]) -> None:
    store.subscribe(engine, channel, store.CHANGES, list(groups), "U0001", NOW)


def text_of(params: dict[str, object]) -> str:
    return str(params["text"]) + str(params["blocks"])


def test_the_first_check_notes_the_tip_and_announces_nothing(
    engine: Engine, make_feed: FeedMaker, slack: FakeSlack, pusher: Pusher
) -> None:
    follow(engine, "C1")
    result = make_feed(engine).check()
    assert result.old is None and result.queued == 0
    assert posted_to(slack, "C1") == []
    assert store.cursor(engine, make_feed(engine).key) == result.tip


def test_several_commits_in_one_push_make_one_message_with_who_and_commit_links(
    engine: Engine, make_feed: FeedMaker, slack: FakeSlack, pusher: Pusher
) -> None:
    follow(engine, "C1")
    feed = make_feed(engine)
    feed.check()
    first = pusher.tick("Ingestion", "Docs", author="Ada Lovelace")
    second = pusher.tick("Publish", "Tests", author="Bo Tiller")
    third = pusher.tick("Publish", "API", author="Cy Merger", done=False)
    pusher.push()
    result = feed.check()
    assert result.changes == 3 and result.posted == 1
    [message] = posted_to(slack, "C1")
    body = text_of(message)
    assert "2 ticks, 1 untick" in str(message["text"])
    assert "*Ingestion* · Docs ticked by Ada Lovelace" in body
    assert f"<{URL}{first}|{first[:7]}>" in body
    assert f"<{URL}{second}|{second[:7]}>" in body and "Bo Tiller" in body
    assert "*Publish* · API unticked by Cy Merger" in body and third[:7] in body
    assert check_message(message["blocks"]) == []  # type: ignore[arg-type]
    # Nothing new: nothing more.
    assert feed.check().posted == 0
    assert len(posted_to(slack, "C1")) == 1


def test_a_group_filter_limits_the_feed_and_a_push_outside_it_is_quiet(
    engine: Engine, make_feed: FeedMaker, slack: FakeSlack, pusher: Pusher
) -> None:
    follow(engine, "CHOST", ("host modules", "Host Modules"))
    follow(engine, "CALL")
    feed = make_feed(engine)
    feed.check()
    pusher.tick("Ingestion", "Docs")
    pusher.push()
    feed.check()
    assert posted_to(slack, "CHOST") == []
    assert len(posted_to(slack, "CALL")) == 1
    pusher.tick("Policy Engine", "API")
    pusher.tick("Ingestion", "API")
    pusher.push()
    feed.check()
    [host] = posted_to(slack, "CHOST")
    assert "Policy Engine" in text_of(host) and "Ingestion" not in text_of(host)
    assert "groups: Host Modules" in text_of(host)


def test_a_push_that_touches_no_cell_is_quiet(
    engine: Engine, make_feed: FeedMaker, slack: FakeSlack, pusher: Pusher
) -> None:
    follow(engine, "C1")
    feed = make_feed(engine)
    feed.check()
    pusher.commit(pusher.text.replace("## Checklists", "## Checklists\n\nSome prose."), "prose")
    pusher.push()
    result = feed.check()
    assert result.old != result.tip and result.queued == 0
    assert posted_to(slack, "C1") == []


def test_finishing_a_group_unblocks_the_next_and_lists_what_can_start(
    engine: Engine, make_feed: FeedMaker, slack: FakeSlack, pusher: Pusher
) -> None:
    follow(engine, "C1")
    feed = make_feed(engine)
    feed.check()
    for module, column in HOST_CELLS:
        pusher.tick(module, column)
    pusher.push()
    feed.check()
    assert "unblocked" not in text_of(posted_to(slack, "C1")[0])
    pusher.tick(*HOST_LAST)
    pusher.push()
    feed.check()
    second = text_of(posted_to(slack, "C1")[1])
    assert "*Compute Modules* is now unblocked: Ingestion, Publish can start." in second


def test_a_burst_of_fifty_ticks_is_one_message_within_block_kit_limits(
    tmp_path: Path, engine: Engine, make_feed: FeedMaker, slack: FakeSlack, pusher: Pusher
) -> None:
    # One cell each: a module's cells ticked together make one line ("Docs, API ticked").
    modules = [f"Module {i:02d}" for i in range(50)]
    columns = ["Docs"]
    pusher.commit(roadmap_text([("Bulk Modules", modules)], columns), "a bigger roadmap")
    pusher.push()
    follow(engine, "C1")
    feed = make_feed(engine)
    feed.check()
    done = {(m, c): "x" for m in modules for c in columns}
    pusher.commit(roadmap_text([("Bulk Modules", modules)], columns, done), "tick them all")
    pusher.push()
    assert feed.check().changes == 50
    [message] = posted_to(slack, "C1")
    assert "50 ticks" in str(message["text"])
    assert "…and 20 more" in text_of(message)
    assert check_message(message["blocks"]) == []  # type: ignore[arg-type]


def test_a_force_push_announces_only_what_is_new(
    engine: Engine, make_feed: FeedMaker, slack: FakeSlack, pusher: Pusher
) -> None:
    follow(engine, "C1")
    feed = make_feed(engine)
    feed.check()
    pusher.tick("Ingestion", "Docs")
    pusher.push()
    feed.check()
    # History rewritten: the announced tick is amended into a new commit, one more added.
    git(pusher.remote.work, "commit", "-q", "--amend", "-m", "tick Ingestion, reworded")
    pusher.tick("Publish", "Docs", author="Bo Tiller")
    pusher.push(force=True)
    result = feed.check()
    assert result.changes == 1
    second = text_of(posted_to(slack, "C1")[1])
    assert "*Publish* · Docs ticked by Bo Tiller" in second
    assert "Ingestion" not in second


def test_a_restarted_feed_does_not_announce_again_and_retries_what_failed(
    engine: Engine, make_feed: FeedMaker, slack: FakeSlack, pusher: Pusher
) -> None:
    follow(engine, "C1")
    make_feed(engine).check()
    pusher.tick("Ingestion", "Docs")
    pusher.push()
    slack.fail_next("chat.postMessage", error="internal_error")
    first = make_feed(engine).check()
    assert first.queued == 1 and first.posted == 0
    # A new process (same store, its own mirror): posts the queued message, computes nothing.
    restarted = make_feed(engine)
    assert restarted.deliver() == 0  # a failed row waits a little before its next try
    rows = store.outbox(engine)
    assert [r.state for r in rows] == [store.FAILED]
    later = make_feed(engine, now=lambda: datetime.now(UTC).replace(year=2100))
    assert later.check().posted == 1
    assert [c.params["channel"] for c in slack.calls_to("chat.postMessage")].count("C1") == 2
    assert [r.state for r in store.outbox(engine)] == [store.POSTED]
    assert make_feed(engine).check().posted == 0


def test_two_instances_on_postgresql_announce_a_push_once(
    make_feed: FeedMaker, slack: FakeSlack, pusher: Pusher
) -> None:
    from bot.store import db

    engine = db.engine(postgres_or_skip())
    channel = f"CPG{threading.get_ident() % 100000}{id(pusher) % 1000}"
    follow(engine, channel)
    try:
        one, two = make_feed(engine), make_feed(engine)
        one.check()
        for module, column in HOST_CELLS:
            pusher.tick(module, column)
            pusher.push()
            barrier = threading.Barrier(2)

            def run(feed: object, barrier: threading.Barrier) -> None:
                barrier.wait()
                feed.check()  # type: ignore[attr-defined]

            threads = [threading.Thread(target=run, args=(f, barrier)) for f in (one, two)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        assert len(posted_to(slack, channel)) == len(HOST_CELLS)
        assert one.check().posted == two.check().posted == 0
    finally:
        store.unsubscribe(engine, channel, store.CHANGES, [])


def test_an_instance_behind_another_fetches_again_instead_of_announcing_backwards(
    engine: Engine, make_feed: FeedMaker, slack: FakeSlack, pusher: Pusher
) -> None:
    follow(engine, "C1")
    behind, ahead = make_feed(engine), make_feed(engine)
    behind.check()
    ahead.check()
    pusher.tick("Ingestion", "Docs")
    pusher.push()
    announced = ahead.check()
    assert announced.posted == 1
    # `behind` fetched before the push (its mirror still ends at the old tip): the cursor
    # names a commit it has not got, so it fetches again rather than take the cursor back.
    result = behind.check(fetch=False)
    assert result.tip == announced.tip and result.queued == 0
    assert store.cursor(engine, behind.key) == announced.tip
    assert len(posted_to(slack, "C1")) == 1
