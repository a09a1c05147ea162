"""A bare remote with a small roadmap (Host before Compute), pushes by named authors, the
fake Slack, a state store, and the change feed reading the remote through its own mirror."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine

from bot.live.feed import LiveFeed
from bot.repo.mirror import Mirror
from bot.roadmap.edit import set_cell
from bot.roadmap.lookup import find_module
from bot.roadmap.parse import parse
from bot.store import db
from tests.fakes.slack import FakeSlack
from tests.support.git import PATH, Remote, git, make_remote
from tests.support.roadmaps import TWO_GROUPS

ROADMAP = TWO_GROUPS

HOST_CELLS = [("Policy Engine", "API"), ("Policy Engine", "Tests"), ("Tenant Management", "Docs")]
HOST_LAST = ("Tenant Management", "API")  # ticking this after HOST_CELLS finishes Host
URL = "https://github.example/acme/roadmap/commit/"


def ticked(text: str, module: str, column: str, done: bool = True) -> str:
    """`text` with one cell set, through the core's byte-exact edit."""
    roadmap = parse(text)
    found = find_module(roadmap, module).item
    assert found is not None, module
    return set_cell(text, roadmap, found, column, done).text


@dataclass
class Pusher:
    """Commits to the work clone as a named author, pushed to the bare remote's main."""

    remote: Remote

    @property
    def text(self) -> str:
        return (self.remote.work / PATH).read_text()

    def commit(self, text: str, message: str, author: str = "Ada Author") -> str:
        (self.remote.work / PATH).write_text(text)
        env = {"GIT_AUTHOR_NAME": author, "GIT_AUTHOR_EMAIL": "a@example.com"}
        git(self.remote.work, "commit", "-q", "-am", message, env=env)
        return git(self.remote.work, "rev-parse", "HEAD").strip()

    def tick(self, module: str, column: str, author: str = "Ada Author", done: bool = True) -> str:
        return self.commit(ticked(self.text, module, column, done), f"tick {module}", author)

    def push(self, force: bool = False) -> None:
        git(self.remote.work, "push", "-q", *(["--force"] if force else []), "origin", "main")


@pytest.fixture
def remote(tmp_path: Path) -> Remote:
    return make_remote(tmp_path, ROADMAP)


@pytest.fixture
def pusher(remote: Remote) -> Pusher:
    return Pusher(remote)


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack(users={"U0001": {"name": "ada"}, "U0002": {"name": "bo"}}) as fake:
        yield fake


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return db.engine(f"sqlite:///{tmp_path}/state-{uuid.uuid4().hex[:6]}.db")


FeedMaker = Callable[..., LiveFeed]


@pytest.fixture
def make_feed(remote: Remote, slack: FakeSlack, tmp_path: Path) -> FeedMaker:
    """A feed on `remote` (a fresh mirror each: another instance) storing in `engine`."""

    def make(engine: Engine, **kw: object) -> LiveFeed:
        mirror = Mirror(str(remote.bare), tmp_path / f"cache-{uuid.uuid4().hex[:6]}")
        client = WebClient(token="xoxb-test", base_url=slack.url)
        values: dict[str, object] = {
            "commit_url": lambda sha: URL + sha,
            "location": "docs/roadmap.md on main",
        }
        values.update(kw)
        return LiveFeed(mirror, "main", PATH, engine, client, **values)  # type: ignore[arg-type]

    return make


def posted_to(slack: FakeSlack, channel: str) -> list[dict[str, object]]:
    return [c.params for c in slack.calls_to("chat.postMessage") if c.params["channel"] == channel]
