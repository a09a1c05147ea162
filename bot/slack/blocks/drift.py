"""The `/roadmap drift` card: the roadmap against its docs site, worst first.

Each shown finding is a section; a cell whose page is written and in the nav while its box is
open carries a Tick button, a ticked cell whose page is missing or a stub an Untick behind a
confirm (the same buttons, and the same tick path, as the module card). One "Tick all N
ready" button asks for every open-but-ready cell at once: one commit, or one pull request.
A cell with a tick on its way shows "⏳ ticking…" (or its pull request) instead of a button,
and is not counted as ready: the card drawn again after a click offers nothing twice.
Pure: the report, the roadmap and the waiting ticks are given.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping

from bot.blockkit import kit, limits
from bot.blockkit.text import fit, link, name, plural, truncate
from bot.docs.drift import ERROR, INFO, WARNING, DriftReport, Finding
from bot.roadmap.model import CellState, Module, Roadmap

from .ids import tick_action_id, tick_value, untick_action_id

SHOWN = 10
ACTION_TICK_ALL = "roadmap_drift_tick_all"  # value: {"c": commit, "n": cells}
# block_id prefix of the card's findings: a Tick clicked there draws the drift card again (the
# person goes on down the list) instead of replacing it by the module's card.
DRIFT_BLOCK = "roadmap_drift"
READY = "open-but-ready"
UNTICKABLE = ("ticked-missing", "ticked-stub")

# A finding kind as a person counts it: (one, several). The spec's kind names are for
# machines ("module-missing"); "2 module missing" read badly on the card.
KIND_WORDS: dict[str, tuple[str, str]] = {
    "broken-link": ("broken link", "broken links"),
    "group-name-differs": ("group named differently", "groups named differently"),
    "group-not-in-nav": ("group not in the nav", "groups not in the nav"),
    "group-not-in-roadmap": ("nav group not in the roadmap", "nav groups not in the roadmap"),
    "module-missing": ("module without pages", "modules without pages"),
    "module-name-differs": ("module named differently", "modules named differently"),
    "module-not-in-nav": ("module not in the nav", "modules not in the nav"),
    "module-not-in-roadmap": ("nav module not in the roadmap", "nav modules not in the roadmap"),
    "module-renamed": ("module renamed in the nav", "modules renamed in the nav"),
    "module-wrong-group": ("module under another group", "modules under another group"),
    "na-but-page": ("n/a cell with a page", "n/a cells with a page"),
    "nav-root-missing": ("nav section missing", "nav sections missing"),
    "nav-target-missing": ("nav entry without its file", "nav entries without their file"),
    "open-but-ready": ("open cell ready to tick", "open cells ready to tick"),
    "open-not-in-nav": (
        "open cell with a page not in the nav",
        "open cells with a page not in the nav",
    ),
    "roadmap-not-in-nav": ("roadmap page not in the nav", "roadmap pages not in the nav"),
    "ticked-missing": ("ticked cell without a page", "ticked cells without a page"),
    "ticked-not-in-nav": (
        "ticked cell with a page not in the nav",
        "ticked cells with a page not in the nav",
    ),
    "ticked-stub": ("ticked cell whose page is a stub", "ticked cells whose page is a stub"),
}


def kind_count(kind: str, n: int) -> str:
    """ "2 modules without pages": a count of findings of one kind, in words."""
    one, several = KIND_WORDS.get(kind, (kind.replace("-", " "),) * 2)
    return f"{n} {one if n == 1 else several}"


PLURALS = {ERROR: "errors", WARNING: "warnings", INFO: "info"}
ICONS = {ERROR: "🔴", WARNING: "🟡", INFO: "ℹ️"}


# {qualified module: {column: pull request link, or "" while being applied}}: ticks not landed.
Pending = Mapping[str, Mapping[str, str]]


def drift_card(
    roadmap: Roadmap,
    report: DriftReport,
    commit_line: str | None,
    pending: Pending | None = None,
) -> kit.Message:
    """Counts, the first `SHOWN` findings with their buttons, and "Tick all N ready".
    `pending`: the ticks on their way, shown in their rows instead of buttons."""
    pending = pending or {}
    counts = report.counts()
    where = f"`{fit(report.roadmap, 300)}` against `{fit(report.mkdocs, 300)}`"
    blocks: list[kit.Block] = [
        kit.header("Docs drift"),
        # commit_line is mrkdwn already (its author escaped, its sha in a code span).
        kit.context(where, *([truncate(commit_line, 1000)] if commit_line else [])),
    ]
    if not report.findings:
        text = "The roadmap and the docs agree: nothing to fix."
        blocks.append(kit.section(f"✅ {text}"))
        return kit.message(text, blocks)
    summary = " · ".join(
        f"{ICONS[sev]} {plural(counts[sev], sev, PLURALS[sev])}" for sev in (ERROR, WARNING, INFO)
    )
    kinds = Counter(f.kind for f in report.findings)
    # Cells open on the branch but ticked already (in review in pr mode, or being applied).
    on_way = sum(
        1 for f in report.findings if f.kind == READY and _waiting(roadmap, f, pending) is not None
    )
    by_kind = ", ".join(
        kind_count(kind, n)
        + (f" ({on_way} of them ticked and on their way)" if on_way and kind == READY else "")
        for kind, n in _worst_kinds(report, kinds)
    )
    blocks.append(kit.section(f"*{summary}*\n{fit(by_kind, 2000)}"))
    blocks.append(kit.divider())
    for i, f in enumerate(shown_findings(report)[:SHOWN]):
        blocks.append(_finding_block(roadmap, f, i, pending))
    rest = len(report.findings) - SHOWN
    if rest > 0:
        blocks.append(
            kit.context(f"…and {plural(rest, 'more finding')}: `roadmap-bot drift` lists them all.")
        )
    ready = ready_cells(roadmap, report, pending)
    if ready and report.commit:
        blocks += kit.actions([tick_all_button(len(ready), report.commit)], 1)
    text = f"Docs drift: {summary.replace('*', '')}"
    return kit.message(text, blocks)


def shown_findings(report: DriftReport) -> list[Finding]:
    """Worst first; within a severity, cells first (a button fixes them), then modules,
    groups and the site config, each in roadmap order."""
    order = {sev: i for i, sev in enumerate((ERROR, WARNING, INFO))}
    return sorted(report.findings, key=lambda f: (order.get(f.severity, 3), f.column is None))


def ready_cells(
    roadmap: Roadmap, report: DriftReport, pending: Pending | None = None
) -> list[tuple[Module, str]]:
    """(module, column) of every open-but-ready finding whose box can be ticked from Slack
    and has no tick on its way."""
    out: list[tuple[Module, str]] = []
    for f in report.findings:
        if f.kind != READY or f.column is None or _waiting(roadmap, f, pending) is not None:
            continue
        module = module_of(roadmap, f)
        cell = module.cell(f.column) if module is not None else None
        if module is not None and cell is not None and cell.box is not None:
            out.append((module, cell.column))
    return out


def module_of(roadmap: Roadmap, f: Finding) -> Module | None:
    """The roadmap row a finding is about: its group and name, at its line if several."""
    same = [m for m in roadmap.modules if m.name == f.module and m.group == f.group]
    return next((m for m in same if m.line == f.roadmap_line), same[0] if same else None)


def tick_all_button(n: int, commit: str) -> kit.Block | None:
    value = json.dumps({"c": commit, "n": n}, separators=(",", ":"))
    dialog = kit.confirm(
        title=f"Tick {plural(n, 'cell')}?",
        text=f"Every cell whose page is written and in the nav gets ticked: {plural(n, 'cell')} "
        "in one commit (or one pull request), each listed in it.",
        ok="Tick all",
    )
    button = kit.button(f"Tick all {n} ready", ACTION_TICK_ALL, value, "primary", dialog)
    if button is not None:
        button["confirm"]["style"] = "primary"  # ticking is not destructive: no red button
    return button


def parse_tick_all(value: object) -> tuple[str, int] | None:
    """(commit, cells) from a Tick all button's value; None for anything malformed."""
    if not isinstance(value, str) or len(value) > 200:
        return None
    try:
        data = json.loads(value)
    except ValueError:
        return None
    if not isinstance(data, dict) or set(data) != {"c", "n"}:
        return None
    commit, n = data["c"], data["n"]
    if not (isinstance(commit, str) and len(commit) in (40, 64) and commit.isalnum()):
        return None
    if type(n) is not int or n < 1:
        return None
    return commit, n


def _worst_kinds(report: DriftReport, kinds: Counter[str]) -> list[tuple[str, int]]:
    seen: dict[str, int] = {}
    for f in report.findings:  # already worst first
        seen.setdefault(f.kind, kinds[f.kind])
    return list(seen.items())


def with_result(card: kit.Message, line: str) -> kit.Message:
    """The card with `line` (mrkdwn: what became of a click) as a context block under its
    header and commit line, where the person looks first; the card's own blocks stay under
    Block Kit's 50 (at most `SHOWN` + 6 of them)."""
    shown = [*card.blocks[:2], kit.context(line), *card.blocks[2:]]
    return kit.Message(card.text, shown[: limits.MAX_MESSAGE_BLOCKS])


def _waiting(roadmap: Roadmap, f: Finding, pending: Pending | None) -> str | None:
    """The pull request link ("" while being applied) of the tick on its way to `f`'s cell;
    None when there is none."""
    if not pending or f.column is None:
        return None
    columns = pending.get(f"{f.group}/{f.module}")  # a module's qualified name
    if not columns:  # most findings: no row lookup (thousands on a big site)
        return None
    module = module_of(roadmap, f)
    cell = module.cell(f.column) if module is not None else None
    return columns.get(cell.column if cell is not None else f.column)


def _finding_block(roadmap: Roadmap, f: Finding, i: int, pending: Pending) -> kit.Block:
    lines = [f"{ICONS.get(f.severity, '•')} {fit(f.message, 1200)}"]
    extra: list[str] = []
    waiting = _waiting(roadmap, f, pending)
    if f.suggestion and waiting is None:  # "→ tick it" beside "⏳ ticking…" would contradict
        extra.append(f"→ {fit(f.suggestion, 600)}")
    if f.url:
        extra.append(link(f.url, "page"))
    elif f.page:
        extra.append(f"`{fit(f.page, 300)}`")
    if f.roadmap_line:
        extra.append(f"roadmap line {f.roadmap_line}")
    if waiting is not None:  # said last, where the button was
        extra.append(f"⏳ {link(waiting, 'pending review')}" if waiting else "⏳ ticking…")
    if extra:
        lines.append(" · ".join(extra))
    block = kit.section("\n".join(lines))
    block["block_id"] = f"{DRIFT_BLOCK}:{i}"
    button = _cell_button(roadmap, f, i) if waiting is None else None
    if button is not None:
        block["accessory"] = button
    return block


def _cell_button(roadmap: Roadmap, f: Finding, i: int) -> kit.Block | None:
    if f.column is None or f.kind not in (READY, *UNTICKABLE):
        return None
    module = module_of(roadmap, f)
    cell = module.cell(f.column) if module is not None else None
    if module is None or cell is None or cell.box is None:
        return None  # the file has moved on, or the box cannot be edited: no button
    column = cell.column
    if f.kind == READY:
        if cell.state is CellState.DONE:
            return None
        value = tick_value(module, column, True)
        return kit.button(f"Tick {name(column, 60)}", tick_action_id(i), value)
    if cell.state is not CellState.DONE:
        return None
    dialog = kit.confirm(
        title=f"Untick {name(module.name, 40)} / {name(column, 40)}?",
        text=f"*{name(column)}* of *{name(module.name)}* goes back to open in the roadmap: "
        "the docs do not show it written.",
        ok="Untick",
    )
    return kit.button(
        f"Untick {name(column, 60)}",
        untick_action_id(i),
        tick_value(module, column, False),
        confirm_dialog=dialog,
    )
