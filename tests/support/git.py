"""Real git for tests: a clean environment, a `git` runner, and the one bare-remote builder.

`make_remote` gives a bare repository whose main holds the roadmap at docs/roadmap.md (what the
bot reads, fetches and pushes to) and a work clone of it to commit and push from by hand.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

PATH = "docs/roadmap.md"
# The first commit's date: fixed, so tests can assert the committed_at a snapshot reports.
FIRST_DATE = "2024-05-06T07:08:09+02:00"

# Tests must not depend on (or write to) the developer's git config, nor wait for a prompt.
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


def git(
    cwd: Path, *args: str, env: Mapping[str, str] | None = None, date: str | None = None
) -> str:
    """Run git in `cwd`; its stdout, decoded as is (no newline translation, not stripped).
    `date` sets the author and committer dates, else git takes the current time."""
    full = {**GIT_ENV, **(env or {})}
    if date is not None:
        full |= {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    done = subprocess.run(
        ["git", "-c", "init.defaultBranch=main", "-c", "core.autocrlf=false", *args],
        cwd=cwd,
        env=full,
        check=True,
        capture_output=True,
    )
    return done.stdout.decode()


@dataclass
class Remote:
    """A bare remote with the roadmap on main, and a work clone (origin = the bare) to push
    from by hand. `commits` lists what was committed through this object, oldest first."""

    bare: Path
    work: Path
    commits: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.bare.as_uri()

    def commit(
        self,
        files: Mapping[str, bytes],
        message: str,
        date: str = FIRST_DATE,
        push: bool = True,
    ) -> str:
        """Write `files` in the work clone, commit them all (dated `date`), push to main."""
        for name, data in files.items():
            target = self.work / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        git(self.work, "add", "-A")
        git(self.work, "commit", "-q", "--allow-empty", "-m", message, date=date)
        sha = git(self.work, "rev-parse", "HEAD").strip()
        self.commits.append(sha)
        if push:
            git(self.work, "push", "-q", "origin", "main")
        return sha

    def commit_by_hand(self, change: Callable[[bytes], bytes], message: str = "by hand") -> None:
        """A person's edit, now: pull main, change the roadmap's bytes, commit, push."""
        git(self.work, "pull", "-q", "--ff-only", "origin", "main")
        path = self.work / PATH
        path.write_bytes(change(path.read_bytes()))
        git(self.work, "commit", "-q", "-am", message)
        git(self.work, "push", "-q", "origin", "main")

    def text(self, ref: str = "main") -> bytes:
        """The roadmap's bytes at `ref` on the remote."""
        return subprocess.run(
            ["git", "show", f"{ref}:{PATH}"],
            cwd=self.bare,
            env=GIT_ENV,
            check=True,
            capture_output=True,
        ).stdout

    def log(self, ref: str = "main") -> list[str]:
        """The commits of `ref` on the remote, newest first."""
        return git(self.bare, "log", "--format=%H", ref).split()

    def blob(self, rev: str, path: str = PATH) -> str:
        """The blob id of `path` at `rev` in the work clone."""
        return git(self.work, "rev-parse", f"{rev}:{path}").strip()


def make_remote(tmp_path: Path, roadmap: str | bytes) -> Remote:
    """A bare remote (tmp_path/remote.git) whose main holds `roadmap` at docs/roadmap.md in one
    commit, "Add the roadmap", and a work clone of it (tmp_path/work)."""
    data = roadmap.encode("utf-8") if isinstance(roadmap, str) else roadmap
    seed = tmp_path / "seed"
    (seed / "docs").mkdir(parents=True)
    (seed / PATH).write_bytes(data)
    git(seed, "init", "-q")
    git(seed, "add", ".")
    git(seed, "commit", "-q", "-m", "Add the roadmap", date=FIRST_DATE)
    sha = git(seed, "rev-parse", "HEAD").strip()
    bare = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(seed), str(bare))
    work = tmp_path / "work"
    git(tmp_path, "clone", "-q", str(bare), str(work))
    return Remote(bare, work, [sha])
