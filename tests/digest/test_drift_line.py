"""The digest's docs drift line: there when the docs and the roadmap disagree, with the change
since period start; read from the repo's git tree at both ends of the period."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.digest.blocks import to_blocks
from bot.digest.build import build_digest
from bot.digest.compose import DriftCounts, compose, drift_line
from bot.digest.text import to_text
from bot.repo.source import GitSource, source_from_settings
from tests.docs.sites import drifted_site, page
from tests.slack.helpers import all_text, assert_message
from tests.support.git import make_remote
from tests.support.settings import digest_settings

from .conftest import dt, roadmap

ROADMAP = "docs/engineering/roadmap.md"


def test_the_line_says_counts_and_the_change() -> None:
    assert drift_line(None) is None
    assert drift_line(DriftCounts(0, 0, 3, before=2)) is None  # info alone is no work
    assert drift_line(DriftCounts(1, 0)) == "Docs drift: 1 error"
    assert (
        drift_line(DriftCounts(2, 5, 1, before=9))
        == "Docs drift: 2 errors, 5 warnings (2 fewer than at the start of the period)"
    )
    assert drift_line(DriftCounts(0, 1, before=0)) == (
        "Docs drift: 1 warning (1 more than at the start of the period)"
    )
    assert "as many as" in (drift_line(DriftCounts(1, 1, before=2)) or "")


def test_the_digest_shows_the_line_only_when_there_is_drift() -> None:
    start, end = dt("2024-05-06T09:00:00+02:00"), dt("2024-05-13T09:00:00+02:00")
    clean = compose(roadmap({}), None, [], [], start, end, drift=DriftCounts(0, 0, 2))
    drifted = compose(roadmap({}), None, [], [], start, end, drift=DriftCounts(3, 4, before=5))
    assert "Docs drift" not in all_text(to_blocks(clean)) and "Docs drift" not in to_text(clean)
    message = to_blocks(drifted)
    assert_message(message)
    line = "Docs drift: 3 errors, 4 warnings (2 more than at the start of the period)"
    assert f"📚 *{line}*. `/roadmap drift` lists them." in all_text(message)
    assert f"{line}. `roadmap-bot drift` lists them." in to_text(drifted)


def test_build_reads_drift_at_both_ends_of_the_period(tmp_path: Path) -> None:
    files = drifted_site()
    remote = make_remote(tmp_path, files[ROADMAP])
    remote.commit({k: v.encode() for k, v in files.items()}, "site", "2024-05-08T10:00:00+02:00")
    fix = {"docs/modules/host/policy-engine/runbook.md": page("Runbook").encode()}
    remote.commit(fix, "write the runbook", "2024-05-15T10:00:00+02:00")
    settings = digest_settings(tmp_path, roadmap_repo=str(remote.bare), roadmap_path=ROADMAP)
    source = source_from_settings(settings)
    assert isinstance(source, GitSource)
    now = dt("2024-05-20T09:00:00+02:00")
    built = build_digest(settings, source, None, timedelta(days=7), now)
    assert built.digest.drift == DriftCounts(3, 17, 3, before=21)
    assert "Docs drift: 3 errors, 17 warnings (1 fewer than" in all_text(built.message)


def test_no_line_for_a_repo_without_a_docs_site(tmp_path: Path) -> None:
    remote = make_remote(tmp_path, drifted_site()[ROADMAP])
    settings = digest_settings(tmp_path, roadmap_repo=str(remote.bare))
    source = source_from_settings(settings)
    built = build_digest(settings, source, None, timedelta(days=7), dt("2024-05-20T09:00:00+02:00"))
    assert built.digest.drift is None and "Docs drift" not in all_text(built.message)
