"""Answers to /roadmap: overview, module, group, next and blockers cards.

Each card is bounded by construction (lines per section, sections per card, buttons per
actions block), so any roadmap, however large or oddly named, renders within Slack's limits.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.blockkit import kit
from bot.blockkit.text import (
    escape,
    fit,
    join_names,
    link,
    name,
    plural,
    readiness_line,
    truncate,
)
from bot.digest.blocks import forecast_line
from bot.docs.drift import CellPage
from bot.roadmap.analysis import (
    blockers,
    column_readiness,
    group_blockers,
    next_modules,
    order_index,
    readiness,
)
from bot.roadmap.forecast import Forecasts
from bot.roadmap.model import CellState, Group, Module, Roadmap

from .common import (
    LINE,
    blocker_blocks,
    ordered_groups,
    pick_buttons,
    rule_blocks,
    share_button,
    watch_button,
)
from .ids import tick_action_id, tick_value, untick_action_id

NEXT_IN_OVERVIEW = 5
GROUPS_IN_OVERVIEW = 25
MODULES_IN_GROUP = 60
NEXT_IN_CARD = 20
PICKS_IN_BLOCKERS = 20
TICK_BLOCKS = 6  # 150 buttons; one slot is the Share button


def overview(
    roadmap: Roadmap, location: str, commit_line: str | None, forecast: Forecasts | None = None
) -> kit.Message:
    """Every group with a bar, overall readiness, next up, the dependency order, and (once
    the history was read) when it will be done at the recent pace."""
    total = readiness(roadmap)
    title = roadmap.title or "Roadmap"
    # commit_line is mrkdwn already (its author escaped, its sha in a code span).
    # commit_line starts with the location: the location alone only when there is none.
    where = [truncate(commit_line, 1000) if commit_line else fit(location, 1000)]
    where = [s for s in where if s]
    blocks: list[kit.Block] = [
        kit.header(name(title, 150)),
        *([kit.context(*where)] if where else []),
        kit.section(
            f"*Overall* {readiness_line(total.done, total.total)}\n"
            f"{plural(len(roadmap.groups), 'group')} · {plural(len(roadmap.modules), 'module')}"
            f" · {plural(len(roadmap.columns), 'column')}"
        ),
    ]
    groups = ordered_groups(roadmap)
    lines = [f"{readiness_line(g.done, g.total)} *{name(g.name)}*" for g in groups]
    blocks += kit.sections(
        lines,
        max_blocks=3,
        max_lines=GROUPS_IN_OVERVIEW,
        more=lambda n: f"…and {plural(n, 'more group')}",
    )
    if forecast is not None and (line := forecast_line(forecast, name)):
        blocks.append(kit.context(f":crystal_ball: {line}"))
    if roadmap.dependency_order:
        blocks.append(kit.context(_order_hint(roadmap)))
    if roadmap.warnings:
        # Odd lines in the file are counted as n/a or skipped: say so, so someone fixes them.
        first = fit(str(roadmap.warnings[0]), 300)
        more = f" (and {len(roadmap.warnings) - 1} more)" if len(roadmap.warnings) > 1 else ""
        blocks.append(
            kit.context(
                f":warning: {plural(len(roadmap.warnings), 'warning')} in the roadmap file: "
                f"{first}{more}. `roadmap-bot check` lists them."
            )
        )
    nxt = next_modules(roadmap)
    if nxt:
        shown = nxt[:NEXT_IN_OVERVIEW]
        lines = ["*Next up* (not blocked by any earlier group):", *map(_next_line, shown)]
        if len(nxt) > len(shown):
            lines.append(f"…and {len(nxt) - len(shown)} more: `/roadmap next`")
        blocks.append(kit.section("\n".join(lines)))
    elif roadmap.modules:
        blocks.append(kit.section("*Everything on the roadmap is done.* :tada:"))
    blocks += kit.actions([*pick_buttons(nxt[:NEXT_IN_OVERVIEW]), share_button("")], 1)
    text = f"{escape(title)}: {total} done ({total.percent}%)"
    return kit.message(text, blocks)


def module_card(
    roadmap: Roadmap,
    module: Module,
    query: str,
    pending: dict[str, str] | None = None,
    docs: Mapping[str, CellPage] | None = None,
) -> kit.Message:
    """A module's cells with tick/untick buttons, its blockers and the rules for its group.
    `docs` (column -> the docs page, from drift) adds 📄 written / 📝 stub / ❓ missing."""
    pending = pending or {}
    r = readiness(module)
    blocks: list[kit.Block] = [
        kit.header(name(module.name, 150)),
        kit.context(f"*{name(module.group, 200)}* · {readiness_line(r.done, r.total)}"),
    ]
    lines: list[str] = []
    buttons: list[kit.Block | None] = []
    read_only = 0
    for i, cell in enumerate(module.cells):
        column = name(cell.column, 150)
        if cell.column in pending:
            label = "pending review" if pending[cell.column] else "ticking…"
            lines.append(f"⏳ {column}: {link(pending[cell.column], label)}")
        elif cell.state is CellState.NA:
            lines.append(f"– {column} _(n/a)_")
        elif cell.box is None:  # the parser could not locate the box: ticking would fail
            lines.append(f"{_mark(cell.state)} {column} _(edit in the file)_")
            read_only += 1
        elif cell.state is CellState.DONE:
            lines.append(f"✅ {column}")
            buttons.append(_untick_button(module, cell.column, i))
        else:
            lines.append(
                f"{_mark(cell.state)} {column}"
                + (" _(in progress)_" if cell.state is CellState.PROGRESS else "")
            )
            buttons.append(_tick_button(module, cell.column, i))
    if docs:
        lines = [
            line + _page_mark(docs.get(cell.column))
            for line, cell in zip(lines, module.cells, strict=True)
        ]
    blocks += kit.sections(lines, max_blocks=4, more=lambda n: f"…and {plural(n, 'more column')}")
    if docs and any(p.state != "track" for p in docs.values()):
        blocks.append(kit.context(PAGES_LEGEND))
    if not module.is_done:
        group = roadmap.group(module.group)
        in_order = group is not None and group.key in order_index(roadmap)
        blocks += blocker_blocks(blockers(roadmap, module), f"*{name(module.group)}*", in_order)
    blocks += rule_blocks(roadmap, module.group)
    room = TICK_BLOCKS * 25 - 2
    present = [b for b in buttons if b is not None]
    skipped = len(buttons) - len(present) + max(0, len(present) - room)
    blocks += kit.actions([*present[:room], watch_button(module), share_button(query)], TICK_BLOCKS)
    if skipped or read_only:
        blocks.append(
            kit.context(f"{plural(skipped + read_only, 'column')} can only be changed in the file.")
        )
    text = f"{escape(module.name)} ({escape(module.group)}): {r} done"
    return kit.message(text, blocks)


def group_card(roadmap: Roadmap, group: Group, query: str) -> kit.Message:
    """A group's modules with bars, what blocks the group, and its rules."""
    r = readiness(group)
    index = order_index(roadmap)
    step = index.get(group.key)
    where = (
        f"step {step + 1} of {len(index)} in the dependency order"
        if step is not None
        else "not in the dependency order"
    )
    blocks: list[kit.Block] = [
        kit.header(name(group.name, 150)),
        kit.context(
            f"{readiness_line(r.done, r.total)} · {plural(len(group.modules), 'module')} · {where}"
        ),
    ]
    lines = [
        f"{readiness_line(m.done, m.total)} {_done_mark(m)}*{name(m.name)}*" for m in group.modules
    ]
    blocks += kit.sections(
        lines,
        max_blocks=6,
        max_lines=MODULES_IN_GROUP,
        more=lambda n: f"…and {plural(n, 'more module')}",
    )
    if not group.is_done:
        blocks += blocker_blocks(group_blockers(roadmap, group), "this group", step is not None)
    blocks += rule_blocks(roadmap, group.name)
    blocks += kit.actions([watch_button(group), share_button(query)], 1)
    return kit.message(f"{escape(group.name)}: {r} done ({r.percent}%)", blocks)


def column_card(roadmap: Roadmap, column: str, query: str) -> kit.Message:
    """One readiness track across the roadmap: per group, and the modules still open in it."""
    r = column_readiness(roadmap, column)
    blocks: list[kit.Block] = [
        kit.header(name(column, 150)),
        kit.context(f"{readiness_line(r.done, r.total)} · a column, across every module"),
    ]
    lines = []
    for g in ordered_groups(roadmap):
        states = [c.state for m in g.modules if (c := m.cell(column)) is not None]
        done = sum(s is CellState.DONE for s in states)
        total = sum(s is not CellState.NA for s in states)
        if total:
            lines.append(f"{readiness_line(done, total)} *{name(g.name)}*")
    blocks += kit.sections(
        lines,
        max_blocks=3,
        max_lines=GROUPS_IN_OVERVIEW,
        more=lambda n: f"…and {plural(n, 'more group')}",
    )
    waiting = [  # in dependency order: what can be done first comes first
        m
        for g in ordered_groups(roadmap)
        for m in g.modules
        if (c := m.cell(column)) and c.state is CellState.OPEN
    ]
    if waiting:
        shown = join_names([m.name for m in waiting], limit=2500, shown=30)
        blocks.append(kit.section(f"*Open in {escape(column)}* ({len(waiting)}): {shown}"))
    blocks += kit.actions([share_button(query)], 1)
    return kit.message(f"{escape(column)}: {r} done ({r.percent}%)", blocks)


def next_card(roadmap: Roadmap) -> kit.Message:
    """What the team can work on now: modules of groups nothing earlier blocks."""
    nxt = next_modules(roadmap)
    blocks: list[kit.Block] = [kit.header("Next up")]
    if not nxt:
        msg = (
            "Everything on the roadmap is done. :tada:"
            if roadmap.modules
            else "The roadmap has no modules."
        )
        blocks.append(kit.section(msg))
        return kit.message(msg, blocks)
    shown = nxt[:NEXT_IN_CARD]
    lines = [
        "Not blocked by any earlier group in the dependency order, in that order:",
        *map(_next_line, shown),
    ]
    if len(nxt) > len(shown):
        lines.append(f"…and {plural(len(nxt) - len(shown), 'more module')}")
    blocks += kit.sections(lines, max_blocks=3)
    blocks += kit.actions(pick_buttons(shown), 1)
    names = join_names((m.name for m in nxt), 500, shown=3)
    return kit.message(f"Next up: {names}", blocks)


def blockers_card(roadmap: Roadmap, module: Module | None) -> kit.Message:
    """A module's blockers; for None every blocked group, in dependency order."""
    if module is not None:
        return _module_blockers(roadmap, module)
    blocks: list[kit.Block] = [kit.header("Blockers")]
    lines: list[str] = []
    blocking: dict[str, Group] = {}
    index = order_index(roadmap)
    for g in ordered_groups(roadmap):
        if g.key not in index or g.is_done:
            continue
        found = group_blockers(roadmap, g)
        if not found:
            continue
        waits = join_names((f"{b.group} ({len(b.modules)})" for b in found), LINE - 100, shown=6)
        lines.append(f"*{name(g.name)}* waits for {waits}")
        for b in found:
            if (bg := roadmap.group(b.group)) is not None:
                blocking.setdefault(bg.key, bg)
    if not lines:
        msg = "Nothing is blocked: no group waits for an unfinished earlier group."
        blocks.append(kit.section(msg))
        return kit.message(msg, blocks)
    lines.insert(0, "Groups waiting for earlier groups in the dependency order (open modules):")
    blocks += kit.sections(lines, max_blocks=6, more=lambda n: f"…and {plural(n, 'more group')}")
    blocks += kit.actions(pick_buttons(list(blocking.values())[:PICKS_IN_BLOCKERS]), 1)
    return kit.message(f"{plural(len(lines) - 1, 'group')} blocked", blocks)


def _module_blockers(roadmap: Roadmap, module: Module) -> kit.Message:
    found = blockers(roadmap, module)
    blocks: list[kit.Block] = [kit.header("Blockers: " + name(module.name, 140))]
    group = roadmap.group(module.group)
    in_order = group is not None and group.key in order_index(roadmap)
    blocks += blocker_blocks(found, f"*{name(module.group)}*", in_order, max_blocks=6)
    modules = [m for b in found for m in b.modules][:PICKS_IN_BLOCKERS]
    blocks += kit.actions(pick_buttons(modules), 1)
    if found:
        text = f"{escape(module.name)} is blocked by {plural(len(found), 'group')}"
    else:
        text = f"Nothing blocks {escape(module.name)}"
    return kit.message(text, blocks)


def _next_line(m: Module) -> str:
    return f"• *{name(m.name)}* · {name(m.group, 60)} · {readiness(m)}"


def _order_hint(roadmap: Roadmap) -> str:
    shown = 12
    names = [name(n, 40) for n in roadmap.dependency_order[:shown]]
    rest = len(roadmap.dependency_order) - len(names)
    chain = " → ".join(names) + (f" → … ({rest} more)" if rest else "")
    return f"Dependency order: {chain}. Each group waits for the ones before it."


def _done_mark(m: Module) -> str:
    return "✅ " if m.is_done and m.total else ""


PAGES_LEGEND = "Docs: 📄 page written · 📝 stub · ❓ no page. `/roadmap drift` checks them all."


def _page_mark(page: CellPage | None) -> str:
    """What the docs show for a cell, after its box: "  ·  📄 page" (linked to the site)."""
    if page is None or page.state == "track":
        return ""
    if page.state == "page":
        return "  ·  " + (link(page.url, "📄 page") if page.url else "📄 page")
    if page.state == "stub":
        return "  ·  " + (link(page.url, "📝 stub") if page.url else "📝 stub")
    return "  ·  ❓ no page"


def _mark(state: CellState) -> str:
    return {CellState.DONE: "✅", CellState.PROGRESS: "🟡"}.get(state, "⬜")


def _tick_button(module: Module, column: str, i: int) -> kit.Block | None:
    return kit.button(f"Tick {escape(column)}", tick_action_id(i), tick_value(module, column, True))


def _untick_button(module: Module, column: str, i: int) -> kit.Block | None:
    dialog = kit.confirm(
        title=f"Untick {name(module.name, 40)} / {name(column, 40)}?",
        text=f"*{name(column)}* of *{name(module.name)}* goes back to open in the roadmap.",
        ok="Untick",
    )
    return kit.button(
        f"Untick {escape(column)}",
        untick_action_id(i),
        tick_value(module, column, False),
        confirm_dialog=dialog,
    )
