"""Real git repos with dated commits by several authors, and a small roadmap to tick."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.roadmap.edit import set_cell
from bot.roadmap.lookup import find_module
from bot.roadmap.parse import parse
from tests.support.roadmaps import TWO_GROUPS

PATH = "docs/roadmap.md"

ROADMAP = TWO_GROUPS

AUTHORS = {
    "ada": ("Ada Lovelace", "ada@example.com"),
    "bo": ("Bo Tiller", "bo@example.com"),
    "cy": ("Cy Merger", "cy@example.com"),
}

# Tests must not depend on (or write to) the developer's git config.
BASE_ENV = {
    **os.environ,
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_COMMITTER_NAME": "Committer",
    "GIT_COMMITTER_EMAIL": "committer@example.com",
    "GIT_TERMINAL_PROMPT": "0",
}


def tick(text: str, module: str, column: str, done: bool = True) -> str:
    """`text` with one cell set, through the core's byte-exact edit."""
    roadmap = parse(text)
    found = find_module(roadmap, module).item
    assert found is not None, module
    edit = set_cell(text, roadmap, found, column, done)
    assert edit.changed, (module, column, done)
    return edit.text


@dataclass
class Repo:
    """A work repo on branch main; every commit dated and authored as asked."""

    path: Path
    clock: int = 0  # hours after 2026-01-01T09:00Z, advanced by each commit
    commits: list[str] = field(default_factory=list)

    def git(self, *args: str, author: str = "ada", date: str | None = None) -> str:
        name, email = AUTHORS[author]
        # Each commit (or merge) an hour after the last; other commands need no date.
        when = date or (
            self.next_date() if args[0] in ("commit", "merge") else "2026-01-01T00:00:00+00:00"
        )
        env = {
            **BASE_ENV,
            "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_AUTHOR_DATE": when,
            "GIT_COMMITTER_DATE": when,
        }
        done = subprocess.run(
            ["git", "-c", "init.defaultBranch=main", "-c", "core.autocrlf=false", *args],
            cwd=self.path,
            env=env,
            check=True,
            capture_output=True,
        )
        return done.stdout.decode().strip()

    def next_date(self) -> str:
        self.clock += 1
        day, hour = divmod(9 + self.clock, 24)
        return f"2026-01-{1 + day:02d}T{hour:02d}:00:00+00:00"

    def write(self, data: str | bytes, path: str = PATH) -> None:
        target = self.path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data.encode() if isinstance(data, str) else data)

    def read(self, path: str = PATH) -> str:
        return (self.path / path).read_bytes().decode()

    def commit(
        self,
        data: str | bytes | None,
        message: str = "roadmap",
        author: str = "ada",
        date: str | None = None,
        path: str = PATH,
    ) -> str:
        """Commit `data` as the file (None: delete it); the new sha."""
        if data is None:
            self.git("rm", "-q", path)
        else:
            self.write(data, path)
            self.git("add", path)
        self.git("commit", "-q", "--allow-empty", "-m", message, author=author, date=date)
        sha = self.git("rev-parse", "HEAD")
        self.commits.append(sha)
        return sha

    def tick(self, module: str, column: str, done: bool = True, author: str = "ada") -> str:
        verb = "tick" if done else "untick"
        return self.commit(
            tick(self.read(), module, column, done), f"{verb} {module}", author=author
        )


def make_repo(path: Path) -> Repo:
    path.mkdir(parents=True)
    repo = Repo(path)
    repo.git("init", "-q")
    return repo


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return make_repo(tmp_path / "work")
