"""FileSource, BundledSource and picking a source from the settings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.config import Settings
from bot.errors import RoadmapFileError
from bot.repo import BundledSource, FileSource, GitSource, source_from_settings

SMALL = b"# R\n\n| Module | Docs | API |\n|---|---|---|\n| **G** | | |\n| A | [ ] | [ ] |\n"


def test_bundled_example() -> None:
    source = BundledSource()
    snap = source.snapshot()
    assert snap.location == source.location == "the bundled example roadmap"
    ingestion = next(m for m in snap.roadmap.modules if m.name == "Ingestion")
    assert len(ingestion.open_columns) == 7
    assert snap.commit is None and snap.blob is None
    assert source.snapshot() is snap
    assert source.last_error is None


def test_file_source_rereads_after_the_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "roadmap.md"
    path.write_bytes(SMALL)
    source = FileSource(path)
    first = source.snapshot()
    assert first.location == str(path)
    assert first.roadmap.modules[0].done == 0
    assert source.snapshot() is first

    path.write_bytes(SMALL.replace(b"| A | [ ]", b"| A | [x]"))
    os.utime(path, ns=(1, 1))  # a distinct mtime even on coarse clocks
    second = source.snapshot()
    assert second.roadmap.modules[0].done == 1


def test_file_source_parses_unchanged_content_once(tmp_path: Path, parses: list[str]) -> None:
    path = tmp_path / "roadmap.md"
    path.write_bytes(SMALL)
    source = FileSource(path)
    first = source.snapshot()
    os.utime(path, ns=(5, 5))  # touched, not changed
    assert source.snapshot() is first
    assert source.refresh() is first
    assert parses == [str(path)]


def test_file_source_errors_and_keeping_the_last_good_read(tmp_path: Path) -> None:
    path = tmp_path / "roadmap.md"
    with pytest.raises(RoadmapFileError, match=f"^{path}: no such file$"):
        FileSource(path).snapshot()

    path.write_bytes(SMALL)
    source = FileSource(path)
    good = source.snapshot()
    path.write_bytes(b"# R\n\nno table here\n")
    assert source.snapshot() is good
    assert source.last_error is not None
    assert source.last_error.startswith(f"{path}: no checklist table")
    path.unlink()
    assert source.refresh() is good
    assert source.last_error == f"{path}: no such file"


@pytest.mark.parametrize(
    "data",
    [b"\xef\xbb\xbf" + SMALL.replace(b"\n", b"\r\n"), SMALL.replace(b"\n", b"\r").rstrip(b"\r")],
    ids=["bom-crlf", "cr-no-final-newline"],
)
def test_file_text_is_byte_identical(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "roadmap.md"
    path.write_bytes(data)
    snap = FileSource(path).snapshot()
    assert snap.text.encode("utf-8") == data
    assert [m.name for m in snap.roadmap.modules] == ["A"]


def settings(**values: object) -> Settings:
    base: dict[str, object] = {"roadmap_repo": None, "cache_dir": None, "github_token": None}
    return Settings(_env_file=None, **{**base, **values})  # type: ignore[arg-type]


def test_source_from_settings_picks_file_then_repo_then_bundled(tmp_path: Path) -> None:
    s = settings(
        roadmap_repo="https://github.com/team/roadmap.git",
        roadmap_branch="trunk",
        roadmap_path="plan/roadmap.md",
        roadmap_refresh_seconds=15,
        cache_dir=str(tmp_path),
    )
    file_source = source_from_settings(s, roadmap_file="x.md")
    assert isinstance(file_source, FileSource) and file_source.location == "x.md"

    git_source = source_from_settings(s)
    assert isinstance(git_source, GitSource)
    assert git_source.location == "plan/roadmap.md on trunk of https://github.com/team/roadmap.git"
    assert git_source.refresh_seconds == 15
    assert git_source.cache_path.parent == tmp_path / "repos"

    assert isinstance(source_from_settings(settings()), BundledSource)


@pytest.mark.parametrize(
    ("repo", "api", "sent"),
    [
        ("https://github.com/team/roadmap.git", "https://api.github.com", True),
        ("https://ghe.corp.example/team/roadmap.git", "https://ghe.corp.example/api/v3", True),
        ("https://gitlab.example.com/team/roadmap.git", "https://api.github.com", False),
        ("git@github.com:team/roadmap.git", "https://api.github.com", False),
    ],
)
def test_github_token_goes_only_to_the_github_host(repo: str, api: str, sent: bool) -> None:
    s = settings(roadmap_repo=repo, github_api_url=api, github_token="tok123")
    source = source_from_settings(s)
    assert isinstance(source, GitSource)
    assert (source.mirror.token == "tok123") is sent
