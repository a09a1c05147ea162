"""`--since` as people write it: a time ago (12h, 7d, 2w) or an ISO date or time.

`history --since` wants the moment (`since_time`); `digest --since` wants the length of the
period ending now (`since_span`). Both read the same words the same way.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from ..errors import UserInputError

_AGO = re.compile(r"^(\d+)\s*([hdw])$", re.IGNORECASE)
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


def since_time(value: str, now: datetime | None = None) -> datetime:
    """`7d`, `12h`, `2w` before `now`, or an ISO date/time (naive means UTC)."""
    text = value.strip()
    m = _AGO.match(text)
    try:
        if m:
            delta = timedelta(**{_UNITS[m[2].lower()]: int(m[1])})
            return (now or datetime.now(UTC)) - delta
        when = datetime.fromisoformat(text)
    except (ValueError, OverflowError):
        raise UserInputError(
            f"--since {value!r}: expected a time ago like 7d, 12h or 2w, or a date like 2026-01-01"
        ) from None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def since_span(value: str, now: datetime | None = None) -> timedelta:
    """How far back from `now` `value` reaches ("7d", "2w", "36h" or a date). Not back at
    all (now or a future date) is refused."""
    now = now or datetime.now(UTC)
    start = since_time(value, now)
    if start >= now:
        raise UserInputError(f"--since {value!r}: say how far back, like 7d, 2w or 36h")
    return now - start
