"""Roadmaps, Change lists and real git repos with dated commits by several authors."""

from __future__ import annotations

import hashlib
import os
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, event

from bot.repo.history import Change
from bot.roadmap.model import Roadmap
from bot.roadmap.parse import parse
from bot.store import db
from tests.fakes.slack import FakeSlack
from tests.support.roadmaps import roadmap_text
from tests.support.settings import clear_settings_env

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# A small roadmap: Access must be done before Build; both have two modules, two columns.
COLUMNS = ["Doc", "API"]
GROUPS = [("Access Modules", ["Login", "Roles"]), ("Build Modules", ["Compiler", "Linker"])]
ORDER = ["Access Modules", "Build Modules"]

PEOPLE = {
    "ada": ("Ada Lovelace", "ada@example.com"),
    "bob": ("Bob Builder", "bob@example.com"),
    "cy": ("Cy Young", "cy@example.com"),
}


def small(states: dict[tuple[str, str], str]) -> str:
    return roadmap_text(GROUPS, COLUMNS, states, ORDER, title="Team roadmap")


def roadmap(states: dict[tuple[str, str], str]) -> Roadmap:
    return parse(small(states))


def dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


def change(
    module: str,
    column: str | None,
    kind: str,
    date: str,
    author: str = "ada",
    group: str | None = None,
    commit: str | None = None,
) -> Change:
    name, email = PEOPLE.get(author, (author, f"{author}@example.com"))
    state = {"tick": "done", "untick": "open", "module_added": "added"}.get(kind, "removed")
    return Change(
        commit=commit or hashlib.sha1(f"{date}{module}".encode()).hexdigest(),
        date=dt(date),
        author=name,
        email=email,
        module=module,
        group=group,
        column=column,
        state=state,
        kind=kind,
    )


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Settings come from each test, never from the machine's environment or a .env."""
    clear_settings_env(monkeypatch, tmp_path)


# --- git ---------------------------------------------------------------------------------------


@dataclass
class Repo:
    """A work repo on main; each commit has its own author and date (author = committer, so
    `git rev-list --before` and the history agree)."""

    path: Path
    commits: list[str] = field(default_factory=list)

    def git(self, *args: str, env: dict[str, str] | None = None) -> str:
        full = {
            **os.environ,
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
            **(env or {}),
        }
        done = subprocess.run(
            ["git", "-c", "init.defaultBranch=main", *args],
            cwd=self.path,
            env=full,
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout.strip()

    def commit(self, text: str, message: str, date: str, author: str) -> str:
        name, email = PEOPLE[author]
        target = self.path / "docs" / "roadmap.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="")
        self.git("add", "-A")
        self.git(
            "commit",
            "-q",
            "-m",
            message,
            env={
                "GIT_AUTHOR_NAME": name,
                "GIT_AUTHOR_EMAIL": email,
                "GIT_COMMITTER_NAME": name,
                "GIT_COMMITTER_EMAIL": email,
                "GIT_AUTHOR_DATE": date,
                "GIT_COMMITTER_DATE": date,
            },
        )
        sha = self.git("rev-parse", "HEAD")
        self.commits.append(sha)
        return sha


def history_repo(path: Path) -> Repo:
    """The team's spring: set up in March; Access finished in the week of 6 May 2024, which
    unblocks Build; Linker untouched since March (stalled)."""
    path.mkdir()
    repo = Repo(path)
    repo.git("init", "-q")
    s: dict[tuple[str, str], str] = {("Login", "Doc"): "x"}
    repo.commit(small(s), "Add the roadmap", "2024-03-01T10:00:00+01:00", "ada")
    s[("Roles", "Doc")] = "x"
    repo.commit(small(s), "Roles documented", "2024-04-20T10:00:00+02:00", "bob")
    s[("Login", "API")] = "x"
    repo.commit(small(s), "Login API", "2024-05-07T11:00:00+02:00", "ada")
    s[("Roles", "API")] = "x"
    repo.commit(small(s), "Roles API", "2024-05-08T12:00:00+02:00", "bob")
    s[("Compiler", "Doc")] = "x"
    s[("Compiler", "API")] = "x"
    repo.commit(small(s), "Compiler, both", "2024-05-10T13:00:00+02:00", "cy")
    s[("Compiler", "API")] = " "
    repo.commit(small(s), "Compiler API not ready after all", "2024-05-11T14:00:00+02:00", "ada")
    return repo


# The period the history repo is read for: the week before Monday 13 May 09:00 in Paris.
PERIOD_END = dt("2024-05-13T09:00:00+02:00")
PERIOD_START = dt("2024-05-06T09:00:00+02:00")


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return history_repo(tmp_path / "team-roadmap")


# --- databases and Slack ----------------------------------------------------------------------


def second_engine(url: str) -> Engine:
    """Another engine on the same database: a second instance of the bot (db.engine keeps one
    engine per URL, so it would hand back the first)."""
    eng = create_engine(db.normalize_url(url), **_kwargs(url))
    if url.startswith("sqlite"):

        @event.listens_for(eng, "connect")
        def _pragmas(conn: object, _record: object) -> None:
            cur = conn.cursor()  # type: ignore[attr-defined]
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

    db.metadata.create_all(eng)
    return eng


def _kwargs(url: str) -> dict[str, object]:
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30, "check_same_thread": False}}
    return {"pool_pre_ping": True}


@pytest.fixture
def channel() -> str:
    """A channel id no other test (or earlier run on the shared PostgreSQL) has used."""
    return "C" + uuid.uuid4().hex[:10].upper()


@pytest.fixture
def slack(channel: str) -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        fake.add_channel(channel, "roadmap-digest")
        yield fake
