"""A read-only tree of files: what drift reads the docs site from.

Two kinds: the work tree (the CLI, run in a docs repo) and git's tree at a commit (``serve``
and the digest, which read the roadmap's commit from the mirror and never check it out).
A git tree is listed with one ``git ls-tree -r -l -z`` and read with one ``git cat-file
--batch`` process; both are cached per tree SHA, since a tree never changes. Both are read
as git writes them, so the reader's work and git's overlap (two cores).
"""

from __future__ import annotations

import codecs
import contextlib
import io
import os
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Protocol, cast

from bot.errors import GitError
from bot.gcpause import gc_paused

GIT_TIMEOUT = 60.0


class Tree(Protocol):
    """Files by repo-relative POSIX path. ``key`` identifies the content (cache key)."""

    key: str

    def paths(self) -> frozenset[str]: ...

    def read(self, path: str) -> bytes | None: ...

    def read_many(self, paths: Iterable[str]) -> dict[str, bytes]: ...

    def read_each(self, paths: Iterable[str]) -> Iterator[tuple[str, bytes]]: ...

    def size(self, path: str) -> int | None: ...


def parent_dirs(paths: Iterable[str]) -> frozenset[str]:
    """Every directory that holds a file of `paths` ("" is the root)."""
    dirs: set[str] = {""}
    for p in paths:
        d = p.rpartition("/")[0]
        while d and d not in dirs:
            dirs.add(d)
            d = d.rpartition("/")[0]
    return frozenset(dirs)


class WorkTree:
    """A directory on disk (``.git`` and other dot-directories at any level are skipped)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.key = f"work:{self.root.resolve()}"
        self._paths: frozenset[str] | None = None

    def paths(self) -> frozenset[str]:
        if self._paths is None:
            found: list[str] = []
            stack = [("", str(self.root))]
            while stack:
                prefix, where = stack.pop()
                try:
                    entries = list(os.scandir(where))
                except OSError:
                    continue
                for e in entries:
                    rel = prefix + e.name
                    if e.is_dir(follow_symlinks=False):
                        if e.name != ".git":
                            stack.append((rel + "/", e.path))
                    elif e.is_file():
                        found.append(rel)
            self._paths = frozenset(found)
        return self._paths

    def read(self, path: str) -> bytes | None:
        if path not in self.paths():
            return None
        try:
            return (self.root / path).read_bytes()
        except OSError:
            return None

    def read_many(self, paths: Iterable[str]) -> dict[str, bytes]:
        return dict(self.read_each(paths))

    def read_each(self, paths: Iterable[str]) -> Iterator[tuple[str, bytes]]:
        for p in paths:
            data = self.read(p)
            if data is not None:
                yield p, data

    def size(self, path: str) -> int | None:
        if path not in self.paths():
            return None
        try:
            return (self.root / path).stat().st_size
        except OSError:
            return None


class GitTree:
    """git's tree at `commit` in the repository `git_dir` (bare or not). No work tree."""

    def __init__(self, git_dir: str | os.PathLike[str], commit: str) -> None:
        self.git_dir = str(git_dir)
        self.commit = commit
        tree_sha = _git(self.git_dir, "rev-parse", "--verify", f"{commit}^{{tree}}").strip()
        self.key = f"git:{tree_sha}"
        with _CACHE_LOCK:
            cached = _LISTINGS.get((self.git_dir, tree_sha))
        if cached is None:
            with gc_paused():  # one tuple per file, all kept: see bot.gcpause
                cached = _Listing(_ls_tree(self.git_dir, tree_sha))
            with _CACHE_LOCK:
                _LISTINGS[(self.git_dir, tree_sha)] = cached
                while len(_LISTINGS) > _MAX_TREES:
                    _LISTINGS.pop(next(iter(_LISTINGS)))
        self._listing = cached

    def paths(self) -> frozenset[str]:
        return self._listing.paths

    def size(self, path: str) -> int | None:
        entry = self._listing.entries.get(path)
        return entry[1] if entry else None

    def read(self, path: str) -> bytes | None:
        return self.read_many([path]).get(path)

    def read_many(self, paths: Iterable[str]) -> dict[str, bytes]:
        wanted = [p for p in paths if p in self._listing.entries]
        got = dict(self.read_each(wanted))
        return {p: got[p] for p in wanted}

    def read_each(self, paths: Iterable[str]) -> Iterator[tuple[str, bytes]]:
        """(path, bytes) of `paths` that are in the tree: those read before first, then the
        rest as one ``git cat-file`` process gives them, so the caller works on the first
        pages while git reads the next ones (on another core)."""
        listing = self._listing
        blobs = listing.blobs
        paths_of: dict[str, list[str]] = {}  # blob sha -> the paths not read yet
        for p in dict.fromkeys(paths):
            data = blobs.get(p)
            if data is not None:
                yield p, data
            elif p in listing.entries:
                paths_of.setdefault(listing.entries[p][0], []).append(p)
        # Each distinct blob once: a site's copies and stubs ("Stub.\n") share one, and the
        # pages that share it get the same bytes object. Two threads may read a blob at
        # once; both get the same bytes (storing into a dict needs no lock).
        for sha, data in zip(paths_of, _cat_file(self.git_dir, list(paths_of)), strict=True):
            for p in paths_of[sha]:
                blobs[p] = data
                yield p, data


class _Listing:
    """One tree's files: path -> (blob sha, size), and the blobs read so far."""

    def __init__(self, entries: dict[str, tuple[str, int]]) -> None:
        self.entries = entries
        self.paths = frozenset(entries)
        self.blobs: dict[str, bytes] = {}


_MAX_TREES = 8
_LISTINGS: dict[tuple[str, str], _Listing] = {}
_CACHE_LOCK = threading.Lock()


def _git(git_dir: str, *args: str, stdin: bytes | None = None) -> str:
    return _git_bytes(git_dir, *args, stdin=stdin).decode("utf-8", "replace")


def _git_bytes(git_dir: str, *args: str, stdin: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(
            ["git", "-C", git_dir, *args],
            input=stdin,
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        raise GitError(f"git {args[0]} failed in {git_dir}: {err}") from None
    if done.returncode != 0:
        line = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {args[0]} failed in {git_dir}: {line[0] if line else 'error'}")
    return done.stdout


def _ls_tree(git_dir: str, tree: str) -> dict[str, tuple[str, int]]:
    # Records "mode kind sha size\tpath" ended by NUL (a path holds no NUL); split, not
    # matched, a chunk at a time as git writes them. Submodules (commit entries, size "-")
    # hold no files here.
    entries: dict[str, tuple[str, int]] = {}
    decode = codecs.getincrementaldecoder("utf-8")("surrogateescape").decode
    tail = ""
    with _git_stream(git_dir, ["ls-tree", "-r", "-l", "-z", tree]) as out:
        while chunk := out.read1(1 << 16):
            records = (tail + decode(chunk)).split("\0")
            tail = records.pop()  # the start of a record git has not finished writing
            for record in records:
                meta, _, path = record.partition("\t")
                fields = meta.split()
                if len(fields) == 4 and fields[1] == "blob":
                    entries[path] = (fields[2], int(fields[3]))
    return entries


def _cat_file(git_dir: str, shas: list[str]) -> Iterator[bytes]:
    """The blobs `shas`, in order, from one ``git cat-file --batch`` process, each as soon as
    git has written it."""
    if not shas:
        return
    request = "\n".join(shas).encode() + b"\n"
    with _git_stream(git_dir, ["cat-file", "--batch"], request) as out:
        for _ in shas:
            line = out.readline()
            header = line.split()
            if len(header) != 3:  # "<sha> missing", or nothing: git stopped
                raise GitError(f"git cat-file: unexpected answer {line[:80]!r}")
            size = int(header[2])
            data = out.read(size)
            if len(data) != size or out.read(1) != b"\n":  # a blob is followed by a newline
                raise GitError("git cat-file: an answer ended early")
            yield data


@contextlib.contextmanager
def _git_stream(
    git_dir: str, args: list[str], request: bytes | None = None
) -> Iterator[io.BufferedReader]:
    """git's output as git writes it: the caller works on the start while git writes the rest
    (on another core). `request` goes in from a thread (it can be more than a pipe holds
    while git waits for its answers to be read), stderr to a file (it could fill its pipe
    too). git is killed after GIT_TIMEOUT, or when the caller stops early; a git that fails
    is a GitError with git's first line of stderr."""
    failed = f"git {args[0]} failed in {git_dir}"
    with tempfile.TemporaryFile() as errors:
        try:
            proc = subprocess.Popen(
                ["git", "-C", git_dir, *args],
                stdin=subprocess.DEVNULL if request is None else subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
                bufsize=1 << 16,  # what a pipe holds: fewer reads than the default 8 KiB
            )
        except OSError as err:
            raise GitError(f"{failed}: {err}") from None
        writer = None
        if request is not None:
            writer = threading.Thread(target=_feed, args=(proc.stdin, request), daemon=True)
            writer.start()
        expired = threading.Event()

        def expire() -> None:
            expired.set()
            proc.kill()

        timer = threading.Timer(GIT_TIMEOUT, expire)
        timer.daemon = True  # a reader never closed must not keep the process from exiting
        timer.start()
        out = cast(io.BufferedReader, proc.stdout)  # stdout=PIPE, buffered
        try:
            yield out
        except GitError:  # an answer the caller could not read: git's own reason first
            try:
                code = proc.wait(timeout=0.2)  # git that stopped writing is about to end
            except subprocess.TimeoutExpired:
                proc.kill()  # still running: the answer itself was odd
                raise
            if code != 0:
                raise _failure(failed, code, expired, errors) from None
            raise
        except BaseException:  # the caller stopped early
            proc.kill()
            raise
        finally:
            out.close()
            code = proc.wait()
            timer.cancel()
            if writer is not None:
                writer.join()
        if code != 0:
            raise _failure(failed, code, expired, errors)


def _feed(stdin: IO[bytes], request: bytes) -> None:
    try:
        with stdin:
            stdin.write(request)
    except OSError:
        pass  # git stopped reading: its exit status says why


def _failure(failed: str, code: int, expired: threading.Event, errors: IO[bytes]) -> GitError:
    if code < 0 and expired.is_set():
        return GitError(f"{failed}: timed out after {GIT_TIMEOUT:g} s")
    errors.seek(0)
    line = errors.read().decode("utf-8", "replace").strip().splitlines()
    return GitError(f"{failed}: {line[0] if line else 'error'}")
