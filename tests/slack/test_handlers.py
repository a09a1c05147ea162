"""Each listener called on its own, as Bolt calls it: a recorded ack, respond and client.

No Slack, no HTTP: the handlers are module-level functions, so a test hands them what Bolt
would (the payload, ack, respond, client) and the services, and reads what they did.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.repo.source import BundledSource, Snapshot
from bot.slack.blocks import modal
from bot.slack.listeners.actions import pick, share, tick
from bot.slack.listeners.commands import roadmap_command
from bot.slack.listeners.events import home_opened
from bot.slack.services import Services
from bot.slack.tick_requests import TICKS_OFF

from .app_server import settings_for
from .helpers import assert_valid, texts

USER = "U0HANDLER"


class Calls:
    """ack, respond and a WebClient's methods, each call recorded in order."""

    def __init__(self) -> None:
        self.log: list[tuple[str, dict[str, Any]]] = []

    def ack(self, **kw: Any) -> None:
        self.log.append(("ack", kw))

    def respond(self, **kw: Any) -> None:
        self.log.append(("respond", kw))

    def views_publish(self, **kw: Any) -> None:
        self.log.append(("views.publish", kw))

    def views_open(self, **kw: Any) -> None:
        self.log.append(("views.open", kw))

    def views_update(self, **kw: Any) -> None:
        self.log.append(("views.update", kw))

    def kinds(self) -> list[str]:
        return [kind for kind, _ in self.log]


class CommittedSource(BundledSource):
    """The bundled example as if read from a commit on a branch."""

    location = "docs/roadmap.md on main"

    def _read(self) -> Snapshot:
        snap = super()._read()
        return Snapshot(
            snap.roadmap,
            snap.text,
            self.location,
            commit="0123456789abcdef0123456789abcdef01234567",
            committed_at=datetime(2025, 10, 1, 9, 30, tzinfo=UTC),
            author="Ada",
            subject="Tick Ingestion / API",
        )


@pytest.fixture
def services(tmp_path: Path) -> Services:
    settings = settings_for("http://127.0.0.1:9/api/", database_url=f"sqlite:///{tmp_path}/s.db")
    return Services(settings, CommittedSource())


def slash(text: str) -> dict[str, Any]:
    return {"text": text, "user_id": USER, "channel_id": "C0HANDLER", "command": "/roadmap"}


def test_a_card_keyword_is_answered_in_the_ack_itself(services: Services) -> None:
    calls = Calls()
    roadmap_command(calls.ack, slash("  NEXT "), calls.respond, services)
    [(kind, reply)] = calls.log
    assert kind == "ack" and reply["response_type"] == "ephemeral"
    assert_valid(reply["blocks"])
    assert reply == {"response_type": "ephemeral", **services.answer("next").message.as_kwargs()}


def test_a_name_is_looked_up_and_the_card_acked(services: Services) -> None:
    calls = Calls()
    roadmap_command(calls.ack, slash("ingestion"), calls.respond, services)
    [(kind, reply)] = calls.log
    assert kind == "ack"
    assert any("Ingestion" in t for t in texts(reply["blocks"]))


def test_refresh_acks_first_then_says_where_it_read(services: Services) -> None:
    calls = Calls()
    roadmap_command(calls.ack, slash("refresh"), calls.respond, services)
    assert calls.kinds() == ["ack", "respond"]
    assert calls.log[1][1]["text"] == "Roadmap read from docs/roadmap.md on main."


def test_a_tick_by_command_while_ticks_are_off_is_refused_in_the_ack(services: Services) -> None:
    calls = Calls()
    roadmap_command(calls.ack, slash("tick Ingestion API"), calls.respond, services)
    assert calls.log == [("ack", {"response_type": "ephemeral", "text": TICKS_OFF})]


def test_a_tick_click_while_ticks_are_off_is_acked_and_told(services: Services) -> None:
    calls = Calls()
    body = {"user": {"id": USER}, "response_url": "https://hooks.invalid/1"}
    action = {"action_id": "roadmap_tick:0", "value": "{}"}
    tick(calls.ack, body, action, calls.respond, calls, services)  # type: ignore[arg-type]
    assert calls.kinds() == ["ack", "respond"]
    assert calls.log[1][1]["text"] == TICKS_OFF


def test_a_pick_in_app_home_opens_the_card_in_a_modal(services: Services) -> None:
    calls = Calls()
    body = {"user": {"id": USER}, "trigger_id": "T0TRIGGER", "view": {"type": "home"}}
    action = {"action_id": "roadmap_pick:0", "value": "Compute Modules/Ingestion"}
    pick(calls.ack, body, action, calls.respond, calls, services)  # type: ignore[arg-type]
    assert calls.kinds() == ["ack", "views.open"]
    opened = calls.log[1][1]
    assert opened["trigger_id"] == "T0TRIGGER" and opened["view"]["type"] == "modal"
    # The card itself, less its Share button (a modal has no channel to share in).
    assert opened["view"] == modal(services.answer("Compute Modules/Ingestion").message)
    assert "roadmap_share" not in json.dumps(opened["view"])


def test_share_posts_the_card_in_the_channel_saying_who_shared_it(services: Services) -> None:
    calls = Calls()
    body = {"user": {"id": USER}, "response_url": "https://hooks.invalid/1"}
    share(calls.ack, body, {"value": "next"}, calls.respond, calls, services)  # type: ignore[arg-type]
    assert calls.kinds() == ["ack", "respond"]
    posted = calls.log[1][1]
    assert posted["response_type"] == "in_channel" and posted["replace_original"] is False
    assert f"Shared by <@{USER}>" in texts(posted["blocks"])
    assert_valid(posted["blocks"])


def test_the_home_tab_names_the_commit_it_was_read_at(services: Services) -> None:
    calls = Calls()
    home_opened({"user": USER, "tab": "home"}, calls, services)  # type: ignore[arg-type]
    [(kind, published)] = calls.log
    assert kind == "views.publish" and published["user_id"] == USER
    assert_valid(published["view"]["blocks"], home=True)
    body = json.dumps(published["view"], ensure_ascii=False)
    assert "Last change: `0123456789` Tick Ingestion / API by Ada" in body


def test_the_messages_tab_is_left_alone(services: Services) -> None:
    calls = Calls()
    home_opened({"user": USER, "tab": "messages"}, calls, services)  # type: ignore[arg-type]
    assert calls.log == []


def test_the_router_takes_words_only_after_keywords_that_take_them() -> None:
    from bot.slack.router import KEYWORDS, keyword

    assert keyword("Blockers Ingestion API") == (KEYWORDS["blockers"], "Ingestion API")
    assert keyword("untick Ingestion API") == (KEYWORDS["untick"], "Ingestion API")
    assert keyword("refresh") == (KEYWORDS["refresh"], "")
    assert keyword("help me") == (None, "help me")  # a name to look up, not help
    assert keyword("Ingestion") == (None, "Ingestion")
