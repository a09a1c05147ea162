"""What the listeners share: settings, the roadmap kept fresh off the request path, ticks."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.config import Settings
from bot.repo.source import RoadmapSource, Snapshot
from bot.ticks.service import TickService

log = logging.getLogger(__name__)

GROUP_CACHE_SECONDS = 300.0


@dataclass
class Services:
    settings: Settings
    source: RoadmapSource
    ticks: TickService | None = None
    # usergroups.users.list, asked only when TICK_ALLOWED names a user group
    list_group: Callable[[str], set[str]] = lambda _group: set()
    _last: Snapshot | None = None
    _refreshing: threading.Lock = field(default_factory=threading.Lock)
    _groups: dict[str, tuple[float, set[str]]] = field(default_factory=dict)

    def snapshot(self) -> Snapshot:
        """The roadmap to answer from, at once: the last good snapshot, with a refresh
        started in the background (the source reads again only when its interval is up).
        Only the very first call, before anything was read, waits for the read."""
        if self._last is None:
            self._last = self.source.snapshot()
            return self._last
        if self._refreshing.acquire(blocking=False):
            threading.Thread(target=self._refresh_quietly, daemon=True).start()
        return self._last

    def refresh(self) -> Snapshot:
        """Read the branch now (on demand: `/roadmap refresh`, after a tick)."""
        self._last = self.source.refresh()
        return self._last

    def _refresh_quietly(self) -> None:
        try:
            self._last = self.source.snapshot()
        except Exception as err:  # keep answering from the last good snapshot
            log.warning("roadmap refresh failed: %s", err)
        finally:
            self._refreshing.release()

    def waiting(self) -> dict[str, dict[str, str]]:
        """Ticks not landed yet, for cards to show as pending ({} when ticks are off)."""
        return self.ticks.waiting() if self.ticks else {}

    def members_of(self, group: str) -> set[str]:
        now = time.monotonic()
        cached = self._groups.get(group)
        if cached is None or now - cached[0] > GROUP_CACHE_SECONDS:
            cached = self._groups[group] = (now, self.list_group(group))
        return cached[1]

    def commit_line(self, snap: Snapshot) -> str | None:
        if not snap.commit:
            return None
        who = f" by {snap.author}" if snap.author else ""
        when = f" on {snap.committed_at:%Y-%m-%d %H:%M %Z}" if snap.committed_at else ""
        return f"{snap.location} · `{snap.commit[:7]}`{who}{when}"
