"""The weekly digest narrowed to a channel's groups (`/roadmap subscribe digest <group …>`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from slack_sdk import WebClient

from bot.blockkit.limits import check_message
from bot.digest.blocks import to_blocks
from bot.digest.compose import for_groups
from bot.digest.deliver import deliver
from bot.repo.source import BundledSource
from bot.store import db
from bot.store import live as store
from tests.digest.test_compose import digest
from tests.fakes.slack import FakeSlack
from tests.support.settings import digest_settings

from .conftest import posted_to


def test_a_digest_for_one_group_keeps_its_changes_progress_and_unblocks_only() -> None:
    whole = digest()
    narrowed = for_groups(whole, ["Build Modules"])
    assert [g.name for g in narrowed.groups] == ["Build Modules"]
    assert {c.module for c in narrowed.changes} == {"Compiler"}
    assert (narrowed.done, narrowed.total) == (1, 4)
    assert [m.name for m in narrowed.newly_unblocked] == [m.name for m in whole.newly_unblocked]
    assert all(m.group == "Build Modules" for m in narrowed.next)
    assert narrowed.notes[-1] == "This channel follows Build Modules only."
    message = to_blocks(narrowed)
    assert check_message(message.blocks) == []
    assert "Login" not in str(message.blocks) and "Compiler" in str(message.blocks)


def test_each_channel_gets_the_digest_for_its_groups(tmp_path: Path) -> None:
    settings = digest_settings(tmp_path)
    engine = db.engine(settings.database_url)
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    store.subscribe(
        engine, "CCOMP", store.DIGEST, [("compute modules", "Compute Modules")], None, now
    )
    with FakeSlack() as slack:
        client = WebClient(token="xoxb-test", base_url=slack.url)
        outcomes = deliver(
            settings,
            BundledSource(),
            client,
            engine,
            ["CALL", "CCOMP"],
            "2026-12-01",
            timedelta(days=7),
            now,
            sleep=lambda _s: None,
        )
        assert [o.status for o in outcomes] == ["posted", "posted"]
        [whole] = posted_to(slack, "CALL")
        [compute] = posted_to(slack, "CCOMP")
    assert "Host Modules" in str(whole["blocks"]) and "Compute Modules" in str(whole["blocks"])
    assert "Compute Modules" in str(compute["blocks"])
    assert "*Host Modules*" not in str(compute["blocks"])
    assert "follows Compute Modules only" in str(compute["blocks"])
