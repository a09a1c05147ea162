"""Where the roadmap is read from: the bundled example, a plain file, or a branch of a repo.

Every source hands out Snapshots: the parsed roadmap with the exact text it came from and,
for git, the commit it was read at. A source re-reads only when the file may have changed
and parses a given content once. When re-reading fails after a good read, the last good
snapshot keeps being served and the failure is kept in `last_error` for people to see.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Protocol

from ..config import Settings
from ..errors import BotError, GitError, RoadmapFileError
from ..roadmap import parse
from ..roadmap.model import Roadmap
from .git import DEFAULT_API_URL
from .mirror import Mirror, display

BUNDLED_LOCATION = "the bundled example roadmap"
_PARSED_BLOBS = 8  # parsed versions kept per source: enough to survive a revert or two


@dataclass(frozen=True)
class Snapshot:
    roadmap: Roadmap
    text: str  # the file text exactly as stored (decoded UTF-8, newlines untouched)
    location: str  # for people: "docs/roadmap.md on main of <repo>", a path, the bundled example
    commit: str | None = None  # full sha of the fetched commit (None for a plain file / bundled)
    committed_at: datetime | None = None  # that commit's committer date (tz-aware)
    author: str | None = None  # that commit's author name
    subject: str | None = None  # that commit's subject line
    blob: str | None = None  # blob sha of the file at that commit


class RoadmapSource(Protocol):
    location: str
    last_error: str | None

    def snapshot(self) -> Snapshot:
        """The current roadmap; reads again only when it may have changed."""
        ...

    def refresh(self) -> Snapshot:
        """Read now (on demand)."""
        ...


class _CachingSource:
    """The serving rules shared by every source; subclasses say how to read and when."""

    location: str

    def __init__(self) -> None:
        self.last_error: str | None = None
        self._current: Snapshot | None = None
        self._lock = threading.Lock()  # one read at a time per source

    def snapshot(self) -> Snapshot:
        current = self._current
        if current is not None and not self._stale():
            return current  # the common case: no lock, no I/O beyond _stale()
        with self._lock:
            # Another thread may have read while we waited for the lock.
            if self._current is not None and not self._stale():
                return self._current
            return self._update()

    def refresh(self) -> Snapshot:
        """Read now. Returns the new snapshot, or the last good one with `last_error` set;
        raises (a BotError) only when there has never been a good read."""
        with self._lock:
            return self._update()

    def _update(self) -> Snapshot:
        try:
            snap = self._read()
        except BotError as err:
            self.last_error = str(err)
            self._checked()  # a failing remote is retried at the usual pace, not per question
            if self._current is None:
                raise
            return self._current
        self._current = snap
        self.last_error = None
        self._checked()
        return snap

    def _stale(self) -> bool:
        raise NotImplementedError

    def _checked(self) -> None:
        """Note that a read was just attempted."""

    def _read(self) -> Snapshot:
        raise NotImplementedError


class BundledSource(_CachingSource):
    """The example roadmap shipped in the package (used when no ROADMAP_REPO is set)."""

    location = BUNDLED_LOCATION

    def _stale(self) -> bool:
        return False  # package data does not change under a running process

    def _read(self) -> Snapshot:
        data = resources.files("bot").joinpath("examples/roadmap.md").read_bytes()
        source = "bot/examples/roadmap.md"
        text = parse.decode(data, source=source)
        return Snapshot(parse.parse(text, source=source), text, self.location)


def read_bytes(path: Path, location: str | None = None) -> bytes:
    """A roadmap file's bytes, or a one-line RoadmapFileError naming it."""
    where = location or str(path)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise RoadmapFileError(f"{where}: no such file") from None
    except IsADirectoryError:
        raise RoadmapFileError(f"{where}: is a directory, not a roadmap file") from None
    except OSError as err:
        raise RoadmapFileError(f"{where}: cannot read ({err.strerror})") from None


class FileSource(_CachingSource):
    """A plain roadmap file on disk, read again whenever its mtime or size changes."""

    def __init__(self, path: str | Path) -> None:
        super().__init__()
        self.path = Path(path)
        self.location = str(path)
        self._seen: tuple[int, int, int] | None = None  # (mtime_ns, size, inode) last read
        self._data: bytes | None = None

    def _stat(self) -> tuple[int, int, int] | None:
        try:
            st = self.path.stat()
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def _stale(self) -> bool:
        return self._stat() != self._seen

    def _read(self) -> Snapshot:
        # Stat before reading: a write landing in between shows as a change next time.
        self._seen = self._stat()
        data = read_bytes(self.path, self.location)
        if self._current is not None and data == self._data:
            return self._current  # touched, not changed: no parse
        text = parse.decode(data, source=self.location)
        snap = Snapshot(parse.parse(text, source=self.location), text, self.location)
        self._data = data
        return snap


class GitSource(_CachingSource):
    """The roadmap file on a branch of a git repo, read at the fetched commit.

    `repo` is a git URL (https, ssh, file://) or a local path to a normal or bare repo; it
    is fetched into a bare mirror under `cache_dir` (default ~/.cache/roadmap-bot) at most
    every `refresh_seconds` of `clock`, and on refresh(). Each blob is parsed once.
    """

    def __init__(
        self,
        repo: str,
        branch: str = "main",
        path: str = "docs/roadmap.md",
        cache_dir: Path | None = None,
        refresh_seconds: float = 60.0,
        token: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        api_url: str = DEFAULT_API_URL,
    ) -> None:
        super().__init__()
        self.repo = repo
        self.branch = branch.removeprefix("refs/heads/")
        self.path = str(PurePosixPath(path.lstrip("/")))  # "./docs/x.md" and "/docs/x.md" alike
        self.refresh_seconds = refresh_seconds
        self.location = f"{self.path} on {self.branch} of {display(repo)}"
        self._clock = clock
        self._checked_at: float | None = None
        # The token reaches git only for the GitHub host of `api_url` (Mirror checks).
        self._mirror = Mirror(repo, cache_dir, token, api_url=api_url)
        self._parsed: OrderedDict[str, tuple[str, Roadmap]] = OrderedDict()

    @property
    def mirror(self) -> Mirror:
        """The bare mirror this source fetches into (history and ticks share its lock)."""
        return self._mirror

    @property
    def cache_path(self) -> Path:
        """The bare mirror this source fetches into."""
        return self._mirror.path

    def _stale(self) -> bool:
        return self._checked_at is None or self._clock() - self._checked_at >= self.refresh_seconds

    def _checked(self) -> None:
        self._checked_at = self._clock()

    def _read(self) -> Snapshot:
        repo, branch, path = display(self.repo), self.branch, self.path
        mirror = self._mirror
        mirror.check_remote()  # before the lock: a wrong name should leave no lock file behind
        with mirror.lock():  # fetch and read as one step against other fetchers
            mirror.fetch_branch(branch)
            try:
                commit = mirror.commit(branch)
                entry = None if commit is None else mirror.entry(commit.sha, path)
            except GitError as err:  # reading our own mirror failed: name it, it may be damaged
                raise GitError(f"ROADMAP_REPO {repo}: cache {mirror.path}: {err}") from None
            if commit is None:
                raise GitError(f"ROADMAP_REPO {repo}: branch '{branch}' was not fetched")
            short = commit.sha[:7]
            if entry is None:
                raise RoadmapFileError(f"{path} is not in {branch} of {repo} (commit {short})")
            kind, blob = entry
            if kind != "blob":
                what = {"tree": "a directory", "commit": "a submodule"}.get(kind, kind)
                raise RoadmapFileError(
                    f"{path} in {branch} of {repo} is {what}, not a file (commit {short})"
                )
            try:
                text, roadmap = self._parse_blob(blob, short)
            except GitError as err:
                raise GitError(f"ROADMAP_REPO {repo}: cache {mirror.path}: {err}") from None
        return Snapshot(
            roadmap=roadmap,
            text=text,
            location=self.location,
            commit=commit.sha,
            committed_at=commit.committed_at,
            author=commit.author,
            subject=commit.subject,
            blob=blob,
        )

    def _parse_blob(self, blob: str, commit: str) -> tuple[str, Roadmap]:
        """The text and roadmap of a blob, parsed on first sight only."""
        found = self._parsed.get(blob)
        if found is not None:
            self._parsed.move_to_end(blob)
            return found
        data = self._mirror.blob(blob)
        try:
            text = parse.decode(data, source=self.path)
            roadmap = parse.parse(text, source=self.path)
        except RoadmapFileError as err:
            # Say which version is broken: the fix is a commit, and people look for it.
            raise RoadmapFileError(f"{err} (commit {commit} on {self.branch})") from None
        self._parsed[blob] = (text, roadmap)
        if len(self._parsed) > _PARSED_BLOBS:
            self._parsed.popitem(last=False)
        return text, roadmap


def source_from_settings(settings: Settings, roadmap_file: str | None = None) -> RoadmapSource:
    """A file named on the command line, else ROADMAP_REPO, else the bundled example.

    GITHUB_TOKEN is sent only to the GitHub host of GITHUB_API_URL: a token for GitHub has
    no business reaching another server named in ROADMAP_REPO.
    """
    if roadmap_file is not None:
        return FileSource(Path(roadmap_file))
    if settings.roadmap_repo:
        return GitSource(
            settings.roadmap_repo,
            branch=settings.roadmap_branch,
            path=settings.roadmap_path,
            cache_dir=Path(settings.cache_dir).expanduser() if settings.cache_dir else None,
            refresh_seconds=settings.roadmap_refresh_seconds,
            token=settings.github_token,
            api_url=settings.github_api_url,
        )
    return BundledSource()
