"""For the repo tests: git with fixed dates, a fake clock. The remote is tests/support's."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.roadmap import parse as parse_module
from bot.roadmap.model import Roadmap
from tests.support.git import FIRST_DATE
from tests.support.git import git as run_git


def git(*args: str, cwd: Path, date: str = FIRST_DATE) -> str:
    """git in `cwd`, every commit dated `date`; its stdout, stripped."""
    return run_git(cwd, *args, date=date).strip()


@pytest.fixture
def example_bytes(example_text: str) -> bytes:
    return example_text.encode("utf-8")


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The source name of every roadmap parse from here on, in order (parsing still happens)."""
    calls: list[str] = []
    real_parse = parse_module.parse

    def counting(text: str, source: str = "roadmap.md") -> Roadmap:
        calls.append(source)
        return real_parse(text, source)

    monkeypatch.setattr(parse_module, "parse", counting)
    return calls


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
