from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.config import Settings
from bot.store.db import engine
from bot.ticks.service import TickService, build_tick_service

PEOPLE = {
    "GIT_AUTHOR_NAME": "Hand Editor",
    "GIT_AUTHOR_EMAIL": "hand@example.com",
    "GIT_COMMITTER_NAME": "Hand Editor",
    "GIT_COMMITTER_EMAIL": "hand@example.com",
}


def git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    full = {**os.environ, **PEOPLE, "GIT_CONFIG_GLOBAL": "/dev/null", **(env or {})}
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env=full
    ).stdout


@dataclass
class Remote:
    """A bare remote with docs/roadmap.md on main, and a work clone to push from by hand."""

    bare: Path
    work: Path

    def text(self, ref: str = "main") -> bytes:
        return subprocess.run(
            ["git", "show", f"{ref}:docs/roadmap.md"],
            cwd=self.bare,
            check=True,
            capture_output=True,
        ).stdout

    def log(self, ref: str = "main") -> list[str]:
        return git(self.bare, "log", "--format=%H", ref).split()

    def commit_by_hand(self, change: callable, message: str = "by hand") -> None:  # type: ignore[valid-type]
        git(self.work, "pull", "-q", "--ff-only", "origin", "main")
        path = self.work / "docs" / "roadmap.md"
        path.write_bytes(change(path.read_bytes()))
        git(self.work, "commit", "-q", "-am", message)
        git(self.work, "push", "-q", "origin", "main")


def make_remote(tmp_path: Path, text: str) -> Remote:
    """A bare remote whose main holds `text` at docs/roadmap.md, and a clone to push from."""
    seed = tmp_path / "seed"
    (seed / "docs").mkdir(parents=True)
    (seed / "docs" / "roadmap.md").write_text(text, encoding="utf-8", newline="")
    git(seed, "init", "-q", "-b", "main")
    git(seed, "add", ".")
    git(seed, "commit", "-q", "-m", "roadmap")
    bare = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(seed), str(bare))
    work = tmp_path / "work"
    git(tmp_path, "clone", "-q", str(bare), str(work))
    return Remote(bare, work)


@pytest.fixture
def remote(tmp_path: Path, example_text: str) -> Remote:
    return make_remote(tmp_path, example_text)


DATABASES = ["sqlite", "postgresql"]


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/state.db"
    else:
        yield "postgresql://127.0.0.1:5432/test"


def make_settings(remote: Remote, tmp_path: Path, database_url: str, **kw: object) -> Settings:
    values: dict[str, object] = {
        "roadmap_repo": str(remote.bare),
        "roadmap_branch": "main",
        "roadmap_path": "docs/roadmap.md",
        "cache_dir": str(tmp_path / f"cache-{uuid.uuid4().hex[:6]}"),
        "database_url": database_url,
        "tick_mode": "direct",
        "tick_allowed": "U0001",
        **kw,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def service(settings: Settings, **kw: object) -> TickService:
    found = build_tick_service(settings, engine(settings.database_url), **kw)  # type: ignore[arg-type]
    assert found is not None
    return found
