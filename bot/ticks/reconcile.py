"""After a crash: which ticks already reached the branch, read from git alone.

The applier records the commit each tick became before it pushes (`store.plan`), and every
bot commit names its tick in a `Roadmap-Tick: <id>-<key>` trailer. A process killed between
the push and recording the outcome leaves pending ticks with a planned commit; the next run
looks for their trailers on the branch. Found: the tick is applied (and told, once). Not
found: the push never landed and the tick is applied as usual. So a sequence (untick, then
tick the same cell again) is never replayed on top of itself.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.repo.mirror import Mirror
from bot.store.ticks import Tick

TRAILER = "Roadmap-Tick"
# Bot commits are dated when written, after the tick was recorded; a day's margin covers
# clocks that disagree between instances.
MARGIN = timedelta(days=1)
MOST = 5000  # commits read at most, whatever their dates


def trailer(t: Tick) -> str:
    return f"{TRAILER}: {t.ref}"


def landed(mirror: Mirror, tip: str, ticks: list[Tick]) -> dict[int, tuple[str, str]]:
    """{tick id: (sha, subject)} for those of `ticks` whose commit is on `tip`'s history."""
    if not ticks:
        return {}
    oldest = min(_aware(t.created_at) for t in ticks) - MARGIN
    out = mirror.git.text(
        "log",
        f"--max-count={MOST}",
        f"--since={int(oldest.timestamp())}",
        f"--format=%H%x1f%s%x1f%(trailers:key={TRAILER},valueonly,separator=%x2C)%x1e",
        tip,
        "--",
    )
    wanted = {t.ref: t.id for t in ticks}
    found: dict[int, tuple[str, str]] = {}
    for record in out.split("\x1e"):
        fields = record.strip().split("\x1f")
        if len(fields) != 3:
            continue
        sha, subject, refs = fields
        for ref in refs.split(","):
            tick_id = wanted.get(ref.strip())
            if tick_id is not None and tick_id not in found:
                found[tick_id] = (sha, subject)
    return found


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)  # SQLite drops it
