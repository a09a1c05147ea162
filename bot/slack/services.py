"""What the listeners share: settings, the roadmap kept fresh off the request path, ticks,
the digest schedule. `build_services` builds it whole; nothing is set on it afterwards."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from slack_sdk import WebClient

from bot.blockkit.text import code, fit
from bot.config import Settings
from bot.digest.schedule import DigestSchedule
from bot.docs.cache import DriftCache, DriftResult, cache_for
from bot.live.feed import LiveFeed
from bot.repo.commit import Identity
from bot.repo.source import RoadmapSource, Snapshot
from bot.roadmap.forecast import Forecasts, forecast
from bot.ticks.service import TickService

from . import blocks, router
from .answers import Answer

log = logging.getLogger(__name__)

GROUP_CACHE_SECONDS = 300.0
ANSWERS_KEPT = 512
REFRESH_CHECK_SECONDS = 1.0  # ask the source whether to read again at most this often
NO_DOCS_TREE = (
    "drift reads the docs from the roadmap's git repository, and this roadmap is not read "
    "from one (set ROADMAP_REPO)"
)


def _nobody(_group: str) -> set[str]:
    return set()


@dataclass
class _Latest:
    """The snapshot answers come from and when to look for a newer one: the part of
    Services that changes while it serves."""

    snapshot: Snapshot | None = None
    next_check: float = 0.0  # time.monotonic() before which no background check starts
    refreshing: threading.Lock = field(default_factory=threading.Lock)
    # The forecast of the snapshot it was computed for (the history is read in the
    # background: never on the ack path); `forecasting` is held while one is computed.
    forecast: tuple[Snapshot, Forecasts | None] | None = None
    forecasting: threading.Lock = field(default_factory=threading.Lock)


@dataclass(frozen=True)
class Services:
    """Built once, whole (build_services; tests may build one with just settings and a
    source). Listeners get it from Bolt's context, named `services`."""

    settings: Settings
    source: RoadmapSource
    ticks: TickService | None = None  # None: ticking from Slack is off
    digest: DigestSchedule | None = None  # posts the weekly digest while serving
    live: LiveFeed | None = None  # the change feed and watches (a git roadmap only)
    # usergroups.users.list, asked only when TICK_ALLOWED names a user group
    list_group: Callable[[str], set[str]] = _nobody
    _latest: _Latest = field(default_factory=_Latest, init=False, repr=False)
    _groups: dict[str, tuple[float, set[str]]] = field(default_factory=dict, init=False, repr=False)
    # Rendered answers by (snapshot, text, tick version): a card is a pure function of them.
    _answers: OrderedDict[tuple[int, str, int, bool, bool], tuple[Snapshot, Answer]] = field(
        default_factory=OrderedDict, init=False, repr=False
    )
    _answers_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    # Drift at the roadmap's commit, from the source's mirror (made on first use).
    _docs: dict[str, DriftCache] = field(default_factory=dict, init=False, repr=False)

    def start_background(self) -> None:
        """The tick applier and the digest schedule: in the process that serves (after a
        fork, threads of the parent are gone)."""
        if self.ticks is not None:
            self.ticks.start()
        if self.digest is not None:
            self.digest.start()
        if self.live is not None:
            self.live.start()

    def stop_background(self) -> None:
        if self.ticks is not None:
            self.ticks.stop()
        if self.digest is not None:
            self.digest.stop()
        if self.live is not None:
            self.live.stop()

    def snapshot(self) -> Snapshot:
        """The roadmap to answer from, at once: the last good snapshot, with a refresh
        started in the background (the source reads again only when its interval is up).
        Only the very first call, before anything was read, waits for the read."""
        latest = self._latest
        if latest.snapshot is None:
            latest.snapshot = self.source.snapshot()
            return latest.snapshot
        now = time.monotonic()
        if now >= latest.next_check and latest.refreshing.acquire(blocking=False):
            # At most one check a second: a thread per request cost more than the answer.
            latest.next_check = now + REFRESH_CHECK_SECONDS
            threading.Thread(target=self._refresh_quietly, daemon=True).start()
        return latest.snapshot

    def refresh(self) -> Snapshot:
        """Read the branch now (on demand: `/roadmap refresh`, after a tick)."""
        self._latest.snapshot = self.source.refresh()
        return self._latest.snapshot

    def _refresh_quietly(self) -> None:
        try:
            self._latest.snapshot = self.source.snapshot()
        except Exception as err:  # keep answering from the last good snapshot
            log.warning("roadmap refresh failed: %s", err)
        finally:
            self._latest.refreshing.release()

    def forecast(self, snap: Snapshot) -> Forecasts | None:
        """The forecast for `snap` when it is known; else None at once, with its computation
        started in the background (the history is read from git or the history cache)."""
        latest = self._latest
        done = latest.forecast
        if done is not None and done[0] is snap:
            return done[1]
        if latest.forecasting.acquire(blocking=False):
            threading.Thread(target=self._forecast_quietly, args=(snap,), daemon=True).start()
        return None

    def _forecast_quietly(self, snap: Snapshot) -> None:
        from bot.digest.build import history
        from bot.store.db import engine

        found: Forecasts | None = None
        try:
            changes = history(self.settings, self.source, engine(self.settings.database_url))
            if changes is not None:
                found = forecast(snap.roadmap, changes, datetime.now(UTC))
        except Exception as err:  # the card goes without a forecast line
            log.warning("forecast for the overview failed: %s", err)
        finally:
            self._latest.forecast = (snap, found)
            self._latest.forecasting.release()

    def answer(self, text: str, snap: Snapshot | None = None) -> Answer:
        """The reply to `/roadmap <text>` (or a pick or share), from the current roadmap."""
        snap = snap or self.snapshot()
        waiting = self.waiting()
        query = " ".join(text.split())
        fc = self.forecast(snap) if not query else None  # only the overview shows it
        known = self.drift_known(snap)
        pages = known.report.cells if known is not None and known.report is not None else None
        key = (
            id(snap),
            query,
            self.ticks.version if self.ticks else 0,
            fc is not None,
            known is not None,  # a card drawn before drift was known is drawn again after
        )
        with self._answers_lock:
            hit = self._answers.get(key)
            if hit is not None and hit[0] is snap:
                self._answers.move_to_end(key)
                return hit[1]
        reply = router.answer(
            snap.roadmap,
            text,
            snap.location,
            self.commit_line(snap),
            waiting,
            forecast=fc,
            pages=pages,
            waiting_known=self.ticks.waiting_known if self.ticks else True,
        )
        with self._answers_lock:
            self._answers[key] = (snap, reply)
            while len(self._answers) > ANSWERS_KEPT:
                self._answers.popitem(last=False)
        return reply

    def drift_cache(self) -> DriftCache | None:
        """The drift results of the roadmap's repository; None when the roadmap is not read
        from git (a plain file, the bundled example without a repo)."""
        cache = self._docs.get("cache")
        if cache is None:
            mirror = getattr(self.source, "mirror", None)
            path = getattr(self.source, "path", None)
            if mirror is None or not isinstance(path, str):
                return None
            cache = self._docs.setdefault("cache", cache_for(str(mirror.path), path))
        return cache

    def drift(self, snap: Snapshot) -> DriftResult:
        """Drift at `snap`'s commit: cached, else computed now (seconds on a big site: call
        it after the ack)."""
        cache = self.drift_cache()
        if cache is None or not snap.commit:
            return DriftResult(None, NO_DOCS_TREE)
        return cache.get(snap.commit)

    def drift_known(self, snap: Snapshot) -> DriftResult | None:
        """Drift at `snap`'s commit if already known, else None with the work started in
        the background: for cards answered in the ack, which must not wait for it."""
        cache = self.drift_cache()
        if cache is None or not snap.commit:
            return None
        found = cache.peek(snap.commit)
        if found is None:
            cache.warm(snap.commit)
        return found

    def waiting(self) -> dict[str, dict[str, str]]:
        """Ticks not landed yet, for cards to show as pending ({} when ticks are off)."""
        return self.ticks.waiting() if self.ticks else {}

    def members_of(self, group: str) -> set[str]:
        now = time.monotonic()
        cached = self._groups.get(group)
        if cached is None or now - cached[0] > GROUP_CACHE_SECONDS:
            cached = self._groups[group] = (now, self.list_group(group))
        return cached[1]

    def home_view(self, snap: Snapshot, now: datetime | None = None) -> dict[str, Any]:
        """The App Home tab for `snap`, naming its last commit (when opened, after a tick)."""
        last = None
        if snap.commit:
            last = {
                "sha": snap.commit,
                "subject": snap.subject or "",
                "author": snap.author or "",
                "when": snap.committed_at,
            }
        known = self.drift_known(snap)
        counts = known.report.counts() if known is not None and known.report else None
        when = now or datetime.now(UTC)
        return blocks.home_view(snap.roadmap, snap.location, last, when, counts)

    def commit_line(self, snap: Snapshot) -> str | None:
        """mrkdwn: where the roadmap was read, its commit, who made it and when."""
        if not snap.commit:
            return None
        who = f" by {fit(snap.author, 100)}" if snap.author else ""
        when = f" on {snap.committed_at:%Y-%m-%d %H:%M %Z}" if snap.committed_at else ""
        return f"{fit(snap.location, 500)} · `{code(snap.commit[:7])}`{who}{when}"


def build_services(settings: Settings, client: WebClient) -> Services:
    """Everything the listeners share, built whole: the roadmap source (read once here, so
    the first request is fast), the tick service (ticks off: None) telling its results
    through `client`, the digest schedule. Raises SettingsError (one line naming the setting)
    for a bad tick configuration."""
    from bot.digest.build import commit_url_for
    from bot.digest.deliver import scheduled
    from bot.repo.source import source_from_settings
    from bot.store.db import engine
    from bot.ticks.service import build_tick_service

    from . import tick_results

    source = source_from_settings(settings)
    store = engine(settings.database_url)
    ticks = build_tick_service(
        settings,
        store,
        people=lambda user: _person(client, user),
        commit_url=commit_url_for(settings) or (lambda _sha: None),
        # Called by the applier after `services` below exists: results are told through it.
        notify=lambda outcomes: tick_results.tell(services, client, outcomes),
    )
    services = Services(
        settings,
        source,
        ticks=ticks,
        digest=scheduled(settings, source, client, store),
        list_group=lambda group: _members(client, group),
        live=live_feed(settings, source, client, store, lambda: services.refresh()),
    )
    services.snapshot()
    return services


def live_feed(
    settings: Settings,
    source: object,
    client: WebClient,
    store: Any,
    on_change: Callable[[], object],
) -> LiveFeed | None:
    """The change feed of a roadmap read from git (None for a plain file or the example)."""
    from bot.digest.build import commit_url_for
    from bot.repo.source import GitSource

    if not isinstance(source, GitSource):
        return None
    return LiveFeed(
        source.mirror,
        source.branch,
        source.path,
        store,
        client,
        commit_url=commit_url_for(settings) or (lambda _sha: None),
        location=source.location,
        poll_seconds=settings.live_poll_seconds,
        on_change=on_change,
    )


def _person(client: WebClient, user: str) -> Identity | None:
    """Name and email for a Co-authored-by trailer, when Slack gives them (users:read.email)."""
    try:
        profile = client.users_info(user=user)["user"]["profile"]
    except Exception as err:
        log.info("users.info %s failed: %s", user, err)
        return None
    email = profile.get("email")
    name = profile.get("real_name") or profile.get("display_name") or user
    return Identity(name, email) if email else None


def _members(client: WebClient, group: str) -> set[str]:
    try:
        return set(client.usergroups_users_list(usergroup=group)["users"])
    except Exception as err:
        log.warning("usergroups.users.list %s failed: %s", group, err)
        return set()
