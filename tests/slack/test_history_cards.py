"""/roadmap with the branch's history: the overview's forecast line (computed in the
background, never in the ack) and `@DATE` cards (the roadmap as it was then)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.slack.services import Services
from tests.fakes.slack import FakeSlack
from tests.support.git import PATH, make_remote
from tests.support.roadmaps import roadmap_text

from .app_server import running, settings_for
from .helpers import assert_valid

GROUPS = [("Build", ["Compiler", "Linker"]), ("Ship", ["Deploy"])]


def text(*done: tuple[str, str]) -> bytes:
    return roadmap_text(GROUPS, ["API", "Docs"], dict.fromkeys(done, "x")).encode()


@pytest.fixture
def slack() -> Any:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def bare(tmp_path: Path) -> Path:
    r = make_remote(tmp_path, text())
    r.commit({PATH: text(("Compiler", "API"))}, "tick", date="2024-06-01T10:00:00Z")
    recent = (datetime.now(UTC) - timedelta(days=10)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    r.commit({PATH: text(("Compiler", "API"), ("Linker", "API"))}, "tick", date=recent)
    return r.bare


def wait_for_forecast(services: Services, timeout: float = 30) -> None:
    snap = services.snapshot()
    deadline = time.monotonic() + timeout
    while services.forecast(snap) is None:
        assert time.monotonic() < deadline, "the forecast was never computed"
        time.sleep(0.05)


def test_the_overview_says_the_forecast_once_it_is_known(
    tmp_path: Path, slack: FakeSlack, bare: Path
) -> None:
    settings = settings_for(slack.url, roadmap_repo=str(bare), cache_dir=str(tmp_path / "c"))
    with running(settings) as bot:
        first = bot.command("", slack.response_url()).json()
        # The first overview does not wait for the history: no forecast line yet.
        assert "At this pace" not in json.dumps(first)
        wait_for_forecast(bot.services)
        card = bot.command("", slack.response_url()).json()
    assert_valid(card["blocks"])
    body = json.dumps(card, ensure_ascii=False)
    assert "At this pace (last 4 weeks): Build by" in body and "the roadmap by" in body
    assert "1 group without progress in 4 weeks" in body  # Ship


def test_a_card_as_it_was_on_a_date(tmp_path: Path, slack: FakeSlack, bare: Path) -> None:
    settings = settings_for(slack.url, roadmap_repo=str(bare), cache_dir=str(tmp_path / "c"))
    with running(settings) as bot:
        now = bot.command("Compiler", slack.response_url()).json()
        assert "2/2" not in json.dumps(now) and "1/2" in json.dumps(now)
        ack = bot.command("Compiler @2024-05-20", slack.response_url())
        assert ack.status_code == 200 and not ack.content  # the git work comes after the ack
        replies = [slack.wait_for_response(1)[-1].json]
        for i, q in enumerate(["@2024-06-02", "Compiler @2024-01-01", "Compiler @2024-02-30"]):
            bot.command(q, slack.response_url())
            replies.append(slack.wait_for_response(i + 2)[-1].json)
        then, overview, before, bad = replies
    for reply in (then, overview, before, bad):
        assert_valid(reply["blocks"])
    body = json.dumps(then, ensure_ascii=False)
    assert "0/2" in body and "As it was" in body and "(as of 2024-05-20)" in then["text"]
    assert not any(b["type"] == "actions" for b in then["blocks"])  # no ticks on the past
    assert "*Overall* `▓░░░░░░░░░` 1/6" in json.dumps(overview, ensure_ascii=False)
    assert "did not exist on main yet (it was added on 2024-05-06)" in before["text"]
    assert "@2024-02-30: not a date" in bad["text"]


def test_a_module_named_like_a_date_is_that_module(tmp_path: Path, slack: FakeSlack) -> None:
    """`@2` at the end reads as a date unless the whole text is a name on the roadmap."""
    groups = [("Build", ["Release @2", "Release"])]
    r = make_remote(tmp_path, roadmap_text(groups, ["API"], {("Release @2", "API"): "x"}).encode())
    settings = settings_for(slack.url, roadmap_repo=str(r.bare), cache_dir=str(tmp_path / "c"))
    with running(settings) as bot:
        card = bot.command("Release @2", slack.response_url()).json()  # in the ack: no git
        assert "Release @2" in card["text"] and "1/1" in json.dumps(card)
        bot.command("Release @2026-01-01", slack.response_url())  # still a date for the other
        [past] = slack.wait_for_response(1)
    assert past.json["text"] == "Release (Build): 0/1 done (as of 2026-01-01)"  # a date there
