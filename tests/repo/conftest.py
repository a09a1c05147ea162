"""Real git repos for the repo tests: a work repo, a bare remote it pushes to, a fake clock."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

# Tests must not depend on (or write to) the developer's git config.
GIT_ENV = {
    **os.environ,
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Ada Author",
    "GIT_AUTHOR_EMAIL": "ada@example.com",
    "GIT_COMMITTER_NAME": "Cy Committer",
    "GIT_COMMITTER_EMAIL": "cy@example.com",
    "GIT_TERMINAL_PROMPT": "0",
}


def git(*args: str, cwd: Path, date: str = "2024-05-06T07:08:09+02:00") -> str:
    env = {**GIT_ENV, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    done = subprocess.run(
        ["git", "-c", "init.defaultBranch=main", "-c", "core.autocrlf=false", *args],
        cwd=cwd,
        env=env,
        check=True,
        capture_output=True,
    )
    return done.stdout.decode().strip()


@dataclass
class Remote:
    """A non-bare work repo on branch main and the bare repo it pushes to."""

    work: Path
    bare: Path
    commits: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.bare.as_uri()

    def commit(
        self,
        files: dict[str, bytes],
        message: str,
        date: str = "2024-05-06T07:08:09+02:00",
        push: bool = True,
    ) -> str:
        for name, data in files.items():
            target = self.work / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        git("add", "-A", cwd=self.work)
        git("commit", "-q", "--allow-empty", "-m", message, cwd=self.work, date=date)
        sha = git("rev-parse", "HEAD", cwd=self.work)
        self.commits.append(sha)
        if push:
            git("push", "-q", str(self.bare), "main", cwd=self.work)
        return sha

    def blob(self, rev: str, path: str = "docs/roadmap.md") -> str:
        return git("rev-parse", f"{rev}:{path}", cwd=self.work)


@pytest.fixture
def example_bytes(example_text: str) -> bytes:
    return example_text.encode("utf-8")


@pytest.fixture
def remote(tmp_path: Path, example_bytes: bytes) -> Remote:
    work = tmp_path / "work"
    work.mkdir()
    git("init", "-q", cwd=work)
    r = Remote(work=work, bare=tmp_path / "remote.git")
    r.commit({"docs/roadmap.md": example_bytes}, "Add the roadmap", push=False)
    git("clone", "-q", "--bare", str(work), str(r.bare), cwd=tmp_path)
    return r


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def move_away(path: Path) -> Path:
    gone = path.with_name(path.name + ".gone")
    shutil.move(path, gone)
    return gone
