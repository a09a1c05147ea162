"""The digest as plain text, for `roadmap-bot digest --dry-run` and logs.

A terminal has no size limit but a person reading it does, so lists are capped the same
way as in Slack ("…and N more"); nothing is escaped (no Slack markup here).
"""

from __future__ import annotations

from bot.blockkit.text import ago, plural, progress_bar
from bot.repo.history import ChangeKind

from .blocks import (
    cells_done,
    forecast_line,
    forecast_whole,
    in_progress_note,
    period_label,
    short_date,
)
from .compose import Digest

LIST_SHOWN = 50
STALLED_SHOWN = 10  # a long stalled list is read by nobody: the first ten, then a count


def to_text(d: Digest) -> str:
    out = [f"{d.title} · digest", period_label(d.period_start, d.period_end)]
    if d.location:
        out.append(d.location)
    out += ["", f"{d.scope_label} {progress_bar(d.done, d.total)}{in_progress_note(d.progress)}"]
    before = d.percent_before
    if before is None or d.done_before is None:
        out.append("Change over the period unknown (no history).")
    else:
        if d.is_new:
            change = f"New this period: {cells_done(d.done)}"
        else:
            points = d.percent - before
            change = (
                f"{_signed(points)} percentage {'point' if abs(points) == 1 else 'points'} "
                f"({cells_done(d.done - d.done_before)})"
            )
        out.append(
            f"{change} since {short_date(d.period_start)}; {plural(d.ticks, 'tick')}, "
            f"{plural(d.unticks, 'untick')} by {plural(len(d.authors), 'person', 'people')}"
        )
    if d.forecast is not None and (line := forecast_line(d.forecast, whole=forecast_whole(d))):
        out.append(line)
    if d.modules_added or d.modules_removed:
        out.append(f"{len(d.modules_added)} modules added, {len(d.modules_removed)} removed")
    if d.has_history:
        out += ["", "What changed:" if d.changes else "What changed: no ticks or unticks."]
        if d.authors:
            out.append("  by " + ", ".join(f"{a} ({n})" for a, n in d.authors[:LIST_SHOWN]))
        for c in d.changes[:LIST_SHOWN]:
            mark = "+" if c.kind == ChangeKind.TICK else "-"
            group = f" ({c.group})" if c.group else ""
            cols = f": {', '.join(c.columns)}" if c.columns else ""
            ref = c.url or c.commit[:10]
            out.append(
                f"  {mark} {c.module}{group}{cols} by {c.author}, {ref}, {short_date(c.date)}"
            )
        _more(out, len(d.changes))
    _names(out, "Done this period", [f"{m.name} ({m.group})" for m in d.newly_done])
    _names(out, "Newly unblocked", [f"{m.name} ({m.group})" for m in d.newly_unblocked])
    if d.groups:
        out += ["", "Groups:"]
        for g in d.groups[:LIST_SHOWN]:
            delta = ""
            if g.done_before is not None and g.done != g.done_before:
                delta = f" ({_signed(g.done - g.done_before)})"
            progress = in_progress_note(g.progress)
            out.append(f"  {progress_bar(g.done, g.total)}  {g.name}{delta}{progress}")
        _more(out, len(d.groups))
    _names(out, "Next up", [f"{m.name} ({m.group}) {m.done}/{m.total}" for m in d.next])
    if d.stalled_known:
        lines = [
            f"{s.name} ({s.group}) {s.done}/{s.total}, "
            + (f"last change {ago(s.last_change, d.period_end)}" if s.last_change else "never")
            for s in d.stalled
        ]
        _names(out, "Stalled (not done, not blocked, no change in 4+ weeks)", lines, STALLED_SHOWN)
    prs = [
        (f"#{p.number} " if p.number else "") + p.title + (f" {p.url}" if p.url else "")
        for p in d.open_prs
    ]
    _names(out, "Open bot pull requests waiting for review", prs)
    if d.drift_line:
        out += ["", f"{d.drift_line}. `roadmap-bot drift` lists them."]
    if d.notes:
        out += ["", *d.notes]
    return "\n".join(out) + "\n"


def _names(out: list[str], heading: str, lines: list[str], shown: int = LIST_SHOWN) -> None:
    if not lines:
        return
    out += ["", f"{heading} ({len(lines)}):", *(f"  {line}" for line in lines[:shown])]
    _more(out, len(lines), shown)


def _more(out: list[str], n: int, shown: int = LIST_SHOWN) -> None:
    if n > shown:
        out.append(f"  …and {n - shown} more")


def _signed(n: int) -> str:
    return f"+{n}" if n > 0 else str(n) if n < 0 else "±0"
