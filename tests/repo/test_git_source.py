"""GitSource against real git: a bare remote, file:// URLs, a work repo with local edits."""

from __future__ import annotations

import socket
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.errors import BotError
from bot.repo import GitSource, Snapshot
from tests.support.git import Remote

from .conftest import FakeClock, git, move_away

EXAMPLE_MODULES = 37


def edited(example_bytes: bytes) -> bytes:
    """The example with Ingestion's first box ticked."""
    row = b"| Ingestion                  | "
    return example_bytes.replace(row + b"[ ]", row + b"[x]")


def ingestion_done(snap: Snapshot) -> int:
    return next(m for m in snap.roadmap.modules if m.name == "Ingestion").done


@pytest.mark.parametrize("as_url", [False, True], ids=["bare-path", "file-url"])
def test_reads_the_roadmap_and_its_commit(
    remote: Remote, cache: Path, example_text: str, as_url: bool
) -> None:
    repo = remote.url if as_url else str(remote.bare)
    snap = GitSource(repo, cache_dir=cache).snapshot()

    assert snap.text == example_text
    assert len(snap.roadmap.modules) == EXAMPLE_MODULES
    assert snap.commit == remote.commits[0]
    assert snap.blob == remote.blob("HEAD")
    assert snap.committed_at == datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone(timedelta(hours=2)))
    assert snap.author == "Ada Author"
    assert snap.subject == "Add the roadmap"
    assert snap.location == f"docs/roadmap.md on main of {repo}"


def test_mirror_is_bare_and_inside_the_cache(remote: Remote, cache: Path) -> None:
    source = GitSource(str(remote.bare), cache_dir=cache)
    source.snapshot()
    assert source.cache_path.parent == cache / "repos"
    assert git("rev-parse", "--is-bare-repository", cwd=source.cache_path) == "true"
    # The remote is fetched by address, never recorded as a configured remote.
    assert git("remote", cwd=source.cache_path) == ""


def test_new_commit_seen_only_after_refresh_seconds(
    remote: Remote, cache: Path, clock: FakeClock, example_bytes: bytes
) -> None:
    source = GitSource(str(remote.bare), cache_dir=cache, refresh_seconds=60, clock=clock)
    first = source.snapshot()
    second_sha = remote.commit({"docs/roadmap.md": edited(example_bytes)}, "Tick Ingestion")

    clock.advance(59.9)
    assert source.snapshot() is first

    clock.advance(0.1)
    snap = source.snapshot()
    assert snap.commit == second_sha
    assert ingestion_done(snap) == 1
    assert source.snapshot() is snap  # and not fetched again right away


def test_refresh_fetches_now(
    remote: Remote, cache: Path, clock: FakeClock, example_bytes: bytes
) -> None:
    source = GitSource(str(remote.bare), cache_dir=cache, refresh_seconds=60, clock=clock)
    source.snapshot()
    sha = remote.commit({"docs/roadmap.md": edited(example_bytes)}, "Tick Ingestion")
    assert source.refresh().commit == sha
    assert source.snapshot().commit == sha  # refresh restarts the interval


def test_same_blob_is_parsed_once(remote: Remote, cache: Path, parses: list[str]) -> None:
    source = GitSource(str(remote.bare), cache_dir=cache)
    first = source.snapshot()
    remote.commit({"README.md": b"hello\n"}, "Docs elsewhere")
    second = source.refresh()
    remote.commit({}, "Empty commit")
    third = source.refresh()

    assert len({first.commit, second.commit, third.commit}) == 3
    assert first.blob == second.blob == third.blob
    assert first.roadmap is second.roadmap is third.roadmap
    assert parses == ["docs/roadmap.md"]


def test_reverting_to_an_earlier_blob_reuses_its_parse(
    remote: Remote, cache: Path, example_bytes: bytes
) -> None:
    source = GitSource(str(remote.bare), cache_dir=cache)
    first = source.snapshot()
    remote.commit({"docs/roadmap.md": edited(example_bytes)}, "Tick")
    assert source.refresh().roadmap is not first.roadmap
    remote.commit({"docs/roadmap.md": example_bytes}, "Revert tick")
    assert source.refresh().roadmap is first.roadmap


def test_local_work_repo_is_read_at_its_branch_not_its_working_tree(
    remote: Remote, cache: Path, example_text: str, example_bytes: bytes
) -> None:
    roadmap = remote.work / "docs" / "roadmap.md"
    roadmap.write_bytes(edited(example_bytes))
    git("add", "docs/roadmap.md", cwd=remote.work)  # staged...
    roadmap.write_bytes(b"# not a roadmap at all\n")  # ...and edited again on top

    snap = GitSource(str(remote.work), cache_dir=cache).snapshot()
    assert snap.text == example_text
    assert snap.commit == remote.commits[0]


def test_reads_the_configured_branch_not_the_checked_out_one(
    remote: Remote, cache: Path, example_bytes: bytes, example_text: str
) -> None:
    git("checkout", "-q", "-b", "draft", cwd=remote.work)
    remote.commit({"docs/roadmap.md": edited(example_bytes)}, "Draft tick", push=False)
    assert GitSource(str(remote.work), cache_dir=cache).snapshot().text == example_text
    draft = GitSource(str(remote.work), branch="draft", cache_dir=cache).snapshot()
    assert ingestion_done(draft) == 1


def one_line_error(source: GitSource) -> str:
    with pytest.raises(BotError) as caught:
        source.snapshot()
    message = str(caught.value)
    assert "\n" not in message
    assert source.last_error == message
    return message


def test_missing_branch(remote: Remote, cache: Path) -> None:
    message = one_line_error(GitSource(str(remote.bare), branch="release", cache_dir=cache))
    assert message.startswith(f"ROADMAP_REPO {remote.bare}: cannot fetch branch 'release' (")
    assert "refs/heads/release" in message


def test_missing_file(remote: Remote, cache: Path) -> None:
    message = one_line_error(GitSource(str(remote.bare), path="plan/road.md", cache_dir=cache))
    short = remote.commits[0][:7]
    assert message == f"plan/road.md is not in main of {remote.bare} (commit {short})"


def test_path_naming_a_directory(remote: Remote, cache: Path) -> None:
    message = one_line_error(GitSource(str(remote.bare), path="docs", cache_dir=cache))
    assert message.startswith(f"docs in main of {remote.bare} is a directory, not a file")


@pytest.mark.parametrize("form", ["path", "url"])
def test_missing_repo(tmp_path: Path, cache: Path, form: str) -> None:
    nowhere = tmp_path / "nope"
    repo = str(nowhere) if form == "path" else nowhere.as_uri()
    assert one_line_error(GitSource(repo, cache_dir=cache)) == (
        f"ROADMAP_REPO {repo}: no such repository"
    )
    assert not cache.exists()  # a wrong name leaves nothing behind


def test_directory_that_is_not_a_repo(tmp_path: Path, cache: Path) -> None:
    message = one_line_error(GitSource(str(tmp_path), cache_dir=cache))
    assert message.startswith(f"ROADMAP_REPO {tmp_path}: cannot fetch branch 'main' (")


def test_file_that_is_not_utf8_names_file_line_and_commit(remote: Remote, cache: Path) -> None:
    sha = remote.commit({"docs/roadmap.md": b"# Roadmap\n\nbad \xff byte\n"}, "Break it")
    message = one_line_error(GitSource(str(remote.bare), cache_dir=cache))
    assert message.startswith("docs/roadmap.md:3: not UTF-8 text")
    assert message.endswith(f"(commit {sha[:7]} on main)")


def test_failed_fetch_keeps_the_last_good_snapshot(
    remote: Remote, cache: Path, clock: FakeClock
) -> None:
    source = GitSource(str(remote.bare), cache_dir=cache, refresh_seconds=60, clock=clock)
    good = source.snapshot()
    gone = move_away(remote.bare)

    clock.advance(60)
    assert source.snapshot() is good
    assert source.last_error == f"ROADMAP_REPO {remote.bare}: no such repository"
    assert source.refresh() is good

    gone.rename(remote.bare)
    assert source.refresh().commit == good.commit
    assert source.last_error is None


def test_branch_gone_and_file_gone_keep_the_last_good_snapshot(remote: Remote, cache: Path) -> None:
    source = GitSource(str(remote.bare), cache_dir=cache)
    good = source.snapshot()

    git("rm", "-q", "docs/roadmap.md", cwd=remote.work)
    sha = remote.commit({}, "Remove the roadmap")
    assert source.refresh() is good
    missing = f"docs/roadmap.md is not in main of {remote.bare} (commit {sha[:7]})"
    assert source.last_error == missing

    git("update-ref", "-d", "refs/heads/main", cwd=remote.bare)
    assert source.refresh() is good
    assert source.last_error is not None
    assert "cannot fetch branch 'main'" in source.last_error


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_token_never_lands_in_config_or_errors(cache: Path) -> None:
    token = "ghs_s3cretT0kenValue1234567890"
    url = f"https://127.0.0.1:{closed_port()}/team/roadmap.git"
    # GITHUB_API_URL names this host, so the token is handed to git (and must go nowhere else).
    source = GitSource(url, cache_dir=cache, token=token, api_url="https://127.0.0.1/api/v3")
    assert source.mirror.token == token
    message = one_line_error(source)

    assert message.startswith(f"ROADMAP_REPO {url}: cannot fetch branch 'main' (")
    assert token not in message
    config = (source.cache_path / "config").read_text()
    assert token not in config
    assert "extraheader" not in config
    for path in cache.rglob("*"):
        if path.is_file():
            assert token.encode() not in path.read_bytes(), path


def test_credentials_in_the_url_are_not_shown(cache: Path) -> None:
    url = f"https://bot:hunter2@127.0.0.1:{closed_port()}/team/roadmap.git"
    source = GitSource(url, cache_dir=cache)
    message = one_line_error(source)
    assert "hunter2" not in message
    assert "hunter2" not in source.location
    assert "https://127.0.0.1:" in source.location


def test_two_threads_refreshing_at_once_both_succeed(remote: Remote, cache: Path) -> None:
    # Two sources on one cache as well as two threads on one source: both share the mirror.
    source = GitSource(str(remote.bare), cache_dir=cache)
    other = GitSource(remote.url, cache_dir=cache)
    assert other.cache_path == source.cache_path
    barrier = threading.Barrier(4)
    results: list[Snapshot] = []
    errors: list[BaseException] = []

    def run(s: GitSource) -> None:
        barrier.wait()
        try:
            results.append(s.refresh())
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=run, args=(s,)) for s in (source, source, other, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert errors == []
    assert [r.commit for r in results] == [remote.commits[0]] * 4


@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbf" + b"# Roadmap\r\n\r\n| Module | Docs |\r\n|---|---|\r\n| **G** | |\r\n"
        b"| A | [ ] |\r\n",
        b"# Roadmap\r\n\r\n| Module | Docs |\n|---|---|\r| **G** | |\r\n| A | [x] |",
    ],
    ids=["bom-crlf", "mixed-newlines-no-final"],
)
def test_text_is_byte_identical(remote: Remote, cache: Path, data: bytes) -> None:
    sha = remote.commit({"docs/roadmap.md": data}, "Windows edit")
    snap = GitSource(str(remote.bare), cache_dir=cache).snapshot()
    assert snap.commit == sha
    assert snap.text.encode("utf-8") == data
    assert [m.name for m in snap.roadmap.modules] == ["A"]
