"""The change feed: when the branch moves from A to B, say what changed, once per channel.

`LiveFeed.check` fetches the branch and compares the roadmap at the announced tip A (the
cursor in the store) with the new tip B: the net change of every cell (bot/roadmap
transitions), so several commits landing together make one message and a force-push that
rewrites already-announced commits announces only what is really new. Who made each change
and in which commit comes from the branch's history (bot/repo/history): the commits A..B,
or after a force-push those since the merge base. Each subscribed channel whose groups the
push touches gets one message; each watcher one DM per event. They are queued in the store's
outbox together with the cursor's move (one instance wins a push) and then posted.

`LiveFeed.start` runs the poll (LIVE_POLL_SECONDS) in a thread; `wake()` (the GitHub webhook)
makes it check at once. The first check only notes the tip: what came before is not news.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from slack_sdk import WebClient
from sqlalchemy import Engine

from bot.errors import BotError
from bot.repo.history import Change, ChangeKind, on_first_parent_history, read_history, resolve
from bot.repo.mirror import Mirror
from bot.roadmap import parse
from bot.roadmap.model import Roadmap, normalize
from bot.roadmap.transitions import (
    CellChange,
    Kind,
    Unblock,
    cell_changes,
    unblocked_groups,
    watch_events,
)
from bot.store import live as store
from bot.store.history import cache_key

from .render import Who, feed_message, watch_message

log = logging.getLogger(__name__)

EMPTY = Roadmap(columns=(), groups=())


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class CheckResult:
    old: str | None
    tip: str
    changes: int = 0
    queued: int = 0  # messages this check queued (0 when another instance had the push)
    posted: int = 0


@dataclass
class LiveFeed:
    mirror: Mirror
    branch: str
    path: str
    engine: Engine
    client: WebClient
    commit_url: Callable[[str], str | None] = lambda _sha: None
    location: str = ""
    poll_seconds: float = 60.0
    on_change: Callable[[], object] = lambda: None  # e.g. read the roadmap for answers again
    now: Callable[[], datetime] = _utcnow
    _wake: threading.Event = field(default_factory=threading.Event, init=False, repr=False)
    _stop: threading.Event = field(default_factory=threading.Event, init=False, repr=False)
    _thread: threading.Thread | None = field(default=None, init=False, repr=False)
    _check_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    # The last roadmaps parsed, by blob: this push's new tip is the next push's old one.
    _parsed: dict[str, Roadmap] = field(default_factory=dict, init=False, repr=False)

    @property
    def key(self) -> str:
        return cache_key(self.mirror.remote, self.branch, self.path)

    # -- the loop ---------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="live-feed", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def wake(self) -> None:
        """Check now (a webhook said the branch moved)."""
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                result = self.check()
                if result.old is not None and result.old != result.tip:
                    self.on_change()
            except Exception as err:  # the poll goes on; the next check tries again
                log.warning("live feed check failed: %s", err)
            self._wake.wait(self.poll_seconds)

    # -- one check --------------------------------------------------------------------------

    def check(self, fetch: bool = True) -> CheckResult:
        """Fetch, queue what the move since the announced tip says, post what is queued."""
        with self._check_lock:
            result = self._check(fetch)
            posted = self.deliver()
        return CheckResult(result.old, result.tip, result.changes, result.queued, posted)

    def _check(self, fetch: bool) -> CheckResult:
        # Fetch, read the cursor and move it under the mirror's lock: workers sharing the
        # mirror (gunicorn) cannot then see a cursor ahead of what they fetched, and take
        # it back to an older tip (announcing the difference backwards).
        with self.mirror.lock():
            return self._check_locked(fetch)

    def _check_locked(self, fetch: bool) -> CheckResult:
        mirror = self.mirror
        if fetch:
            mirror.fetch_branch(self.branch)
        tip = resolve(mirror.git, f"refs/remotes/origin/{self.branch}")
        key = self.key
        old = store.cursor(self.engine, key)
        if old is None:
            store.start(self.engine, key, tip, self.now())
            return CheckResult(None, tip)
        if old != tip and not self._known(old):
            # Another instance (its own mirror) announced a tip newer than our fetch: fetch
            # again, and it is ours too.
            mirror.fetch_branch(self.branch)
            tip = resolve(mirror.git, f"refs/remotes/origin/{self.branch}")
            if old != tip and not self._known(old):
                # Force-pushed away before this mirror ever saw it: nothing to compare with.
                log.warning("live feed: %s is gone from the branch; %s not announced", old, tip)
                store.advance(self.engine, key, old, tip, [], self.now())
                return CheckResult(old, tip)
        if old == tip:
            return CheckResult(old, tip)
        try:
            before, after = self._roadmap(old), self._roadmap(tip)
        except BotError as err:
            # A version that does not parse: nothing sensible to compare. Move on quietly;
            # the next good version is compared with this one's neighbours.
            log.warning("live feed: %s..%s not announced: %s", old[:7], tip[:7], err)
            store.advance(self.engine, key, old, tip, [], self.now())
            return CheckResult(old, tip)
        changes = cell_changes(before, after)
        unblocks = unblocked_groups(before, after)
        who = self._who(old, tip, changes)
        messages = self._channel_messages(old, tip, changes, who, unblocks)
        messages += self._watch_messages(old, tip, before, after)
        if not store.advance(self.engine, key, old, tip, messages, self.now()):
            log.info("live feed: %s..%s announced by another instance", old[:7], tip[:7])
            return CheckResult(old, tip, len(changes))
        log.info(
            "live feed: %s..%s: %d change(s), %d message(s)",
            old[:7],
            tip[:7],
            len(changes),
            len(messages),
        )
        return CheckResult(old, tip, len(changes), len(messages))

    def _known(self, commit: str) -> bool:
        """`commit` is in this mirror."""
        done = self.mirror.git.attempt("cat-file", "-e", f"{commit}^{{commit}}")
        return done.returncode == 0

    def _roadmap(self, commit: str) -> Roadmap:
        entry = self.mirror.entry(commit, self.path)
        if entry is None or entry[0] != "blob":
            return EMPTY
        blob = entry[1]
        found = self._parsed.get(blob)
        if found is None:
            text = parse.decode(self.mirror.blob(blob), source=self.path)
            found = parse.parse(text, source=self.path)
            if len(self._parsed) >= 4:
                self._parsed.pop(next(iter(self._parsed)))
            self._parsed[blob] = found
        return found

    def _who(self, old: str, tip: str, changes: list[CellChange]) -> list[Who | None]:
        """Who made each change: the last commit since `old` (or since the merge base,
        after a force-push) that made it; the tip's author when the history cannot say."""
        git = self.mirror.git
        with self.mirror.lock():
            since: str | None = old
            if not on_first_parent_history(git, old, tip):
                done = git.attempt("merge-base", old, tip)
                since = done.stdout.decode().strip() or None if done.returncode == 0 else None
            try:
                history, _ = read_history(git, tip, self.path, since)
            except BotError as err:
                log.info("live feed: no history for %s..%s: %s", old[:7], tip[:7], err)
                history = []
            tip_author = git.run("log", "-1", "--format=%an", tip, "--").decode().strip()
        last: dict[tuple[str, str | None, str], Change] = {}
        for h in history:
            last[(normalize(h.module), h.column, _kind(h.kind))] = h
        out: list[Who | None] = []
        for c in changes:
            found = last.get((c.module_key, c.column, c.kind.value))
            out.append(Who(found.author, found.commit) if found else Who(tip_author, tip))
        return out

    def _channel_messages(
        self,
        old: str,
        tip: str,
        changes: list[CellChange],
        who: list[Who | None],
        unblocks: list[Unblock],
    ) -> list[store.Outgoing]:
        if not changes and not unblocks:
            return []
        wanted: dict[str, set[str]] = {}
        names: dict[str, list[str]] = {}
        for sub in store.subscriptions(self.engine):
            if sub.kind != store.CHANGES:
                continue
            wanted.setdefault(sub.channel, set()).add(sub.group_key)
            if sub.group_key:
                names.setdefault(sub.channel, []).append(sub.group_name)
        out = []
        for channel, groups in wanted.items():
            every = "" in groups
            pairs = [
                (c, w)
                for c, w in zip(changes, who, strict=True)
                if every or normalize(c.group) in groups
            ]
            opened = [u for u in unblocks if every or normalize(u.group) in groups]
            if not pairs and not opened:
                continue  # quiet: nothing this channel follows
            message = feed_message(
                [c for c, _ in pairs],
                [w for _, w in pairs],
                opened,
                self.location,
                self.commit_url,
                [] if every else names.get(channel, []),
            )
            out.append(
                store.Outgoing(
                    channel,
                    f"changes:{old}..{tip}",
                    {"text": message.text, "blocks": message.blocks},
                )
            )
        return out

    def _watch_messages(
        self, old: str, tip: str, before: Roadmap, after: Roadmap
    ) -> list[store.Outgoing]:
        watchers: dict[str, list[str]] = {}
        for w in store.watches(self.engine):
            watchers.setdefault(w.target, []).append(w.user)
        out = []
        for event in watch_events(before, after, set(watchers)):
            message = watch_message(event, after, self.location)
            for user in watchers[event.target]:
                out.append(
                    store.Outgoing(
                        user,
                        f"watch:{event.target}:{event.event}:{old}..{tip}",
                        {"text": message.text, "blocks": message.blocks},
                        dm=True,
                    )
                )
        return out

    # -- posting ----------------------------------------------------------------------------

    def deliver(self) -> int:
        """Post every queued message this process can take; how many were posted."""
        posted = 0
        for taken in store.take_pending(self.engine, self.now()):
            try:
                channel = taken.recipient
                if taken.dm:
                    opened = self.client.conversations_open(users=taken.recipient)
                    channel = opened["channel"]["id"]
                resp = self.client.chat_postMessage(
                    channel=channel,
                    text=taken.message["text"],
                    blocks=taken.message["blocks"],
                    unfurl_links=False,
                    unfurl_media=False,
                )
            except Exception as err:
                log.warning("live feed: not posted to %s (%s): %s", taken.recipient, taken.key, err)
                store.finish(self.engine, taken, self.now(), None, str(err))
                continue
            store.finish(self.engine, taken, self.now(), str(resp.get("ts")))
            posted += 1
        return posted


def _kind(kind: ChangeKind) -> str:
    return Kind(kind.value).value
