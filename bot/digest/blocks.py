"""The digest as a Slack message: pure, bounded, escaped.

Every list has a line cap and a block cap ("…and N more"), and every block goes through the
kit builders that cut text to its limit, so a roadmap of any size (2,000 modules, 5,000
changes in a week) stays within Block Kit's limits. Everything that comes from the file or
from git (names, columns, authors, PR titles) is escaped: a module called `<!channel>`
pings nobody.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from bot.blockkit import kit
from bot.blockkit.text import ago, code, escape, fit, join_names, link, name, plural, readiness_line
from bot.repo.history import ChangeKind
from bot.roadmap.forecast import Forecasts, date_label

from .compose import ChangeLine, Digest, GroupProgress, OpenPR, Stalled

# Lines shown per section; the block caps below keep the whole message under 50 blocks
# (at most 1 + 1 + 1 + 1 + 1 + 4 + 1 + 1 + 3 + 1 + 2 + 1 + 1 + 1 = 20).
CHANGES_SHOWN = 40
GROUPS_SHOWN = 25
NEXT_SHOWN = 8
STALLED_SHOWN = 10
FORECAST_SHOWN = 5  # groups named in the forecast line, soonest first
PRS_SHOWN = 10
NAMES_SHOWN = 30
WAITING = "nothing here can start yet (an earlier group is not done)."
LIST_TEXT = 2800  # a joined list of names, within one section with its heading


def to_blocks(digest: Digest) -> kit.Message:
    blocks: list[kit.Block] = [
        kit.header(fit(f"{digest.title} · digest", 150)),
        kit.context(
            *(
                fit(s, 1000)
                for s in (period_label(digest.period_start, digest.period_end), digest.location)
                if s
            )
        ),
        kit.section(headline(digest)),
    ]
    if digest.forecast is not None and (
        line := forecast_line(digest.forecast, name, whole=forecast_whole(digest))
    ):
        blocks.append(kit.context(line))  # escaped by `name` already; context cuts it
    blocks.append(kit.divider())
    blocks += _changes(digest)
    if digest.newly_done:
        names = join_names((m.name for m in digest.newly_done), LIST_TEXT, NAMES_SHOWN)
        blocks.append(kit.section(f"*Done this period* ({len(digest.newly_done)}) :tada:\n{names}"))
    if digest.newly_unblocked:
        names = join_names((m.name for m in digest.newly_unblocked), LIST_TEXT, NAMES_SHOWN)
        blocks.append(
            kit.section(
                f"*Newly unblocked* ({len(digest.newly_unblocked)}): every group before "
                f"theirs is done now\n{names}"
            )
        )
    blocks += _groups(digest.groups)
    blocks += _next(digest)
    blocks += _stalled(digest)
    blocks += _prs(digest.open_prs)
    if digest.drift_line:
        blocks.append(kit.section(f"📚 *{digest.drift_line}*. `/roadmap drift` lists them."))
    if digest.notes:
        blocks.append(kit.context(*(escape(n) for n in digest.notes)))
    return kit.message(summary(digest), blocks)


def headline(d: Digest) -> str:
    line = f"*{name(d.scope_label, 200)}* {readiness_line(d.done, d.total)}"
    line += in_progress_note(d.progress)
    before = d.percent_before
    if before is None or d.done_before is None:
        line += "\n_Change over the period unknown (no history)._"
    elif d.is_new:
        line += f"  new this period: {cells_done(d.done)} since {short_date(d.period_start)}"
    else:
        points = d.percent - before
        line += (
            f"  *{_signed(points)} percentage {'point' if abs(points) == 1 else 'points'}* "
            f"({cells_done(d.done - d.done_before)}) since {short_date(d.period_start)}"
        )
    facts = []
    if d.ticks or d.unticks:
        who = plural(len(d.authors), "person", "people")
        facts.append(f"{plural(d.ticks, 'tick')} and {plural(d.unticks, 'untick')} by {who}")
    if d.newly_done:
        facts.append(f"{plural(len(d.newly_done), 'module')} done")
    if d.newly_unblocked:
        facts.append(f"{plural(len(d.newly_unblocked), 'module')} unblocked")
    if d.modules_added:
        facts.append(f"{plural(len(d.modules_added), 'module')} added")
    if d.modules_removed:
        facts.append(f"{plural(len(d.modules_removed), 'module')} removed")
    if facts:
        line += "\n" + " · ".join(facts)
    return line


def in_progress_note(n: int) -> str:
    """ " · 3 in progress" beside a done/total count; "" when none is."""
    return f" · {n} in progress" if n else ""


def cells_done(n: int) -> str:
    return f"{_signed(n)} {'cell' if abs(n) == 1 else 'cells'} done"


def summary(d: Digest) -> str:
    """The notification text (and fallback for clients without blocks)."""
    points = d.percent_change
    change = f", {_signed(points)} percentage points" if points is not None else ""
    if d.is_new:
        change = ", new this period"
    scope = f" ({escape(d.scope_label)})" if d.scope else ""
    return f"{escape(d.title)} digest{scope}: {d.done}/{d.total} done ({d.percent}%{change})"


def _changes(d: Digest) -> list[kit.Block]:
    if not d.has_history:
        return []
    if not d.changes:
        return [kit.section("*What changed*: no ticks or unticks this period.")]
    lines = [f"*What changed* ({plural(len(d.changes), 'update')}, newest first)"]
    if d.authors:
        lines.append("By " + join_names((f"{a} ({n})" for a, n in d.authors), 600, shown=8))
    lines += [change_line(c) for c in d.changes[:CHANGES_SHOWN]]
    left = len(d.changes) - min(len(d.changes), CHANGES_SHOWN)
    if left:
        lines.append(f"…and {plural(left, 'more update')}")
    return kit.sections(lines, max_blocks=4, more=lambda n: f"…and {plural(n, 'more line')}")


def change_line(c: ChangeLine) -> str:
    mark = "✅" if c.kind == ChangeKind.TICK else "↩️"
    group = f" ({name(c.group, 40)})" if c.group else ""
    columns = join_names(c.columns, 200, shown=4) if c.columns else ""
    sha = c.commit[:7]
    ref = link(c.url, sha) if c.url else f"`{code(sha)}`"
    what = f"{mark} *{name(c.module)}*{group}"
    if columns:
        what += f" · {columns}"
    return f"{what} — {fit(c.author, 60)} · {ref} · {short_date(c.date)}"


def _groups(groups: Sequence[GroupProgress]) -> list[kit.Block]:
    if not groups:
        return []
    lines = ["*Groups*"]
    for g in groups:
        delta = ""
        if g.done_before is not None and g.done != g.done_before:
            delta = f" ({_signed(g.done - g.done_before)})"
        progress = in_progress_note(g.progress)
        lines.append(f"{readiness_line(g.done, g.total)} *{name(g.name)}*{delta}{progress}")
    return kit.sections(
        lines,
        max_blocks=3,
        max_lines=GROUPS_SHOWN + 1,
        more=lambda n: f"…and {plural(n, 'more group')}",
    )


def _next(d: Digest) -> list[kit.Block]:
    if not d.next:
        if d.total and d.done >= d.total:
            return [kit.section("*Next up*: everything is done. :tada:")]
        if d.total:  # a filtered digest: its groups wait for an earlier one outside it
            return [kit.section(f"*Next up*: {WAITING}")]
        return []
    lines = ["*Next up* (not blocked by any earlier group):"]
    lines += [f"• *{name(m.name)}* · {name(m.group, 60)} · {m.done}/{m.total}" for m in d.next]
    return kit.sections(
        lines,
        max_blocks=1,
        max_lines=NEXT_SHOWN + 1,
        more=lambda n: f"…and {plural(n, 'more module')}: `/roadmap next`",
    )


def _stalled(d: Digest) -> list[kit.Block]:
    if not d.stalled_known or not d.stalled:
        return []
    lines = [f"*Stalled* ({len(d.stalled)}): not done, not blocked, no change in 4 weeks or more"]
    lines += [stalled_line(s, d.period_end) for s in d.stalled]
    return kit.sections(
        lines,
        max_blocks=2,
        max_lines=STALLED_SHOWN + 1,
        more=lambda n: f"…and {plural(n, 'more module')}",
    )


def stalled_line(s: Stalled, now: datetime) -> str:
    when = f"last change {ago(s.last_change, now)}" if s.last_change else "never changed"
    return f"• *{name(s.name)}* · {name(s.group, 60)} · {s.done}/{s.total} · {when}"


def _prs(prs: Sequence[OpenPR]) -> list[kit.Block]:
    if not prs:
        return []
    lines = [f"*Open bot pull requests waiting for review* ({len(prs)})"]
    for pr in prs:
        label = f"#{pr.number} {pr.title}" if pr.number else pr.title
        title = link(pr.url, label) if pr.url else fit(label, 200)
        by = f" by {fit(pr.author, 60)}" if pr.author else ""
        lines.append(f"• {title}{by}")
    return kit.sections(
        lines,
        max_blocks=1,
        max_lines=PRS_SHOWN + 1,
        more=lambda n: f"…and {plural(n, 'more pull request')}",
    )


def forecast_whole(d: Digest) -> str | None:
    """What the forecast's last date is for: the roadmap; "all of them" for a digest
    narrowed to several groups; None (no second date) for one narrowed to one group."""
    if not d.scope:
        return "the roadmap"
    return "all of them" if len(d.scope) > 1 else None


def forecast_line(
    fc: Forecasts,
    show: Callable[[str], str] = lambda s: s,
    shown: int = FORECAST_SHOWN,
    whole: str | None = "the roadmap",
) -> str:
    """ "At this pace (last 4 weeks): Access Modules by 12 Jan, the roadmap by Sep 2027";
    "No progress in 4 weeks: no forecast." when the line is flat; "" when all is done.
    `show` renders a group name (escapes it for Slack); `whole` names what the overall
    date is for (None: leave it out, when it is one group's date again)."""
    weeks = plural(fc.weeks, "week")
    if fc.overall.status == "done":
        return ""
    if fc.overall.done_by is None:
        return f"No progress in {weeks}: no forecast."
    moving = sorted(
        ((f.done_by, f.name or "") for f in fc.groups if f.done_by is not None),
    )
    parts = [f"{show(group)} by {date_label(when, fc.now)}" for when, group in moving[:shown]]
    if len(moving) > shown:
        parts.append(f"{plural(len(moving) - shown, 'more group')} later")
    if whole is not None or not parts:
        parts.append(f"{whole or 'all'} by {date_label(fc.overall.done_by, fc.now)}")
    line = f"At this pace (last {weeks}): " + ", ".join(parts)
    flat = sum(f.status == "no progress" for f in fc.groups)
    if flat:
        line += f". {plural(flat, 'group')} without progress in {weeks}: no forecast for them"
    return line + "."


def period_label(start: datetime, end: datetime) -> str:
    """ "Mon 29 Apr – Mon 6 May 2024" """
    return f"{start:%a} {start.day} {start:%b} – {end:%a} {end.day} {end:%b %Y}"


def short_date(when: datetime) -> str:
    return f"{when:%a} {when.day} {when:%b}"


def _signed(n: int) -> str:
    return f"+{n}" if n > 0 else str(n) if n < 0 else "±0"
