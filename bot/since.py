"""`--since` as people write it: a time ago (12h, 7d, 2w) or an ISO date or time."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from .roadmap.model import RoadmapError

_AGO = re.compile(r"^(\d+)\s*([hdw])$", re.IGNORECASE)
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


def parse_since(value: str, now: datetime | None = None) -> datetime:
    """`7d`, `12h`, `2w` before `now`, or an ISO date/time (naive means UTC)."""
    text = value.strip()
    m = _AGO.match(text)
    try:
        if m:
            delta = timedelta(**{_UNITS[m[2].lower()]: int(m[1])})
            return (now or datetime.now(UTC)) - delta
        when = datetime.fromisoformat(text)
    except (ValueError, OverflowError):
        raise RoadmapError(
            f"--since {value!r}: expected a time ago like 7d, 12h or 2w, or a date like 2026-01-01"
        ) from None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
