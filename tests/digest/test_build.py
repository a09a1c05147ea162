"""End to end on a real repo: dated commits by several authors -> history -> digest -> Slack."""

from __future__ import annotations

from pathlib import Path

import pytest
from slack_sdk import WebClient
from sqlalchemy import delete

from bot.cli.since import since_span
from bot.digest.build import build_digest, commit_url_for, roadmap_at
from bot.digest.deliver import scheduled
from bot.errors import HistoryError, UserInputError
from bot.repo.source import GitSource, source_from_settings
from bot.store import db
from bot.store import digest as store
from tests.fakes.slack import FakeSlack
from tests.slack.helpers import all_text, assert_message, texts
from tests.support.settings import digest_settings

from .conftest import PERIOD_END, PERIOD_START, Repo, dt
from .test_chart import assert_png
from .test_schedule import Clock


def git_source(repo: Repo, tmp_path: Path, **values: object) -> tuple[object, GitSource]:
    settings = digest_settings(tmp_path, roadmap_repo=str(repo.path), **values)
    source = source_from_settings(settings)
    assert isinstance(source, GitSource)
    return settings, source


def check_week(d: object, repo: Repo, links: bool = True) -> None:
    """What the week of 6 May says, however the history was read."""
    assert (d.done_before, d.total_before, d.done, d.total) == (2, 8, 5, 8)  # type: ignore[attr-defined]
    assert (d.ticks, d.unticks) == (4, 1)  # type: ignore[attr-defined]
    assert [(c.kind, c.module, c.columns, c.author) for c in d.changes] == [  # type: ignore[attr-defined]
        ("untick", "Compiler", ("API",), "Ada Lovelace"),
        ("tick", "Compiler", ("Doc", "API"), "Cy Young"),
        ("tick", "Roles", ("API",), "Bob Builder"),
        ("tick", "Login", ("API",), "Ada Lovelace"),
    ]
    assert [c.commit for c in d.changes] == repo.commits[:1:-1]  # type: ignore[attr-defined]
    if links:
        assert d.changes[0].url == f"https://github.com/acme/roadmap/commit/{repo.commits[-1]}"  # type: ignore[attr-defined]
    assert [m.name for m in d.newly_done] == ["Login", "Roles"]  # type: ignore[attr-defined]
    assert [m.name for m in d.newly_unblocked] == ["Compiler", "Linker"]  # type: ignore[attr-defined]
    assert [(s.name, s.last_change) for s in d.stalled] == [  # type: ignore[attr-defined]
        ("Linker", dt("2024-03-01T10:00:00+01:00"))
    ]


@pytest.mark.parametrize("with_store", [False, True], ids=["git-log", "history-cache"])
def test_build_digest_from_a_repo(repo: Repo, tmp_path: Path, with_store: bool) -> None:
    settings, source = git_source(repo, tmp_path, github_repository="acme/roadmap")
    engine = db.engine(settings.database_url) if with_store else None  # type: ignore[attr-defined]
    built = build_digest(settings, source, engine, PERIOD_END - PERIOD_START, PERIOD_END)  # type: ignore[arg-type]
    d = built.digest
    assert d.period_start == PERIOD_START and d.period_end == PERIOD_END
    assert d.period_end.utcoffset() is not None and str(d.period_end.tzinfo) == "Europe/Paris"
    check_week(d, repo)
    assert_png(built.png)
    assert_message(built.message)
    body = all_text(built.message)
    assert "Ada Lovelace (2), Cy Young (2), Bob Builder (1)" in body
    assert "Bob Builder" in built.text and "Linker" in built.text


def test_the_roadmap_at_period_start_comes_from_git(repo: Repo, tmp_path: Path) -> None:
    _settings, source = git_source(repo, tmp_path)
    source.refresh()
    start = roadmap_at(source, PERIOD_START)
    assert start is not None and start.done == 2
    # Before the first commit the file did not exist: an empty roadmap, nothing done.
    empty = roadmap_at(source, dt("2024-01-01T00:00:00+00:00"))
    assert empty is not None and empty.modules == () and empty.total == 0


def test_a_period_before_the_file_existed(repo: Repo, tmp_path: Path) -> None:
    settings, source = git_source(repo, tmp_path)
    end = dt("2024-03-05T09:00:00+01:00")
    d = build_digest(settings, source, None, since_span("2w"), end).digest  # type: ignore[arg-type]
    # The roadmap at `end` is still the branch's tip: the period is about what happened in it.
    assert d.done_before == 0 and d.modules_added == ("Login", "Roles", "Compiler", "Linker")
    # The file did not exist at period start: it was not "100% done" then.
    assert d.is_new and d.percent_change is None
    built = build_digest(settings, source, None, since_span("2w"), end)  # type: ignore[arg-type]
    headline = texts(built.message.blocks)[3]  # after the title, the period and where
    assert "new this period: +5 cells done since" in headline and "points" not in headline
    assert built.message.text.endswith("(62%, new this period)")
    assert "New this period: +5 cells done since" in built.text


def test_no_links_without_a_github_repository(repo: Repo, tmp_path: Path) -> None:
    settings, source = git_source(repo, tmp_path)
    built = build_digest(settings, source, None, since_span("7d"), PERIOD_END)  # type: ignore[arg-type]
    check_week(built.digest, repo, links=False)
    assert built.digest.changes[0].url is None
    assert f"`{repo.commits[-1][:7]}`" in all_text(built.message)


def test_commit_links(tmp_path: Path) -> None:
    url = commit_url_for(digest_settings(tmp_path, roadmap_repo="https://github.com/acme/rm.git"))
    assert url is not None and url("abc") == "https://github.com/acme/rm/commit/abc"
    ghe = digest_settings(
        tmp_path,
        roadmap_repo="https://ghe.example.com/team/rm",
        github_api_url="https://ghe.example.com/api/v3",
    )
    url = commit_url_for(ghe)
    assert url is not None and url("abc") == "https://ghe.example.com/team/rm/commit/abc"
    assert commit_url_for(digest_settings(tmp_path, roadmap_repo="/srv/git/rm")) is None
    other = digest_settings(tmp_path, roadmap_repo="https://gitlab.example.com/team/rm")
    assert commit_url_for(other) is None


@pytest.mark.parametrize("value", ["", "7", "d", "0d", "-1d", "7y", "seven days"])
def test_bad_since(value: str) -> None:
    with pytest.raises(UserInputError, match="--since"):
        since_span(value)


def test_since_units() -> None:
    assert since_span("36h").total_seconds() == 36 * 3600
    assert since_span("2W").days == 14


def test_the_schedule_posts_to_every_digest_channel_once(repo: Repo, tmp_path: Path) -> None:
    with FakeSlack() as slack:
        for c in ("CDIGEST1", "CSUB0001", "CSUB0002"):
            slack.add_channel(c)
        settings, source = git_source(repo, tmp_path, digest_channel="CDIGEST1")
        engine = db.engine(settings.database_url)  # type: ignore[attr-defined]
        store.subscribe(engine, "CSUB0001", "U0001", PERIOD_START)
        store.subscribe(engine, "CSUB0002", "U0002", PERIOD_START)
        store.subscribe(engine, "CDIGEST1", "U0002", PERIOD_START)  # named twice: posted once
        client = WebClient(token="xoxb-test", base_url=slack.url)
        clock = Clock("2024-05-13T09:00:00+02:00")
        one = scheduled(settings, source, client, engine, clock=clock)  # type: ignore[arg-type]
        # Another instance (its own source and engine object on the same database).
        _s2, source2 = git_source(repo, tmp_path, digest_channel="CDIGEST1")
        two = scheduled(settings, source2, client, engine, clock=clock)  # type: ignore[arg-type]
        assert one.tick() == PERIOD_END
        assert two.tick() == PERIOD_END  # it runs too, and posts nothing
        posts = slack.calls_to("chat.postMessage")
        assert sorted(c.params["channel"] for c in posts) == ["CDIGEST1", "CSUB0001", "CSUB0002"]
        assert len(slack.uploaded_files()) == 3
        assert all(f.thread_ts for f in slack.uploaded_files())
        assert "5/8" in all_text_of(posts[0].params)
        for c in ("CDIGEST1", "CSUB0001", "CSUB0002"):
            assert store.posted(engine, c, "2024-05-13T09:00+02:00")
        # A restart an hour later: the catch-up run finds everything posted.
        clock.set("2024-05-13T10:00:00+02:00")
        three = scheduled(settings, source, client, engine, clock=clock)  # type: ignore[arg-type]
        assert three.tick() == PERIOD_END
        assert len(slack.calls_to("chat.postMessage")) == 3
        with engine.begin() as conn:
            conn.execute(delete(store.subscriptions))


def all_text_of(params: dict[str, object]) -> str:
    return str(params.get("text", "")) + str(params.get("blocks", ""))


def test_a_history_that_cannot_be_read_still_gives_a_digest(repo: Repo, tmp_path: Path) -> None:
    settings, source = git_source(repo, tmp_path)

    def broken(*_args: object) -> None:
        raise HistoryError("history: the log does not fit")

    built = build_digest(
        settings,  # type: ignore[arg-type]
        source,
        None,
        since_span("7d"),
        PERIOD_END,
        read_changes=broken,  # type: ignore[arg-type]
    )
    assert not built.digest.has_history
    assert "the log does not fit" in built.text
    assert_message(built.message)
    assert_png(built.png)


def test_open_bot_pull_requests_come_from_the_tick_store(repo: Repo, tmp_path: Path) -> None:
    ticks = pytest.importorskip("bot.store.ticks")
    service = pytest.importorskip("bot.ticks.service")
    settings, source = git_source(repo, tmp_path)
    engine = db.engine(settings.database_url)  # type: ignore[attr-defined]
    url = "https://github.com/acme/roadmap/pull/7"
    for i, column in enumerate(["Doc", "API"]):
        tick, _new = ticks.record(
            engine,
            key=f"k{i}",
            repo=service.repo_key(settings),
            module="Build Modules/Linker",
            column=column,
            line=12,
            done=True,
            user_id="U0001",
        )
        ticks.mark(engine, tick.id, ticks.IN_PR, pr_url=url, pr_number=7)
    built = build_digest(settings, source, engine, since_span("7d"), PERIOD_END)  # type: ignore[arg-type]
    (pr,) = built.digest.open_prs
    assert (pr.number, pr.url, pr.title) == (7, url, "2 ticks from Slack")
    assert f"<{url}|#7 2 ticks from Slack>" in all_text(built.message)
