"""The burn-up chart: done cells over time against total scope, with the forecast, beside
one bar per group (done / total, this period's change marked).

The series are rebuilt backwards from the roadmap as it is now (exact) by undoing each
change, newest first, so the last point is always the truth even where the history is
approximate (a removed module's cells are unknown; its past scope is left out).

Made to be read at Slack's preview size (about half its 1200x700 pixels): few, large
elements; a group's name on its bar's row; numbers printed, not left to the axes.

matplotlib's object API only (Figure + Agg): pyplot keeps global state that is not safe
across the server's threads, and none of it is needed to write a PNG.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.repo.history import Change, ChangeKind
from bot.roadmap.forecast import Forecasts, date_label, forecast
from bot.roadmap.model import Group, Roadmap, normalize

from .compose import ordered

if TYPE_CHECKING:
    from matplotlib.axes import Axes

MAX_BARS = 20  # group rows; beyond that the groups that did not change are summed in one
LABEL = 30
ALT_TEXT = (
    "Burn-up chart: done cells over time against total scope with the forecast at this "
    "pace, and one bar per group: done out of total, this period's change marked"
)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
EARLIER = "#9ccc9c"  # done before the period
GAINED = "#1b7f3b"  # done this period
LOST = "#c62828"  # unticked this period
SCOPE = "#e6e6e6"


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
    for line in series.values():  # recorded newest first
        line.times.reverse()
        line.done.reverse()
        line.total.reverse()
    return series


@dataclass(frozen=True, slots=True)
class Bar:
    """One row of the group panel: `done_before` at period start (None: not known)."""

    name: str
    done: int
    total: int
    done_before: int | None
    groups: int = 1  # more than one: the row sums groups that did not change

    @property
    def change(self) -> int:
        return 0 if self.done_before is None else self.done - self.done_before


def group_bars(
    series: dict[str | None, Series], roadmap: Roadmap, start: datetime, rows: int = MAX_BARS
) -> list[Bar]:
    """A bar per group, in dependency order. With more groups than `rows`, every group that
    changed this period keeps its row (that is the news); then the biggest; the others
    are summed in a last row, "N more groups"."""
    unique: dict[str, Group] = {}  # a repeated group name is one bar
    for g in ordered(roadmap.groups, roadmap):
        unique.setdefault(g.key, g)
    bars = [_bar(g.name, series[g.key], start) for g in unique.values()]
    if len(bars) <= rows:
        return bars
    rank = sorted(range(len(bars)), key=lambda i: (bars[i].change == 0, -bars[i].total, i))
    keep = set(rank[: rows - 1])
    rest = [b for i, b in enumerate(bars) if i not in keep]
    known = all(b.done_before is not None for b in rest)
    other = Bar(
        f"{len(rest)} more groups",
        sum(b.done for b in rest),
        sum(b.total for b in rest),
        sum(b.done_before or 0 for b in rest) if known else None,
        groups=len(rest),
    )
    return [b for i, b in enumerate(bars) if i in keep] + [other]


def _bar(name: str, s: Series, start: datetime) -> Bar:
    before = None
    for when, done in zip(s.times, s.done, strict=True):
        if when > start:
            break
        before = done
    return Bar(name, s.done[-1], s.total[-1], before)


@dataclass(frozen=True, slots=True)
class Projection:
    """The dashed line from now at this pace, cut at `until` when the date is far off."""

    start: datetime
    done: int
    until: datetime
    reaches: float  # the done count where the line stops
    label: str


def projection(fc: Forecasts | None, first: datetime) -> Projection | None:
    """None when there is nothing to project (no history, no progress, all done). The line
    goes on for at most half the history shown (at least eight weeks), so a date years away
    does not squash the past into a corner: it is said in words instead."""
    if fc is None or fc.overall.done_by is None:
        return None
    o = fc.overall
    done_by = o.done_by
    if done_by is None:
        return None
    horizon = max(timedelta(weeks=8), (fc.now - first) / 2)
    until = min(done_by, fc.now + horizon)
    span = (done_by - fc.now).total_seconds()
    part = (until - fc.now).total_seconds() / span if span > 0 else 1.0
    label = f"at this pace: done by {date_label(done_by, fc.now)}"
    return Projection(fc.now, o.done, until, o.done + part * o.left, label)


def burnup_png(
    all_changes: Sequence[Change],
    now_roadmap: Roadmap,
    period_start: datetime,
    period_end: datetime,
    max_groups: int = MAX_BARS,
    forecasts: Forecasts | None = None,
    title: str | None = None,
) -> bytes:
    """The chart as PNG bytes (Agg), 1200x700 pixels. `forecasts` defaults to the forecast
    at `period_end` from `all_changes` (none without history). `title` replaces the
    roadmap's own: a chart of some groups only is titled with their names, so it is not
    mistaken for the whole roadmap's."""
    import matplotlib

    matplotlib.use("Agg")  # no display, ever; set before anything imports pyplot
    from matplotlib import dates as mdates
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch
    from matplotlib.ticker import MaxNLocator

    if forecasts is None and all_changes:
        forecasts = forecast(now_roadmap, all_changes, period_end)
    series = burnup_series(all_changes, now_roadmap, period_start, period_end)
    overall = series[None]
    bars = group_bars(series, now_roadmap, period_start, max_groups)
    tz = period_end.tzinfo

    # 1200x700 pixels at 120 dpi: type in points comes out large enough to read at half size.
    fig = Figure(figsize=(10, 35 / 6), dpi=120, layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=[1, 1.2])
    title = _label(title or now_roadmap.title or "Roadmap", 60)
    fig.suptitle(
        f"{title}: {overall.done[-1]}/{overall.total[-1]} cells done "
        f"({_percent(overall.done[-1], overall.total[-1])}%)",
        fontsize=15,
        fontweight="bold",
    )

    # --- left: the burn-up, every line labelled where it ends ------------------------------
    top = max([*overall.total, 1])
    left.axvspan(period_start, period_end, color="#1f77b4", alpha=0.12, lw=0)
    left.step(overall.times, overall.total, where="post", color="0.35", ls="--", lw=1.8)
    left.step(overall.times, overall.done, where="post", color=GAINED, lw=2.4)
    left.fill_between(overall.times, overall.done, step="post", color=GAINED, alpha=0.15)
    found = projection(forecasts, overall.times[0])
    last = found.until if found is not None else period_end
    if found is not None:
        left.plot(
            [found.start, found.until], [found.done, found.reaches], color=GAINED, ls=(0, (4, 3))
        )
    left.set_xlim(overall.times[0], last)
    left.set_ylim(0, top * 1.12)
    label = {"fontsize": 11, "fontweight": "bold"}
    left.annotate(
        f"scope {overall.total[-1]}",
        (0.02, overall.total[-1]),
        xycoords=("axes fraction", "data"),
        xytext=(0, 4),
        textcoords="offset points",
        va="bottom",
        color="0.3",
        **label,
    )
    low = overall.done[-1] < top * 0.15  # below the line it would sit on the dates
    left.annotate(
        f"done {overall.done[-1]}",
        (period_end, overall.done[-1]),
        xytext=(-6, 6 if low else -6),
        textcoords="offset points",
        ha="right",
        va="bottom" if low else "top",
        color=GAINED,
        **label,
    )
    if found is not None:
        left.annotate(
            found.label.replace("at this pace: ", "at this pace:\n"),
            (found.until, found.reaches),
            xytext=(-2, 10),
            textcoords="offset points",
            ha="right",
            va="bottom",
            color=GAINED,
            fontsize=11,
        )
    elif forecasts is not None and forecasts.overall.status == "no progress":
        left.text(
            0.5,
            0.55,
            f"no progress in {forecasts.weeks} weeks:\nno forecast",
            transform=left.transAxes,
            ha="center",
            va="center",
            fontsize=13,
            color="0.3",
        )
    left.text(
        period_start + (period_end - period_start) / 2,
        top * 1.11,
        "this\nperiod",
        ha="center",
        va="top",
        fontsize=10,
        color="#1f77b4",
    )
    left.set_title("Done cells against scope", fontsize=12, loc="left")
    left.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))  # cells are whole
    left.grid(True, alpha=0.3)
    locator = mdates.AutoDateLocator(tz=tz, maxticks=5)
    # Spans just short of a whole number of the next unit (2.9 years read monthly, 2.9 days
    # hourly) found no step giving at most 5 ticks, and matplotlib warned; a step of the
    # next unit fits. intervald is the documented way to extend the locator's choices.
    locator.intervald[mdates.MONTHLY] = [1, 2, 3, 4, 6, 12]
    locator.intervald[mdates.HOURLY] = [1, 2, 3, 4, 6, 12, 24]
    locator.intervald[mdates.MINUTELY] = [1, 5, 10, 15, 30, 60]
    locator.intervald[mdates.SECONDLY] = [1, 5, 10, 15, 30, 60]
    left.xaxis.set_major_locator(locator)
    left.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, tz=tz))
    left.tick_params(labelsize=10)
    for side in ("top", "right"):
        left.spines[side].set_visible(False)

    # --- right: one bar per group ---------------------------------------------------------
    names = _short_names([b.name for b in bars if b.groups == 1])
    right.set_title("Groups: cells done / total", fontsize=12, loc="left")
    if bars:
        _bars(right, bars, names)
        kinds = [
            Patch(color=EARLIER, label="done before"),
            Patch(color=GAINED, label="done this period"),
            Patch(facecolor="white", edgecolor=LOST, hatch="///", label="unticked this period"),
        ]
        shown = [kinds[0]]
        shown += [kinds[1]] if any(b.change > 0 for b in bars) else []
        shown += [kinds[2]] if any(b.change < 0 for b in bars) else []
        if all(b.done_before is None for b in bars):
            shown = [Patch(color=EARLIER, label="done (no history: change unknown)")]
        elif len(shown) == 1:
            shown = [Patch(color=EARLIER, label="done (no change this period)")]
        right.legend(
            handles=shown,
            loc="lower left",
            bbox_to_anchor=(0, -0.09),
            ncols=len(shown),
            fontsize=9,
            frameon=False,
            handlelength=1.2,
            borderaxespad=0,
        )
    else:
        right.text(
            0.5,
            0.5,
            "no groups yet",
            ha="center",
            va="center",
            fontsize=13,
            transform=right.transAxes,
        )
        right.set_xticks([])
        right.set_yticks([])
        for side in ("top", "right", "bottom", "left"):
            right.spines[side].set_visible(False)
    out = io.BytesIO()
    # No Software/date metadata: the same inputs give the same bytes.
    fig.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


def _short_names(names: list[str]) -> list[str]:
    """Names without the last word they all share ("Access Modules" -> "Access"): it says
    nothing and takes the room. Untouched when a name is that word alone, or there is one."""
    words = [n.rsplit(" ", 1) for n in names]
    if len(names) < 2 or any(len(w) < 2 for w in words) or len({w[1] for w in words}) != 1:
        return names
    return [w[0] for w in words]


def _bars(ax: Axes, bars: list[Bar], names: list[str]) -> None:
    """Fractions of each group's own total, so a 3-cell group and a 300-cell one read
    alike; the counts are printed beside each bar."""
    n = len(bars)
    size = 11 if n <= 12 else 10
    ys = list(range(n))  # the y axis runs downwards: the first group at the top
    for y, b in zip(ys, bars, strict=True):
        total = b.total or 1
        before = b.done if b.done_before is None else b.done_before
        kept = min(before, b.done) / total
        ax.barh(y, 1.0, color=SCOPE, height=0.72)
        ax.barh(y, kept, color=EARLIER, height=0.72)
        if b.change > 0:
            ax.barh(y, b.change / total, left=kept, color=GAINED, height=0.72)
        elif b.change < 0:
            ax.barh(
                y,
                -b.change / total,
                left=kept,
                facecolor="white",
                edgecolor=LOST,
                hatch="///",
                height=0.72,
                lw=1,
            )
        note = f"{b.done}/{b.total}"
        if b.change:
            note += f"  {'+' if b.change > 0 else '−'}{abs(b.change)}"
        ax.text(
            1.02,
            y,
            note,
            va="center",
            ha="left",
            fontsize=size,
            color=GAINED if b.change > 0 else LOST if b.change < 0 else "0.25",
            fontweight="bold" if b.change else "normal",
        )
    short = iter(names)
    labels = [_label(next(short) if b.groups == 1 else b.name) for b in bars]
    ax.set_yticks(ys, labels, fontsize=size)
    ax.set_xlim(0, 1.0)
    ax.set_ylim(max(n, 8) - 0.4, -0.6)  # rows at most 1/8 high, from the top down
    ax.set_xticks([])  # each bar says its numbers
    ax.tick_params(axis="y", length=0)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)


def _percent(done: int, total: int) -> int:
    return done * 100 // total if total else 100


def _label(text: str, limit: int = LABEL) -> str:
    """A name safe as a matplotlib label: `$` would start mathtext (and may fail to parse),
    a leading `_` would hide the line from the legend."""
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    text = text.replace("$", r"\$")
    return " " + text if text.startswith("_") else text
