"""The live messages as Block Kit: one change-feed message per push, one DM per watch event.

Pure: values in, a `kit.Message` out, always inside Slack's limits (at most 30 change lines,
then "…and N more"; a burst of 50 ticks is one message).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.blockkit import kit
from bot.blockkit.text import code, join_names, link, name, plural, readiness_line
from bot.roadmap.analysis import readiness
from bot.roadmap.model import Roadmap
from bot.roadmap.transitions import CellChange, Event, Kind, Unblock, WatchEvent

MAX_LINES = 30
MAX_BLOCKS = 45  # of Slack's 50: room for the header, context and unblock blocks

_ICON = {
    Kind.TICK: "✅",
    Kind.UNTICK: "↩️",
    Kind.MODULE_ADDED: "🆕",
    Kind.MODULE_REMOVED: "🗑️",
}


@dataclass(frozen=True, slots=True)
class Who:
    """Who made a change and in which commit (from the branch's history)."""

    author: str
    commit: str


def _commit(sha: str, commit_url: Callable[[str], str | None]) -> str:
    url = commit_url(sha)
    short = f"`{sha[:7]}`"
    return link(url, sha[:7]) if url else short


def change_line(
    change: CellChange, who: Who | None, commit_url: Callable[[str], str | None]
) -> str:
    return group_line([change], who, commit_url)


def group_line(
    changes: Sequence[CellChange], who: Who | None, commit_url: Callable[[str], str | None]
) -> str:
    """One line for changes of one kind by one commit: a module's cells ticked together
    ("*Ingestion* · Docs, API ticked"), or the modules added to (removed from) one group."""
    first = changes[0]
    kind = first.kind
    if kind in (Kind.TICK, Kind.UNTICK):
        columns = join_names([c.column or "" for c in changes], 600, shown=12)
        verb = "ticked" if kind is Kind.TICK else "unticked"
        what = f"*{name(first.module)}* · {columns} {verb}"
    else:
        verb = "added to" if kind is Kind.MODULE_ADDED else "removed from"
        if len(changes) == 1:
            what = f"*{name(first.module)}* {verb} {name(first.group)}"
        else:
            modules = join_names([c.module for c in changes], 1200, shown=8)
            what = f"{plural(len(changes), 'module')} {verb} *{name(first.group)}*: {modules}"
    return f"{_ICON[kind]} {what}{by(who, commit_url)}"


def by(who: Who | None, commit_url: Callable[[str], str | None]) -> str:
    return f" by {name(who.author, 60)} in {_commit(who.commit, commit_url)}" if who else ""


def _together(
    changes: Sequence[CellChange], who: Sequence[Who | None]
) -> list[tuple[list[CellChange], Who | None]]:
    """Changes in order, those of one kind, one commit and one module (a tick or untick)
    or one group (a module added or removed) together."""
    out: list[tuple[list[CellChange], Who | None]] = []
    where: dict[tuple[object, ...], int] = {}
    for c, w in zip(changes, who, strict=True):
        about = c.module_key if c.kind in (Kind.TICK, Kind.UNTICK) else c.group
        key = (c.kind, about, w)
        if key in where:
            out[where[key]][0].append(c)
        else:
            where[key] = len(out)
            out.append(([c], w))
    return out


def unblock_line(unblock: Unblock) -> str:
    start = (
        f": {join_names(unblock.modules, 1500, shown=8)} can start"
        if unblock.modules
        else " (nothing left to do there)"
    )
    return f"🔓 *{name(unblock.group)}* is now unblocked{start}."


def feed_message(
    changes: Sequence[CellChange],
    who: Sequence[Who | None],
    unblocks: Sequence[Unblock],
    where: str,
    commit_url: Callable[[str], str | None],
    filtered: Sequence[str] = (),
) -> kit.Message:
    """The change-feed message for one push; `who[i]` goes with `changes[i]`; `filtered`
    names the groups the channel follows (none: all)."""
    counts = []
    for kind, word, words in (
        (Kind.TICK, "tick", "ticks"),
        (Kind.UNTICK, "untick", "unticks"),
        (Kind.MODULE_ADDED, "module added", "modules added"),
        (Kind.MODULE_REMOVED, "module removed", "modules removed"),
    ):
        n = sum(1 for c in changes if c.kind is kind)
        if n:
            counts.append(plural(n, word, words))
    if unblocks:
        counts.append(plural(len(unblocks), "group unblocked", "groups unblocked"))
    summary = ", ".join(counts) or "no change"
    text = f"Roadmap: {summary} ({name(where, 300)})"
    # Who made the changes, said once when one commit made them all (a push of one commit).
    same = len(set(who)) == 1 and len(changes) > 1
    head = f"*Roadmap changes* · {name(summary, 200)}"
    blocks: list[kit.Block] = [kit.section(head + (by(who[0], commit_url) if same else ""))]
    blocks += [kit.section(unblock_line(u)) for u in unblocks[:5]]
    lines = [group_line(cs, None if same else w, commit_url) for cs, w in _together(changes, who)]
    room = MAX_BLOCKS - len(blocks)
    blocks += kit.sections(lines, room, lambda n: f"…and {n} more", max_lines=MAX_LINES)
    note = name(where, 300)
    if filtered:
        note += " · groups: " + join_names(filtered, 1000)
    blocks.append(kit.context(note))
    return kit.message(text, blocks)


_EVENT_TEXT = {
    Event.UNBLOCKED: "is now unblocked: every group before it in the dependency order is done",
    Event.HALF: "is half way: it crossed 50% of its cells done",
    Event.DONE: "is done",
}


def watch_message(event: WatchEvent, roadmap: Roadmap, where: str) -> kit.Message:
    """The DM to someone watching `event.target`."""
    what = "group" if event.is_group else "module"
    line = f"👀 The {what} *{name(event.name)}* {_EVENT_TEXT[event.event]}."
    item = (
        roadmap.group(event.name)
        if event.is_group
        else next((m for m in roadmap.modules if m.name == event.name), None)
    )
    blocks = [kit.section(line)]
    if item is not None:
        r = readiness(item)
        blocks.append(kit.context(readiness_line(r.done, r.total)))
    # Inside a code span nothing formats: only the entities (`code`), or a wrapper shows.
    unwatch = code(event.name[:200])
    blocks.append(kit.context(f"{name(where, 300)} · `/roadmap unwatch {unwatch}`"))
    # The notification's text shows as mrkdwn too: the name escaped, or it pings and links.
    plain = f"The {what} {name(event.name)} {_EVENT_TEXT[event.event]}."
    return kit.message(plain, blocks)
