"""Write commits into the mirror with git plumbing, and push them.

GitPython's index is not thread-safe (`IndexFile.add` chdirs, `index.commit` shares
COMMIT_EDITMSG), so a commit is built from plumbing into a private index file: the tree of
the parent, one blob replaced, write-tree, commit-tree. Nothing touches a working tree.
Commands run with an argument list (never a shell); stdin carries the file and the message.
Call everything here with `mirror.lock()` held.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .mirror import GitFailed, Mirror, first_error_line, git_env, redact

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
# Pushing into a non-bare local repo whose branch is checked out: update its working tree
# too when it is clean (git refuses otherwise). A fixed string, never built from input.
_UPDATE_INSTEAD = "git -c receive.denyCurrentBranch=updateInstead receive-pack"


@dataclass(frozen=True)
class Identity:
    name: str
    email: str


def bot_branch(path: str, prefix: str = "roadmap-bot") -> str:
    """The bot's pull-request branch for a roadmap file: a fixed pattern, safe characters."""
    slug = _SAFE.sub("-", path.strip("/")).strip("-.").lower() or "roadmap"
    return f"{prefix}/{slug}"[:200]


def _run(
    mirror: Mirror, args: tuple[str, ...], input: bytes | None, env: dict[str, str] | None
) -> subprocess.CompletedProcess[bytes]:
    full_env = {**os.environ, **git_env(mirror.remote, mirror.token), **(env or {})}
    return subprocess.run(
        ["git", *args],
        cwd=mirror.path,
        input=input,
        env=full_env,
        capture_output=True,
        timeout=mirror.timeout,
        check=False,
    )


def git(
    mirror: Mirror, *args: str, input: bytes | None = None, env: dict[str, str] | None = None
) -> str:
    proc = _run(mirror, args, input, env)
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace")
        raise GitFailed(redact(first_error_line(err), mirror.secrets))
    return proc.stdout.decode("utf-8", "replace")


class Chain:
    """Commits stacked one on another from `parent`, each replacing the file at `path`."""

    def __init__(self, mirror: Mirror, parent: str, path: str) -> None:
        self.mirror = mirror
        self.parent = parent
        self.path = path.strip("/")
        self._dir = tempfile.TemporaryDirectory(prefix="roadmap-bot-index-")
        # A path that does not exist yet: git creates a fresh private index there.
        self._env = {"GIT_INDEX_FILE": str(Path(self._dir.name) / "index")}
        git(mirror, "read-tree", parent, env=self._env)
        entry = git(mirror, "ls-files", "-s", "--", self.path, env=self._env).split()
        self._mode = entry[0] if entry else "100644"

    def commit(self, data: bytes, message: str, author: Identity, committer: Identity) -> str:
        blob = git(self.mirror, "hash-object", "-w", "--stdin", input=data).strip()
        git(
            self.mirror,
            "update-index",
            "--add",
            "--cacheinfo",
            f"{self._mode},{blob},{self.path}",
            env=self._env,
        )
        tree = git(self.mirror, "write-tree", env=self._env).strip()
        people = {
            "GIT_AUTHOR_NAME": author.name,
            "GIT_AUTHOR_EMAIL": author.email,
            "GIT_COMMITTER_NAME": committer.name,
            "GIT_COMMITTER_EMAIL": committer.email,
        }
        sha = git(
            self.mirror,
            "commit-tree",
            tree,
            "-p",
            self.parent,
            "-F",
            "-",
            input=message.encode("utf-8"),
            env=people,
        ).strip()
        self.parent = sha
        return sha

    def close(self) -> None:
        self._dir.cleanup()

    def __enter__(self) -> Chain:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class PushRejected(GitFailed):
    """The remote moved (or the lease failed): fetch, re-apply, try again."""


def push(
    mirror: Mirror, sha: str, branch: str, lease: str | None = None, force: bool = False
) -> None:
    """Push `sha` to refs/heads/<branch> of the remote, through a local ref (a pushed raw SHA
    reports nothing on success). `lease`: the sha the remote branch must still have
    ("" = must not exist) for a forced update."""
    local = f"refs/roadmap-bot/push/{branch}"
    git(mirror, "update-ref", local, sha)
    args = ["push", "--porcelain", "--quiet"]
    if mirror.is_local:
        args.append(f"--receive-pack={_UPDATE_INSTEAD}")
    if force:
        args.append(f"--force-with-lease=refs/heads/{branch}:{lease or ''}")
    args += [mirror.remote, f"{local}:refs/heads/{branch}"]
    proc = _run(mirror, tuple(args), None, None)
    if proc.returncode != 0:
        # --porcelain puts the per-ref verdict on stdout ("!  ...  [rejected] (fetch first)").
        out = proc.stdout.decode("utf-8", "replace") + proc.stderr.decode("utf-8", "replace")
        verdict = next((ln for ln in out.splitlines() if ln.startswith("!")), "")
        if "[rejected]" in verdict or "stale info" in verdict or "fetch first" in verdict:
            raise PushRejected(redact(verdict.split("\t")[-1].strip(), mirror.secrets))
        raise GitFailed(redact(first_error_line(out), mirror.secrets))
    # The push went through: keep the fetched view in step without another fetch.
    git(mirror, "update-ref", f"refs/remotes/origin/{branch}", sha)


def authors_since(mirror: Mirror, base: str, tip: str) -> list[str]:
    """Author emails of the commits on `tip` that are not on `base`."""
    return git(mirror, "log", "--format=%ae", f"{base}..{tip}", "--").split()


def merge_base_is(mirror: Mirror, ancestor: str, commit: str) -> bool:
    try:
        git(mirror, "merge-base", "--is-ancestor", ancestor, commit)
    except GitFailed:
        return False
    return True
