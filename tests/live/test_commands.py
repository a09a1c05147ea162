"""/roadmap subscribe changes | subscriptions | unsubscribe | watch | unwatch | watches, through
the router as the /roadmap listener calls it; the store is real SQLite."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.repo.source import BundledSource
from bot.slack import router
from bot.slack.services import Services
from bot.store import db
from bot.store import digest as digest_store
from bot.store import live as store
from tests.support.settings import digest_settings


class Recorder:
    def __init__(self) -> None:
        self.log: list[tuple[str, dict[str, Any]]] = []

    def ack(self, **kw: Any) -> None:
        self.log.append(("ack", kw))

    def respond(self, **kw: Any) -> None:
        self.log.append(("respond", kw))

    @property
    def said(self) -> str:
        kind, reply = self.log[-1]
        assert kind == "respond"
        return str(reply["text"])


def ask(svc: Services, text: str, channel: str = "C1", user: str = "U0001") -> Recorder:
    r = Recorder()
    payload = {"channel_id": channel, "user_id": user, "text": text}
    router.route(svc, payload, r.ack, r.respond, {})
    assert r.log[0][0] == "ack"  # acked first, answered after
    return r


def services(tmp_path: Path) -> Services:
    return Services(digest_settings(tmp_path), BundledSource())


def test_subscribe_changes_for_groups_then_list_then_unsubscribe(tmp_path: Path) -> None:
    svc = services(tmp_path)
    engine = db.engine(svc.settings.database_url)
    said = ask(svc, "subscribe changes compute modules, host").said
    assert "now gets roadmap changes" in said and "Compute Modules, Host Modules" in said
    subs = store.subscriptions(engine, "C1")
    assert [(s.kind, s.group_name) for s in subs] == [
        ("changes", "Compute Modules"),
        ("changes", "Host Modules"),
    ]
    assert not digest_store.is_subscribed(engine, "C1")  # the digest is another thing
    ask(svc, "subscribe")
    listing = ask(svc, "subscriptions").said
    assert "weekly digest" in listing and "Compute Modules, Host Modules" in listing
    assert "still gets" in ask(svc, "unsubscribe changes Host").said
    assert "no longer gets roadmap changes" in ask(svc, "unsubscribe changes").said
    assert store.subscriptions(engine, "C1") == []
    assert digest_store.is_subscribed(engine, "C1")  # untouched by `unsubscribe changes`
    ask(svc, "unsubscribe")
    assert "gets nothing" in ask(svc, "subscriptions").said


def test_subscribe_changes_for_every_group_replaces_the_filters(tmp_path: Path) -> None:
    svc = services(tmp_path)
    engine = db.engine(svc.settings.database_url)
    ask(svc, "subscribe changes Compute Modules")
    assert "every group" in ask(svc, "subscribe changes").said
    assert [s.group_key for s in store.subscriptions(engine, "C1")] == [""]
    assert "already gets" in ask(svc, "subscribe changes Host").said


def test_a_group_that_does_not_exist_is_refused_and_nothing_is_stored(tmp_path: Path) -> None:
    svc = services(tmp_path)
    r = ask(svc, "subscribe changes Compute Modules, Nowhere")
    _, reply = r.log[-1]
    assert "No group matches 'Nowhere'" in reply["text"]
    assert store.subscriptions(db.engine(svc.settings.database_url)) == []


def test_watch_unwatch_and_watches(tmp_path: Path) -> None:
    svc = services(tmp_path)
    engine = db.engine(svc.settings.database_url)
    assert "You now watch the module Compute Modules/Ingestion" in ask(svc, "watch ingestion").said
    assert "You now watch the group Compute Modules" in ask(svc, "watch Compute Modules").said
    assert "already watch" in ask(svc, "watch Ingestion").said
    assert [w.target for w in store.watches(engine, "U0001")] == [
        "module:compute modules/ingestion",
        "group:compute modules",
    ]
    listing = ask(svc, "watches").said
    assert "Compute Modules/Ingestion (module)" in listing and "Compute Modules (group)" in listing
    assert "no longer watch" in ask(svc, "unwatch Ingestion").said
    assert "were not watching" in ask(svc, "unwatch Ingestion").said
    assert store.watches(engine, "U0002") == []
    assert "watch nothing" in ask(svc, "watches", user="U0002").said


def test_watching_a_column_or_nothing_is_refused(tmp_path: Path) -> None:
    svc = services(tmp_path)
    assert "is a column" in ask(svc, "watch API").log[-1][1]["text"]
    assert "No module or group matches" in ask(svc, "watch Zzzz qqq").log[-1][1]["text"]
    assert store.watches(db.engine(svc.settings.database_url)) == []


def test_subscribe_digest_for_a_group_narrows_it_and_unsubscribe_drops_the_filter(
    tmp_path: Path,
) -> None:
    svc = services(tmp_path)
    engine = db.engine(svc.settings.database_url)
    said = ask(svc, "subscribe digest Compute").said
    assert "weekly digest for groups: Compute Modules" in said
    assert digest_store.is_subscribed(engine, "C1")
    assert [(s.kind, s.group_name) for s in store.subscriptions(engine, "C1")] == [
        ("digest", "Compute Modules")
    ]
    assert "weekly digest, groups: Compute Modules" in ask(svc, "subscriptions").said
    assert "now covers every group" in ask(svc, "unsubscribe digest Compute").said
    ask(svc, "subscribe digest Host")
    ask(svc, "unsubscribe")
    assert not digest_store.is_subscribed(engine, "C1")
    assert store.subscriptions(engine, "C1") == []
