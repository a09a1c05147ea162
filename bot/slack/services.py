"""What the listeners share: settings and the roadmap, kept fresh off the request path."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from bot.config import Settings
from bot.repo.source import RoadmapSource, Snapshot

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    source: RoadmapSource
    _last: Snapshot | None = None
    _refreshing: threading.Lock = field(default_factory=threading.Lock)

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

    def commit_line(self, snap: Snapshot) -> str | None:
        if not snap.commit:
            return None
        who = f" by {snap.author}" if snap.author else ""
        when = f" on {snap.committed_at:%Y-%m-%d %H:%M %Z}" if snap.committed_at else ""
        return f"{snap.location} · `{snap.commit[:7]}`{who}{when}"
