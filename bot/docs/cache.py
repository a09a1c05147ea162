"""Drift as ``serve`` and the digest see it: at the roadmap's commit, from the mirror, cached.

The docs tree is git's tree at the commit the roadmap was read from (``GitTree``: ``ls-tree``
and ``cat-file --batch``, no work tree). A result is kept per (roadmap blob, site config blob,
tree SHA): the tree SHA fixes every file drift reads (the roadmap's links may point anywhere
in the repo, so the whole tree, not only docs_dir), and two commits with the same tree (a
revert, a merge that changes nothing) share one result. Repeated asks cost a dict lookup.

Errors (no mkdocs.yml, a malformed config) are results too: cached, said in one line.
``!ENV`` tags resolve against an empty environment here: a mkdocs.yml from the repository must
never pull the server's secrets (SLACK_BOT_TOKEN as ``site_url``) into a Slack message.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from bot.errors import BotError

from .drift import DriftReport
from .inputs import find_inputs, run_drift
from .tree import GitTree

log = logging.getLogger(__name__)

KEPT = 16  # results kept: this week's and last week's for the digest, and a few more


@dataclass(frozen=True)
class DriftResult:
    """A report, or the one line saying why there is none."""

    report: DriftReport | None
    error: str | None = None
    commit: str | None = None


class DriftCache:
    """Drift results of one mirror, by commit. Thread-safe; one computation per key at a time."""

    def __init__(self, git_dir: str, roadmap_path: str, kept: int = KEPT) -> None:
        self.git_dir = git_dir
        self.roadmap_path = roadmap_path.strip("/")
        self.kept = kept
        self._results: OrderedDict[tuple[str, ...], DriftResult] = OrderedDict()
        self._by_commit: dict[str, tuple[str, ...]] = {}
        self._lock = threading.Lock()
        self._computing: dict[str, threading.Lock] = {}
        self.computed = 0  # how many times drift actually ran (for tests and the log)

    def peek(self, commit: str) -> DriftResult | None:
        """The result for `commit` if it is known now; never reads git."""
        with self._lock:
            key = self._by_commit.get(commit)
            return self._results.get(key) if key is not None else None

    def get(self, commit: str) -> DriftResult:
        """The result for `commit`, computed on first ask (seconds for a big site)."""
        hit = self.peek(commit)
        if hit is not None:
            return hit
        with self._lock:
            gate = self._computing.setdefault(commit, threading.Lock())
        with gate:  # a second ask for the same commit waits for the first
            hit = self.peek(commit)
            if hit is not None:
                return hit
            try:
                result, key = self._compute(commit)
            except BaseException:  # an unexpected failure must not mark the commit forever
                with self._lock:
                    self._computing.pop(commit, None)
                raise
            with self._lock:
                self._computing.pop(commit, None)  # with the result stored: no second run
                self._by_commit[commit] = key
                self._results[key] = result
                self._results.move_to_end(key)
                while len(self._results) > self.kept:
                    old, _ = self._results.popitem(last=False)
                    for c in [c for c, k in self._by_commit.items() if k == old]:
                        del self._by_commit[c]
            return result

    def warm(self, commit: str, done: Callable[[DriftResult], None] | None = None) -> None:
        """Compute `commit`'s result in the background (off the ack path); nothing to do
        when it is known or already being computed."""
        with self._lock:
            if commit in self._computing or commit in self._by_commit:
                return
            self._computing[commit] = threading.Lock()  # get() waits on this one

        def run() -> None:
            try:
                result = self.get(commit)
            except Exception:
                log.exception("drift at %s failed", commit[:7])
                return
            if done is not None:
                done(result)

        threading.Thread(target=run, name="drift", daemon=True).start()

    def _compute(self, commit: str) -> tuple[DriftResult, tuple[str, ...]]:
        try:
            tree = GitTree(self.git_dir, commit)
        except BotError as err:
            return DriftResult(None, str(err), commit), ("commit", commit)
        try:
            inputs = find_inputs(tree, roadmap=self.roadmap_path)
        except BotError as err:
            return DriftResult(None, str(err), commit), ("tree", tree.key)
        key = (
            _blob(tree, inputs.roadmap),
            _blob(tree, inputs.site_config),
            _blob(tree, inputs.settings_file),
            tree.key,
        )
        with self._lock:
            same = self._results.get(key)
        if same is not None:
            return same, key
        try:
            self.computed += 1
            report = run_drift(tree, inputs, env={}, commit=commit)
        except BotError as err:
            return DriftResult(None, str(err), commit), key
        return DriftResult(report, None, commit), key


def _blob(tree: GitTree, path: str | None) -> str:
    """The blob SHA of `path` in `tree` ("" for none): part of a result's key."""
    data = tree.read(path) if path is not None else None
    if data is None:
        return ""
    # git's own blob id, from the bytes already read (cat-file keeps them): no extra process.
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


_CACHES: dict[tuple[str, str], DriftCache] = {}
_CACHES_LOCK = threading.Lock()


def cache_for(git_dir: str, roadmap_path: str) -> DriftCache:
    """The one cache of a mirror and roadmap file in this process: `serve`'s cards, App Home
    and the digest share results."""
    key = (git_dir, roadmap_path.strip("/"))
    with _CACHES_LOCK:
        found = _CACHES.get(key)
        if found is None:
            found = _CACHES[key] = DriftCache(git_dir, roadmap_path)
        return found
