"""The weekly digest narrowed to a channel's groups (`/roadmap subscribe digest <group …>`):
a whole digest for those groups, its chart included."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

from slack_sdk import WebClient

from bot.blockkit.limits import check_message
from bot.digest.blocks import WAITING, forecast_line, forecast_whole, to_blocks
from bot.digest.build import Built, build_digest, chart_title
from bot.digest.chart import burnup_png
from bot.digest.compose import compose
from bot.digest.deliver import deliver
from bot.digest.text import to_text
from bot.repo.source import BundledSource
from bot.roadmap.model import Roadmap
from bot.roadmap.parse import parse
from bot.store import db
from bot.store import live as store
from tests.digest.conftest import (
    COLUMNS,
    GROUPS,
    ORDER,
    PERIOD_END,
    PERIOD_START,
    Repo,
    history_repo,
    roadmap,
)
from tests.digest.test_build import git_source
from tests.digest.test_chart import assert_png
from tests.digest.test_compose import BEFORE, OLD, START, digest
from tests.fakes.slack import FakeSlack
from tests.support.roadmaps import roadmap_text
from tests.support.settings import digest_settings

from .conftest import posted_to

BUILD = "Build Modules"
ACCESS = "Access Modules"
# After the spring of tests/digest/conftest.py: on Sunday 12 May one module is added to each
# group, so a filtered digest has modules added in and outside its groups.
GROWN = [
    (ACCESS, ["Login", "Roles", "Audit"]),
    (BUILD, ["Compiler", "Linker", "Assembler"]),
]
STATES = {
    ("Login", "Doc"): "x",
    ("Login", "API"): "x",
    ("Roles", "Doc"): "x",
    ("Roles", "API"): "x",
    ("Compiler", "Doc"): "x",
    ("Assembler", "Doc"): "x",
}


def grown_repo(path: Path) -> Repo:
    repo = history_repo(path)
    text = roadmap_text(GROWN, COLUMNS, STATES, ORDER, title="Team roadmap")
    repo.commit(text, "Audit and Assembler", "2024-05-12T10:00:00+02:00", "cy")
    return repo


def built_for(repo: Repo, tmp_path: Path) -> Built:
    settings, source = git_source(repo, tmp_path)
    return build_digest(settings, source, None, PERIOD_END - PERIOD_START, PERIOD_END)  # type: ignore[arg-type]


def file_at(repo: Repo, commit: str) -> Roadmap:
    return parse(repo.git("show", f"{commit}:docs/roadmap.md"))


def cells(roadmap: Roadmap, groups: set[str]) -> tuple[int, int]:
    """(done, total) of `groups`, counted from the parser's groups by hand."""
    picked = [g for g in roadmap.groups if g.name in groups]
    return sum(g.done for g in picked), sum(g.total for g in picked)


def percent(done: int, total: int) -> int:
    return done * 100 // total if total else 100


def test_a_filtered_digest_counts_its_groups_over_the_period(tmp_path: Path) -> None:
    repo = grown_repo(tmp_path / "team-roadmap")
    built = built_for(repo, tmp_path)
    narrowed = built.for_groups([BUILD]).digest
    # The roadmap at period start is the last commit before it ("Roles documented").
    now = file_at(repo, "HEAD")
    before = file_at(repo, repo.commits[1])
    done, total = cells(now, {BUILD})
    done_before, total_before = cells(before, {BUILD})
    assert (narrowed.done, narrowed.total) == (done, total)
    assert (narrowed.done_before, narrowed.total_before) == (done_before, total_before)
    assert narrowed.percent_change == percent(done, total) - percent(done_before, total_before)
    assert narrowed.percent_change != built.digest.percent_change  # not the whole roadmap's
    assert narrowed.modules_added == ("Assembler",)
    assert set(built.digest.modules_added) == {"Audit", "Assembler"}
    mine = {m.name for g in now.groups if g.name == BUILD for m in g.modules}
    assert {c.module for c in narrowed.changes} == {"Compiler"} <= mine
    # Audit, added to Access, blocks Build again: next up is empty for Build (blocked by a
    # group outside the filter), and Audit alone for Access.
    assert narrowed.next == () and [m.name for m in built.digest.next] == ["Audit"]
    assert [m.name for m in built.for_groups([ACCESS]).digest.next] == ["Audit"]
    assert [s.name for s in narrowed.stalled] == [
        s.name for s in built.digest.stalled if s.group == BUILD
    ]
    assert narrowed.stalled == ()  # Linker is untouched since March, but waits for Access
    # The forecast of the filter is its group's, not the roadmap's.
    assert narrowed.forecast is not None and built.digest.forecast is not None
    assert [f.name for f in narrowed.forecast.groups] == [BUILD]
    whole_build = built.digest.forecast.group(BUILD)
    assert whole_build is not None
    assert narrowed.forecast.overall.done_by == whole_build.done_by
    assert (narrowed.forecast.overall.done, narrowed.forecast.overall.total) == (done, total)

    message = to_blocks(narrowed)
    assert check_message(message.blocks) == []
    text = str(message.blocks)
    assert f"*{BUILD}* " in text and "*Overall*" not in text
    points = narrowed.percent_change
    assert f"{'+' if points > 0 else ''}{points} percentage point" in text
    assert "1 module added" in text and "Audit" not in text and "Login" not in text
    assert f"This channel follows {BUILD} only." in text
    assert WAITING in text
    assert f"({BUILD})" in message.text  # the notification says it is filtered


def test_every_group_as_a_filter_is_the_whole_digest(tmp_path: Path) -> None:
    built = built_for(grown_repo(tmp_path / "team-roadmap"), tmp_path)
    every = built.for_groups([name for name, _ in GROUPS]).digest
    whole = built.digest
    for field in ("done", "total", "done_before", "total_before", "ticks", "unticks"):
        assert getattr(every, field) == getattr(whole, field), field
    assert every.percent_change == whole.percent_change
    assert set(every.modules_added) == set(whole.modules_added)
    assert every.changes == whole.changes and every.next == whole.next
    assert every.stalled == whole.stalled and every.newly_done == whole.newly_done
    assert every.forecast == whole.forecast


def test_the_filtered_chart_is_drawn_for_its_groups_and_titled_with_them(tmp_path: Path) -> None:
    repo = grown_repo(tmp_path / "team-roadmap")
    built = built_for(repo, tmp_path)
    narrowed = built.for_groups([BUILD])
    keep = tmp_path / "charts"
    keep.mkdir()
    (keep / "build-only.png").write_bytes(narrowed.png)
    (keep / "whole.png").write_bytes(built.png)
    assert_png(narrowed.png)
    assert narrowed.png != built.png
    # The same chart drawn by hand from the parser's Build group and its changes alone.
    now = file_at(repo, "HEAD")
    build_only = dataclasses.replace(now, groups=tuple(g for g in now.groups if g.name == BUILD))
    changes = [c for c in built.inputs.all_changes if c.group == BUILD]  # type: ignore[union-attr]
    by_hand = burnup_png(
        changes,
        build_only,
        built.digest.period_start,
        built.digest.period_end,
        forecasts=narrowed.digest.forecast,
        title=BUILD,
    )
    assert narrowed.png == by_hand
    untitled = burnup_png(
        changes,
        build_only,
        built.digest.period_start,
        built.digest.period_end,
        forecasts=narrowed.digest.forecast,
    )
    assert narrowed.png != untitled  # the title says which groups
    many = [f"Group number {i}" for i in range(9)]
    assert chart_title(many).startswith("9 groups: Group number 0, ")
    assert chart_title([ACCESS, BUILD]) == "Access Modules, Build Modules"


def test_a_filtered_digest_of_a_blocked_group_says_nothing_can_start() -> None:
    # At period start Access was not done: Build was blocked by a group outside the filter.
    whole = digest(start_known=True)
    week_before = START - timedelta(days=7)
    blocked = compose(roadmap(BEFORE), None, [], OLD, week_before, START, groups=[BUILD])
    assert blocked.next == () and blocked.done < blocked.total
    assert WAITING in str(to_blocks(blocked).blocks)
    assert whole.next  # unblocked by the end of the week


def test_each_channel_gets_the_digest_and_chart_for_its_groups(tmp_path: Path) -> None:
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
        charts = {f.channel_id: f for f in slack.uploaded_files()}
    assert "Host Modules" in str(whole["blocks"]) and "Compute Modules" in str(whole["blocks"])
    assert "*Compute Modules* " in str(compute["blocks"])
    assert "*Host Modules*" not in str(compute["blocks"])
    assert "follows Compute Modules only" in str(compute["blocks"])
    assert charts["CCOMP"].title == "Burn-up of Compute Modules: done cells against scope"
    assert charts["CALL"].title == "Burn-up: done cells against scope"
    assert charts["CCOMP"].content != charts["CALL"].content


def test_the_forecast_and_text_of_a_filtered_digest_name_its_groups() -> None:
    whole = digest()
    one = digest(groups=[BUILD])
    both = digest(groups=[ACCESS, BUILD])
    assert whole.forecast is not None and one.forecast is not None
    assert "the roadmap by" in forecast_line(whole.forecast)
    assert one.forecast.overall.done_by is not None  # Build moves: a date to give
    line = forecast_line(one.forecast, whole=forecast_whole(one))
    assert "the roadmap" not in line and line.count(" by ") == 1, line  # its date once
    assert both.forecast is not None
    assert "all of them by" in forecast_line(both.forecast, whole=forecast_whole(both))
    assert to_text(one).count(f"{BUILD} ") >= 1 and "Overall" not in to_text(one)
    assert "Overall" in to_text(whole)


def test_a_filter_naming_a_group_gone_from_the_roadmap_says_so() -> None:
    d = digest(groups=["Gone Modules", BUILD])
    assert d.scope == (BUILD,)
    assert digest(groups=[BUILD, ACCESS]).scope == (ACCESS, BUILD)  # dependency order
    assert "Not in the roadmap now: Gone Modules." in d.notes
    assert [g.name for g in d.groups] == [BUILD]
