"""When each group, and the whole roadmap, will be done at the pace of the last few weeks.

Pure: the roadmap as it is now, the history's events and "now" are passed in; no clock.

The pace is the net number of cells ticked (ticks minus unticks) over the last `weeks`
weeks, per group, counted from the history. What is left is the open cells of the roadmap
now; scope is taken as it is now (cells added later will move the dates). A group whose
pace is zero or negative gets no date: "no progress in 4 weeks: no forecast". The whole
roadmap goes at the team's pace (every group's cells together), but is never said to be
done before a group still moving at its own pace.

Events are anything with `date`, `kind`, `module` and `group` (bot.repo.history.Change has
them): the core imports nothing of ours.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from .model import Roadmap, normalize

WEEKS = 4
DONE = "done"
ON_PACE = "on pace"
NO_PROGRESS = "no progress"


class Event(Protocol):
    @property
    def date(self) -> datetime: ...
    @property
    def kind(self) -> str: ...  # "tick" | "untick" | others are not progress
    @property
    def module(self) -> str: ...
    @property
    def group(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class Forecast:
    """One group's (or the roadmap's, `name` None) forecast."""

    name: str | None
    done: int
    total: int
    net: int  # cells ticked minus unticked in the window
    weeks: int
    done_by: datetime | None  # None: done already, or no progress in the window

    @property
    def left(self) -> int:
        return self.total - self.done

    @property
    def per_week(self) -> float:
        return self.net / self.weeks if self.weeks else 0.0

    @property
    def status(self) -> str:
        if self.left <= 0:
            return DONE
        return ON_PACE if self.done_by is not None else NO_PROGRESS


@dataclass(frozen=True, slots=True)
class Forecasts:
    now: datetime
    weeks: int
    overall: Forecast
    groups: tuple[Forecast, ...]  # file order; a name repeated in the file is one group

    @property
    def since(self) -> datetime:
        return self.now - timedelta(weeks=self.weeks)

    def group(self, name: str) -> Forecast | None:
        key = normalize(name)
        return next(
            (f for f in self.groups if f.name is not None and normalize(f.name) == key), None
        )


def forecast(
    roadmap: Roadmap, events: Iterable[Event], now: datetime, weeks: int = WEEKS
) -> Forecasts:
    """The forecast at `now` from the events of the `weeks` weeks before it (later events
    are ignored: `now` may be a digest's period end in the past)."""
    if weeks < 1:
        raise ValueError(f"forecast: weeks must be 1 or more, not {weeks}")
    since = now - timedelta(weeks=weeks)
    names: dict[str, str] = {}  # group key -> name as first written
    sums: dict[str, list[int]] = {}  # group key -> [done, total]
    group_of: dict[str, str] = {}  # module key -> its (first) group key
    for g in roadmap.groups:
        names.setdefault(g.key, g.name)
        s = sums.setdefault(g.key, [0, 0])
        s[0] += g.done
        s[1] += g.total
        for m in g.modules:
            group_of.setdefault(m.key, g.key)
    net = dict.fromkeys(sums, 0)
    for e in events:
        if e.kind not in ("tick", "untick") or not since < e.date <= now:
            continue
        key = normalize(e.group) if e.group else None
        if key not in net:  # no group recorded, or a group renamed since: go by the module
            key = group_of.get(normalize(e.module))
        if key is not None:  # a module gone since: its cells are not in what is left
            net[key] += 1 if e.kind == "tick" else -1
    groups = tuple(
        _one(names[k], done, total, net[k], weeks, now) for k, (done, total) in sums.items()
    )
    overall = _one(None, roadmap.done, roadmap.total, sum(net.values()), weeks, now)
    last = max((f.done_by for f in groups if f.done_by is not None), default=None)
    if overall.done_by is not None and last is not None and last > overall.done_by:
        # The team's pace would finish sooner, but not before a group moving at its own.
        overall = replace(overall, done_by=last)
    return Forecasts(now, weeks, overall, groups)


def _one(name: str | None, done: int, total: int, net: int, weeks: int, now: datetime) -> Forecast:
    left = total - done
    done_by = None
    if left > 0 and net > 0:
        done_by = now + timedelta(days=round(left * weeks * 7 / net))
    return Forecast(name, done, total, net, weeks, done_by)


def date_label(when: datetime, now: datetime) -> str:
    """A date as far as a forecast deserves: "12 Jan" within the next six months (no year
    needed), else "Sep 2027" (a day would be false precision)."""
    if when - now < timedelta(days=183):
        return f"{when.day} {when:%b}"
    return f"{when:%b %Y}"
