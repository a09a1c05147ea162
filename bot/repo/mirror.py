"""The roadmap repo's bare mirror in the cache: lock, fetch a branch, read a file at a commit.

Only committed, fetched state is ever read (a bare repo has no working tree people edit).
Several threads and processes may share a cache, so every git command on a mirror runs under
`mirror.lock()`: a threading lock plus an `fcntl.flock` on a lock file next to the mirror.
git runs through the runner in `git.py` (timeouts, redaction, GitError). The remote URL is
never stored in the mirror's config (we fetch by URL), and a token travels only in the git
process's environment.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import GitError, SettingsError
from ..redact import without_userinfo
from .git import DEFAULT_API_URL, TIMEOUT, Git, auth_header, first_error_line, git_env, token_for

__all__ = [
    "FETCH_TIMEOUT",
    "Commit",
    "GitFailed",
    "Mirror",
    "auth_header",
    "display",
    "first_error_line",
    "git_env",
    "is_url",
    "local_path",
    "mirror_path",
    "repo_lock",
]

FETCH_TIMEOUT = TIMEOUT  # seconds; a hung network must not hold the repo lock forever
_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_SCP_LIKE = re.compile(r"^(?:[^@/]+@)?[^/:]+:")  # user@host:path, git's rule: a colon before any /


def is_url(repo: str) -> bool:
    """True for anything git treats as a remote address rather than a local path."""
    return bool(_URL_SCHEME.match(repo) or _SCP_LIKE.match(repo))


def local_path(repo: str) -> Path | None:
    """The directory a local path or file:// URL names; None for a network remote."""
    if repo.startswith("file://"):
        return Path(urlsplit(repo).path)
    if is_url(repo):
        return None
    return Path(repo).expanduser().absolute()


def display(repo: str) -> str:
    """The repo as people may see it: any user:password@ taken out of a URL."""
    return without_userinfo(repo)


def default_cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "roadmap-bot"


def mirror_path(repo: str, cache_root: Path | None = None) -> Path:
    """Where `repo` is mirrored: <root>/repos/<last name>-<hash of the address>.

    The hash keeps two repos with the same name apart; the name keeps the cache readable.
    """
    path = local_path(repo)
    key = str(path) if path is not None else repo
    tail = re.sub(r"\.git$", "", key.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1])
    tail = re.sub(r"[^A-Za-z0-9._-]+", "-", tail).strip(".-")[:40] or "repo"
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return (cache_root or default_cache_root()) / "repos" / f"{tail}-{digest}"


# A failed git command. The runner's GitError under the name the callers knew.
GitFailed = GitError


class _RepoLock:
    """A re-entrant lock over one mirror, across threads and processes.

    flock() locks belong to an open file, so the file is opened by the outermost holder
    only; the threading lock keeps the other threads of this process waiting in Python.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._thread_lock = threading.RLock()
        self._depth = 0
        self._file: int | None = None

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._thread_lock:
            if self._depth == 0:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                except BaseException:
                    os.close(fd)
                    raise
                self._file = fd
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0 and self._file is not None:
                    fcntl.flock(self._file, fcntl.LOCK_UN)
                    os.close(self._file)
                    self._file = None


_locks: dict[Path, _RepoLock] = {}
_locks_guard = threading.Lock()


def repo_lock(mirror: Path) -> _RepoLock:
    """The one lock of this process for the mirror at `mirror` (lock file beside it)."""
    lock_file = mirror.with_name(mirror.name + ".lock")
    with _locks_guard:
        return _locks.setdefault(lock_file, _RepoLock(lock_file))


@dataclass(frozen=True)
class Commit:
    sha: str
    committed_at: datetime
    author: str
    subject: str


class Mirror:
    """A bare repo in the cache that holds what was last fetched of `repo`.

    Fetched branches live at refs/remotes/origin/<branch>; nothing else is kept.
    """

    def __init__(
        self,
        repo: str,
        cache_root: Path | None = None,
        token: str | None = None,
        timeout: float = FETCH_TIMEOUT,
        api_url: str = DEFAULT_API_URL,
    ) -> None:
        local = local_path(repo)
        self.repo = repo  # as configured, for messages
        # git wants an absolute path for a local remote whatever our cwd is later.
        self.remote = str(local) if local is not None and not repo.startswith("file://") else repo
        self.path = mirror_path(repo, cache_root)
        # GITHUB_TOKEN only for the GitHub host of GITHUB_API_URL (`api_url`), on every path
        # (reads, tick fetches and pushes alike): the one check is here, where git is given it.
        token = token_for(self.remote, token, api_url)
        self.token = token
        self.timeout = timeout
        self._local = local
        self._lock = repo_lock(self.path)
        # Every git command on the mirror, with the token for the remote and one deadline.
        self.git = Git(self.path, remote=self.remote, token=token, timeout=timeout)
        self._created = False

    @contextmanager
    def lock(self) -> Iterator[None]:
        with self._lock.held():
            yield

    @property
    def is_local(self) -> bool:
        """The remote is a path on this machine (no network, maybe a non-bare repo)."""
        return self._local is not None

    @property
    def secrets(self) -> tuple[str, ...]:
        return self.git.secrets

    def check_remote(self) -> None:
        """Raise SettingsError now for a local remote that is not there (git's own message
        for it is long and says nothing of where the name came from)."""
        if self._local is not None and not self._local.exists():
            raise SettingsError(f"ROADMAP_REPO {display(self.repo)}: no such repository")

    def fetch(self, branch: str) -> None:
        """Bring refs/remotes/origin/<branch> up to date. Raises GitFailed or SettingsError."""
        self.check_remote()
        with self.lock():
            refspec = f"+refs/heads/{branch}:refs/remotes/origin/{branch}"
            self._run("fetch", "--no-tags", "--quiet", self.remote, refspec)

    def fetch_branch(self, branch: str) -> None:
        """fetch(), its failure said in the one line every reader of ROADMAP_REPO uses."""
        try:
            self.fetch(branch)
        except GitError as err:
            # The same class: a refusal (GitRefused) stays one for whoever decides on a retry.
            raise type(err)(
                f"ROADMAP_REPO {display(self.repo)}: cannot fetch branch '{branch}' ({err})"
            ) from None

    def commit(self, branch: str) -> Commit | None:
        """The fetched tip of `branch`, or None when it was never fetched."""
        with self.lock():
            ref = f"refs/remotes/origin/{branch}"
            try:
                out = self._run("log", "-1", "--format=%H%x00%cI%x00%an%x00%s", ref, "--")
            except GitFailed:
                return None
        sha, date, author, subject = out.decode("utf-8", "replace").rstrip("\n").split("\0", 3)
        return Commit(sha, datetime.fromisoformat(date), author, subject)

    def entry(self, commit: str, path: str) -> tuple[str, str] | None:
        """(type, sha) of `path` in `commit` ("blob", "tree", "commit"), None when absent."""
        with self.lock():
            out = self._run("ls-tree", "-z", "--full-tree", commit, "--", path)
        for record in out.split(b"\0"):
            meta, _, name = record.partition(b"\t")
            if name.decode("utf-8", "surrogateescape") == path.strip("/"):
                _mode, kind, sha = meta.decode().split()
                return kind, sha
        return None

    def run(self, *args: str) -> bytes:
        """stdout of a read-only `git <args>` in the mirror, under its lock. Raises GitFailed."""
        with self.lock():
            return self._run(*args)

    def blob(self, sha: str) -> bytes:
        """The exact bytes of a blob."""
        with self.lock():
            return self._run("cat-file", "blob", sha)

    def _open(self) -> None:
        """Create the mirror on first use (into a temp dir, then renamed into place, so a
        crash never leaves a half-made mirror). Call with the lock held."""
        if self._created:
            return
        if not (self.path / "HEAD").exists():
            tmp = self.path.with_name(f"{self.path.name}.tmp-{os.getpid()}")
            shutil.rmtree(tmp, ignore_errors=True)
            shutil.rmtree(self.path, ignore_errors=True)  # a leftover that is not a repo
            try:
                tmp.parent.mkdir(parents=True, exist_ok=True)
                Git(tmp.parent, timeout=self.timeout).run("init", "--quiet", "--bare", tmp.name)
                tmp.rename(self.path)
            except (OSError, GitError) as err:
                shutil.rmtree(tmp, ignore_errors=True)
                raise SettingsError(
                    f"cache {self.path}: cannot create the mirror ({err})"
                ) from None
        self._created = True

    def _run(self, *args: str) -> bytes:
        """stdout of `git <args>` in the mirror, as bytes exactly (no newline stripped)."""
        self._open()
        return self.git.run(*args)
