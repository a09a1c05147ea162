"""Ticks' news: recorded with the outcome, told from the store once Slack accepts it."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from bot.store import ticks as store
from bot.store.db import engine
from bot.store.schema import tick_news
from bot.ticks.applier import TickOutcome
from bot.ticks.service import repo_key
from tests.support.git import Remote
from tests.support.settings import make_settings

from .conftest import service
from .test_applier import tick


def test_news_left_by_a_run_without_a_teller_is_told_once_by_the_next(
    remote: Remote, tmp_path: Path, database_url: str
) -> None:
    """`roadmap-bot tick` (nobody to tell) applies a Slack tick: the news waits in the store,
    and the next service that can tell (serve) tells it, once."""
    settings = make_settings(remote, tmp_path, database_url)
    cli = service(settings)
    recorded = tick(cli, "Compute Modules/Ingestion", "API")
    [outcome] = cli.run_now()
    assert outcome.state == store.APPLIED
    told: list[TickOutcome] = []
    serving = service(settings, notify=told.extend)
    assert serving.run_now() == []  # nothing left to apply...
    assert [(o.tick.id, o.state, o.sha) for o in told] == [
        (recorded.id, store.APPLIED, outcome.sha)
    ]  # ...but its news told
    assert serving.tell_news() == 0  # and never again


def test_two_tellers_at_once_tell_each_piece_of_news_once(
    remote: Remote, tmp_path: Path, database_url: str
) -> None:
    settings = make_settings(remote, tmp_path, database_url)
    for column in ("Index", "API"):
        tick(service(settings), "Compute Modules/Ingestion", column)
    service(settings).run_now()
    told: list[TickOutcome] = []
    started = threading.Barrier(2)

    def slow(outcomes: list[TickOutcome]) -> None:
        time.sleep(0.3)  # a telling long enough for the other teller to try meanwhile
        told.extend(outcomes)

    tellers = [service(settings, notify=slow) for _ in range(2)]

    def tell(svc: object) -> None:
        started.wait()
        svc.tell_news()  # type: ignore[attr-defined]

    threads = [threading.Thread(target=tell, args=(s,)) for s in tellers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o.tick.column for o in told) == ["API", "Index"]


def test_news_slack_did_not_accept_is_told_on_a_later_run_then_given_up(
    remote: Remote, tmp_path: Path, database_url: str
) -> None:
    settings = make_settings(remote, tmp_path, database_url)
    refused: list[TickOutcome] = []

    def slack_down(outcomes: list[TickOutcome]) -> list[TickOutcome]:
        refused.extend(outcomes)
        return []  # none accepted

    svc = service(settings, notify=slack_down)
    tick(svc, "Compute Modules/Ingestion", "API")
    svc.run_now()
    assert len(refused) == 1
    for _ in range(store.NEWS_TRIES - 1):
        svc.run_now()  # each run tries again
    assert len(refused) == store.NEWS_TRIES
    svc.run_now()
    assert len(refused) == store.NEWS_TRIES  # given up, not tried for ever


def test_news_told_long_ago_is_deleted_and_the_rest_kept(
    remote: Remote, tmp_path: Path, database_url: str
) -> None:
    settings = make_settings(remote, tmp_path, database_url)
    for column in ("Index", "API", "Runbook"):
        tick(service(settings), "Compute Modules/Ingestion", column)
    service(settings).run_now()  # applied, no teller: three pieces of news wait
    db = engine(settings.database_url)
    with store.news_lock(db, repo_key(settings)):
        old, recent, untold = (news_id for news_id, _, _ in store.take_news(db, repo_key(settings)))
    now = datetime.now(UTC)
    store.told(db, [old], now=now - store.NEWS_KEEP - timedelta(days=1))
    store.told(db, [recent], now=now)
    with db.connect() as conn:
        mine = tick_news.c.id.in_([old, recent, untold])  # PostgreSQL holds other tests' news
        left = conn.execute(select(tick_news.c.id, tick_news.c.told_at).where(mine)).all()
    assert sorted(i for i, _ in left) == [recent, untold]  # the old one gone, the rest kept
    assert dict(left)[untold] is None  # untold news is never deleted
