"""/roadmap digest | subscribe | unsubscribe: ack first, answer ephemerally, store channels.

The router is called as the /roadmap listener calls it, with ack and respond recorded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.repo.source import BundledSource
from bot.slack import router
from bot.slack.services import Services
from bot.store import db
from bot.store import digest as store
from tests.slack.helpers import assert_valid
from tests.support.settings import digest_settings

from .conftest import dt


class Recorder:
    """ack and respond as Bolt hands them to a listener; `log` keeps the order of calls."""

    def __init__(self) -> None:
        self.log: list[tuple[str, dict[str, Any]]] = []

    def ack(self, **kw: Any) -> None:
        self.log.append(("ack", kw))

    def respond(self, **kw: Any) -> None:
        self.log.append(("respond", kw))


def services(tmp_path: Path, **values: object) -> Services:
    return Services(digest_settings(tmp_path, **values), BundledSource())


def command(channel: str = "C0001", user: str = "U0001") -> dict[str, Any]:
    return {"channel_id": channel, "user_id": user, "text": ""}


def handle(
    text: str,
    payload: dict[str, Any],
    ack: Any,
    respond: Any,
    svc: Services,
    now: Any = None,
) -> dict[str, Any]:
    """`/roadmap <text>` through the router; the request's log line."""
    log: dict[str, Any] = {}
    clock = {"now": now} if now else {}
    router.route(svc, {**payload, "text": text}, ack, respond, log, **clock)
    return log


def test_digest_keywords_only_alone(tmp_path: Path) -> None:
    r = Recorder()
    log = handle("digest weekly", command(), r.ack, r.respond, services(tmp_path))
    assert log["outcome"] == "not_found"  # looked up as a name, like any other text
    [(kind, reply)] = r.log
    assert kind == "ack" and "weekly" in reply["text"]


def test_digest_preview_is_acked_then_answered_ephemerally(tmp_path: Path) -> None:
    r = Recorder()
    assert handle(" Digest ", command(), r.ack, r.respond, services(tmp_path)) == {
        "outcome": "digest_digest"
    }
    (first, ack), (second, reply) = r.log
    assert (first, second) == ("ack", "respond")
    assert ack["response_type"] == "ephemeral"
    assert reply["response_type"] == "ephemeral" and reply["replace_original"] is False
    assert_valid(reply["blocks"])
    body = str(reply["blocks"])
    assert "Preview" in body and "Overall" in body and "no history" in body.casefold()


def test_digest_preview_failure_is_told(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_a: object, **_k: object) -> object:
        raise RuntimeError("the branch cannot be read")

    monkeypatch.setattr("bot.digest.build.build_digest", broken)
    r = Recorder()
    handle("digest", command(), r.ack, r.respond, services(tmp_path))
    (_, _), (_, reply) = r.log
    assert "the branch cannot be read" in reply["text"]


def test_subscribe_and_unsubscribe(tmp_path: Path, channel: str) -> None:
    svc = services(tmp_path)
    at = dt("2024-05-08T12:00:00+02:00")
    r = Recorder()
    log = handle("subscribe", command(channel), r.ack, r.respond, svc, now=lambda: at)
    assert log == {"outcome": "digest_subscribe"}
    assert r.log[0] == ("ack", {})  # acked before the store is touched
    reply = r.log[1][1]
    assert reply["response_type"] == "ephemeral"
    assert "now gets the roadmap digest" in reply["text"]
    assert "Mon 13 May 09:00 (Europe/Paris)" in reply["text"]
    engine = db.engine(svc.settings.database_url)
    assert store.is_subscribed(engine, channel)

    r = Recorder()
    handle("subscribe", command(channel), r.ack, r.respond, svc, now=lambda: at)
    assert "already gets" in r.log[1][1]["text"]

    r = Recorder()
    handle("unsubscribe", command(channel), r.ack, r.respond, svc, now=lambda: at)
    assert "no longer gets" in r.log[1][1]["text"]
    assert not store.is_subscribed(engine, channel)

    r = Recorder()
    handle("unsubscribe", command(channel), r.ack, r.respond, svc, now=lambda: at)
    assert "was not getting" in r.log[1][1]["text"]


def test_unsubscribe_the_configured_channel_says_why_it_stays(tmp_path: Path) -> None:
    r = Recorder()
    svc = services(tmp_path, digest_channel="CSET")
    handle("unsubscribe", command("CSET"), r.ack, r.respond, svc)
    assert "DIGEST_CHANNEL" in r.log[1][1]["text"]


def test_a_store_failure_is_told(tmp_path: Path) -> None:
    r = Recorder()
    svc = services(tmp_path, database_url=f"sqlite:///{tmp_path}/missing/dir/state.db")
    handle("subscribe", command(), r.ack, r.respond, svc)
    assert r.log[0] == ("ack", {})
    assert "Could not subscribe" in r.log[1][1]["text"]


def test_the_preview_in_a_filtered_channel_is_that_channels_digest(tmp_path: Path) -> None:
    svc = services(tmp_path)
    r = Recorder()
    handle("subscribe digest Compute", command("C0F"), r.ack, r.respond, svc)
    handle("digest", command("C0F"), r.ack, r.respond, svc)
    handle("digest", command("C0OTHER"), r.ack, r.respond, svc)
    filtered, whole = (str(kw["blocks"]) for kind, kw in r.log if "blocks" in kw)
    assert "Overall" in whole and "Overall" not in filtered
    assert "Compute Modules" in filtered.split("Groups")[0]
