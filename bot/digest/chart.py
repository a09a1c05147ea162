"""The burn-up chart: done cells over time against total scope, overall and per group.

The series are rebuilt backwards from the roadmap as it is now (exact) by undoing each
change, newest first, so the last point is always the truth even where the history is
approximate (a removed module's cells are unknown; its past scope is left out).

matplotlib's object API only (Figure + Agg): pyplot keeps global state that is not safe
across the server's threads, and none of it is needed to write a PNG.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.repo.history import Change, ChangeKind
from bot.roadmap.model import Group, Roadmap, normalize

from .compose import ordered

MAX_GROUPS = 6  # lines on the group panel; the rest are summed as "other"
LABEL = 40
ALT_TEXT = "Burn-up chart: done cells over time against total scope, overall and per group"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass
class Series:
    """Step series: `done[i]` and `total[i]` hold from `times[i]` until the next time."""

    times: list[datetime] = field(default_factory=list)
    done: list[int] = field(default_factory=list)
    total: list[int] = field(default_factory=list)


def burnup_series(
    all_changes: Sequence[Change], now_roadmap: Roadmap, start: datetime, end: datetime
) -> dict[str | None, Series]:
    """Per group key (None = the whole roadmap), the step series over `start`..`end`.

    Each series starts at `start` (or the first change, if earlier) and ends at `end` with
    the current state; with no history it is one flat line at the current state.
    """
    modules: dict[tuple[str, str], list[int]] = {}  # (group key, module key) -> [done, total]
    by_name: dict[str, tuple[str, str]] = {}  # module key -> first (group key, module key)
    sums: dict[str | None, list[int]] = {None: [0, 0]}
    for g in now_roadmap.groups:
        sums.setdefault(g.key, [0, 0])  # two groups of one name are one line
        for m in g.modules:
            modules[(g.key, m.key)] = [m.done, m.total]
            by_name.setdefault(m.key, (g.key, m.key))
            for s in (sums[None], sums[g.key]):
                s[0] += m.done
                s[1] += m.total
    series: dict[str | None, Series] = {k: Series() for k in sums}

    def record(when: datetime) -> None:
        for k, (done, total) in sums.items():
            s = series[k]
            s.times.append(when)
            s.done.append(done)
            s.total.append(total)

    def shift(gkey: str, d_done: int, d_total: int) -> None:
        for k in (None, gkey):
            sums[k][0] += d_done
            sums[k][1] += d_total

    record(end)
    first = start
    for c in sorted(all_changes, key=lambda c: c.date, reverse=True):
        if c.date > end:
            continue  # after the period: the roadmap passed in is the state at `end`
        mkey = normalize(c.module)
        key = (normalize(c.group), mkey) if c.group else None
        if key not in modules:  # no group, or a group renamed since: go by the name
            key = by_name.get(mkey)
        state = modules.get(key) if key is not None else None
        first = min(first, c.date)
        if state is None or key is None:
            continue  # a module that no longer exists: its cells are unknown
        record(c.date)  # the state from this change on, before undoing it
        if c.kind == ChangeKind.TICK and state[0] > 0:
            state[0] -= 1
            shift(key[0], -1, 0)
        elif c.kind == ChangeKind.UNTICK and state[0] < state[1]:
            state[0] += 1
            shift(key[0], 1, 0)
        elif c.kind == ChangeKind.MODULE_ADDED:
            shift(key[0], -state[0], -state[1])
            state[0] = state[1] = 0
    record(first)
    for s in series.values():  # recorded newest first
        s.times.reverse()
        s.done.reverse()
        s.total.reverse()
    return series


def burnup_png(
    all_changes: Sequence[Change],
    now_roadmap: Roadmap,
    period_start: datetime,
    period_end: datetime,
    max_groups: int = MAX_GROUPS,
) -> bytes:
    """The chart as PNG bytes (Agg), ~1000x700 pixels."""
    import matplotlib

    matplotlib.use("Agg")  # no display, ever; set before anything imports pyplot
    from matplotlib import dates as mdates
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    series = burnup_series(all_changes, now_roadmap, period_start, period_end)
    tz = period_end.tzinfo
    fig = Figure(figsize=(10, 7), dpi=100, layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[1, 1.4])
    title = _label(now_roadmap.title or "Roadmap", 80)
    fig.suptitle(f"{title}: done cells against scope")

    overall = series[None]
    top.step(overall.times, overall.total, where="post", color="0.45", ls="--", label="scope")
    top.step(overall.times, overall.done, where="post", color="tab:green", label="done")
    top.fill_between(overall.times, overall.done, step="post", color="tab:green", alpha=0.15)
    top.set_ylabel("cells")
    top.legend(loc="upper left", fontsize="small")

    unique: dict[str, Group] = {}  # a repeated group name is one line
    for g in ordered(now_roadmap.groups, now_roadmap):
        unique.setdefault(g.key, g)
    groups = list(unique.values())
    big = {g.key for g in sorted(groups, key=lambda g: -series[g.key].total[-1])[:max_groups]}
    shown = [g for g in groups if g.key in big]  # the legend keeps the dependency order
    rest = [g for g in groups if g.key not in big]
    lines: list[tuple[str, Series]] = [(_label(g.name), series[g.key]) for g in shown]
    if rest:
        lines.append((f"other ({len(rest)} groups)", _sum([series[g.key] for g in rest])))
    colors = matplotlib.colormaps["tab10"]
    for i, (label, s) in enumerate(lines):
        color = colors(i % 10)
        bottom.step(s.times, s.done, where="post", color=color, label=label)
        bottom.step(s.times, s.total, where="post", color=color, ls=":", alpha=0.6)
    bottom.set_ylabel("cells per group (dotted: scope)")
    if lines:
        bottom.legend(loc="upper left", fontsize="small", ncols=2 if len(lines) > 4 else 1)

    for ax in (top, bottom):
        ax.axvspan(period_start, period_end, color="tab:blue", alpha=0.07, lw=0)
        ax.grid(True, alpha=0.3)
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # cells are whole
    locator = mdates.AutoDateLocator(tz=tz)
    bottom.xaxis.set_major_locator(locator)
    bottom.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, tz=tz))
    out = io.BytesIO()
    # No Software/date metadata: the same inputs give the same bytes.
    fig.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


def _sum(parts: list[Series]) -> Series:
    # Every series was recorded at the same instants, so they add up point by point.
    out = Series(list(parts[0].times), [0] * len(parts[0].times), [0] * len(parts[0].times))
    for s in parts:
        out.done = [a + b for a, b in zip(out.done, s.done, strict=True)]
        out.total = [a + b for a, b in zip(out.total, s.total, strict=True)]
    return out


def _label(text: str, limit: int = LABEL) -> str:
    """A name safe as a matplotlib label: `$` would start mathtext (and may fail to parse),
    a leading `_` would hide the line from the legend."""
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    text = text.replace("$", r"\$")
    return " " + text if text.startswith("_") else text
