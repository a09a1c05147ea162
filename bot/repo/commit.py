"""Write commits into the mirror with git plumbing, and push them.

GitPython's index is not thread-safe (`IndexFile.add` chdirs, `index.commit` shares
COMMIT_EDITMSG), so commits are built by `git fast-import` straight from a stream: no index,
no working tree. git runs through the mirror's runner (`mirror.git`: timeouts, redaction,
GitError); stdin carries the files and the messages. Call everything here with
`mirror.lock()` held.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .mirror import Mirror, display
from .refusal import PushRefusedForNow, PushRejected, push_refusal

__all__ = [
    "Chain",
    "Identity",
    "PushRefusedForNow",
    "PushRejected",
    "authors_since",
    "bot_branch",
    "merge_base_is",
    "push",
]

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


class Chain:
    """Commits stacked one on another from `parent`, each replacing the file at `path`.

    `add` queues a commit; `write` makes them all in one `git fast-import` process (one
    process for fifty ticks instead of four per tick) and returns their SHAs in order.
    fast-import builds commits straight from the stream: no index, no working tree.
    """

    def __init__(self, mirror: Mirror, parent: str, path: str) -> None:
        self.mirror = mirror
        self.parent = parent
        self.path = path.strip("/")
        entry = mirror.git.text("ls-tree", parent, "--", self.path).split()
        self._mode = entry[0] if entry else "100644"
        self._queued: list[tuple[bytes, str, Identity, Identity]] = []

    def add(self, data: bytes, message: str, author: Identity, committer: Identity) -> int:
        self._queued.append((data, message, author, committer))
        return len(self._queued) - 1

    def write(self) -> list[str]:
        if not self._queued:
            return []
        ref = f"refs/roadmap-bot/chain/{os.getpid()}-{threading.get_ident()}"
        now = int(time.time())
        stream = bytearray()
        for i, (data, message, author, committer) in enumerate(self._queued, start=1):
            msg = message.encode("utf-8")
            stream += f"commit {ref}\nmark :{i}\n".encode()
            stream += f"author {_who(author)} {now} +0000\n".encode()
            stream += f"committer {_who(committer)} {now} +0000\n".encode()
            stream += f"data {len(msg)}\n".encode() + msg + b"\n"
            stream += f"from {self.parent}\n".encode() if i == 1 else f"from :{i - 1}\n".encode()
            stream += f"M {self._mode} inline {_quote(self.path)}\n".encode()
            stream += f"data {len(data)}\n".encode() + data + b"\n\n"
        stream += b"done\n"
        with tempfile.TemporaryDirectory(prefix="roadmap-bot-marks-") as tmp:
            marks = Path(tmp) / "marks"
            self.mirror.git.run(
                "fast-import",
                "--quiet",
                "--done",
                "--force",
                f"--export-marks={marks}",
                input=bytes(stream),
            )
            by_mark = dict(line.split() for line in marks.read_text().splitlines())
        self.mirror.git.run("update-ref", "-d", ref)
        shas = [by_mark[f":{i}"] for i in range(1, len(self._queued) + 1)]
        self.parent = shas[-1]
        self._queued.clear()
        return shas

    def __enter__(self) -> Chain:
        return self

    def __exit__(self, *exc: object) -> None:
        self._queued.clear()


def _who(person: Identity) -> str:
    """`Name <email>` for fast-import; angle brackets and newlines would end the field."""
    name = re.sub(r"[<>\n]", "", person.name).strip() or "roadmap-bot"
    email = re.sub(r"[<>\s]", "", person.email)
    return f"{name} <{email}>"


def _quote(path: str) -> str:
    """A path for fast-import: C-style quoted when it holds spaces or odd characters."""
    if re.fullmatch(r"[A-Za-z0-9._/-]+", path):
        return path
    escaped = path.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def push(
    mirror: Mirror, sha: str, branch: str, lease: str | None = None, force: bool = False
) -> None:
    """Push `sha` to refs/heads/<branch> of the remote, through a local ref (a pushed raw SHA
    reports nothing on success). `lease`: the sha the remote branch must still have
    ("" = must not exist) for a forced update.

    Raises PushRejected when the branch moved (or PushRefusedForNow when the remote could
    not take it this moment): fetch, re-apply, retry. Raises GitRefused when the remote
    refused for good (a hook, a protected branch, a token that may not write), with the
    remote's reason and without its path; GitError for anything else (the network)."""
    local = f"refs/roadmap-bot/push/{branch}"
    mirror.git.run("update-ref", local, sha)
    args = ["push", "--porcelain", "--quiet"]
    if mirror.is_local:
        args.append(f"--receive-pack={_UPDATE_INSTEAD}")
    if force:
        args.append(f"--force-with-lease=refs/heads/{branch}:{lease or ''}")
    args += [mirror.remote, f"{local}:refs/heads/{branch}"]
    proc = mirror.git.attempt(*args)
    if proc.returncode != 0:
        # --porcelain puts the per-ref verdict on stdout ("!  ...  [rejected] (fetch first)"),
        # the remote's own words on stderr ("remote: ...").
        out = proc.stdout.decode("utf-8", "replace")
        err = proc.stderr.decode("utf-8", "replace")
        hide = (mirror.remote, mirror.repo, display(mirror.repo))
        refusal = push_refusal(out, err, branch, hide, mirror.secrets)
        if refusal is not None:
            raise refusal
        raise mirror.git.error(err or out, tuple(args))
    # The push went through: keep the fetched view in step without another fetch.
    mirror.git.run("update-ref", f"refs/remotes/origin/{branch}", sha)


def authors_since(mirror: Mirror, base: str, tip: str) -> list[str]:
    """Author emails of the commits on `tip` that are not on `base`."""
    return mirror.git.text("log", "--format=%ae", f"{base}..{tip}", "--").split()


def merge_base_is(mirror: Mirror, ancestor: str, commit: str) -> bool:
    return mirror.git.attempt("merge-base", "--is-ancestor", ancestor, commit).returncode == 0
