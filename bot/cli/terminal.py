"""The roadmap in a terminal (rich): tables, progress bars, colours when a terminal."""

from __future__ import annotations

from rich.console import Console, RenderableType
from rich.console import Group as Stack
from rich.panel import Panel
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from ..roadmap.analysis import (
    Readiness,
    blockers,
    column_readiness,
    group_blockers,
    next_modules,
    readiness,
    rules_for_group,
)
from ..roadmap.model import CellState, Group, Module, Roadmap

_MARK = {
    CellState.DONE: ("✔", "green"),
    CellState.OPEN: ("·", "yellow"),
    CellState.PROGRESS: ("◐", "cyan"),  # in progress
    CellState.NA: ("–", "dim"),
}


def _bar(r: Readiness, width: int = 20) -> Table:
    row = Table.grid(padding=(0, 1))
    row.add_row(
        ProgressBar(total=max(r.total, 1), completed=r.done if r.total else 1, width=width),
        Text(f"{r.done}/{r.total}", style="bold"),
        Text(f"{r.percent}%", style="dim"),
    )
    return row


def roadmap_view(roadmap: Roadmap, width: int = 80) -> Stack:
    overall = readiness(roadmap)
    table = Table(title=roadmap.title or "Roadmap", title_justify="left", expand=False)
    table.add_column("Module", no_wrap=True)
    names = max((len(m.name) + 2 for m in roadmap.modules), default=10)
    needed = names + sum(len(c) + 3 for c in roadmap.columns) + 12
    short = needed > width  # narrow terminal: short headers and a legend below
    for column in roadmap.columns:
        table.add_column(abbreviate(column) if short else column, justify="center")
    table.add_column("Ready", justify="right")
    for g in roadmap.groups:
        r = readiness(g)
        table.add_row(
            Text(g.name, style="bold cyan"), *[""] * len(roadmap.columns), f"{r}", end_section=False
        )
        for m in g.modules:
            table.add_row(f"  {m.name}", *_marks(roadmap, m), _ratio(readiness(m)))
        table.add_section()
    nxt = next_modules(roadmap)
    footer = Text.assemble(
        ("Overall ", "bold"),
        f"{overall} cells done ({overall.percent}%). ",
        ("Next: ", "bold"),
        ", ".join(m.name for m in nxt[:8]) + (f" and {len(nxt) - 8} more" if len(nxt) > 8 else "")
        if nxt
        else "nothing open and unblocked",
    )
    per_column = Text.assemble(
        ("By column ", "bold"),
        "  ".join(
            f"{abbreviate(c) if short else c} {column_readiness(roadmap, c)}"
            for c in roadmap.columns
        ),
    )
    parts: list[RenderableType] = [table, per_column]
    if short:
        legend = ", ".join(f"{abbreviate(c)} = {c}" for c in roadmap.columns if abbreviate(c) != c)
        parts.append(Text(legend, style="dim"))
    return Stack(*parts, _bar(overall, 40), footer)


def abbreviate(column: str) -> str:
    """`Data Model` -> DM, `Observability` -> Obs, `API` -> API."""
    words = column.split()
    if len(words) > 1:
        return "".join(w[0].upper() for w in words)[:4]
    return column if len(column) <= 5 else column[:3]


def _marks(roadmap: Roadmap, m: Module) -> list[Text]:
    by_column = {c.column: c.state for c in m.cells}
    return [Text(*_MARK[by_column.get(col, CellState.NA)]) for col in roadmap.columns]


def _ratio(r: Readiness) -> Text:
    style = "green" if r.done == r.total else ("yellow" if r.done else "red")
    return Text(str(r), style=style)


def module_view(roadmap: Roadmap, m: Module) -> Panel:
    cells = Table.grid(padding=(0, 2))
    for c in m.cells:
        mark, style = _MARK[c.state]
        extra = c.text[len(c.symbol) :].strip() if c.symbol else ""
        cells.add_row(Text(mark, style=style), c.column, Text(extra, style="dim"))
    parts: list[RenderableType] = [
        Text.assemble(("Group ", "dim"), m.group, ("   line ", "dim"), str(m.line)),
        _bar(readiness(m)),
        cells,
    ]
    found = blockers(roadmap, m)
    if found:
        parts.append(Text("\nBlocked by", style="bold red"))
        # A grid, so a long list of names wraps under itself, not under the group.
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column()
        for b in found:
            grid.add_row(
                Text.assemble(f"  {b.group} ", (f"({len(b.modules)})", "dim")),
                _names([x.name for x in b.modules]),
            )
        parts.append(grid)
    elif not m.is_done:
        parts.append(Text("\nNot blocked: ready to work on.", style="green"))
    rules = rules_for_group(roadmap, m.group)
    if rules:
        parts.append(Text("\nRules", style="bold"))
        parts.extend(Text(f"  • {r}") for r in rules)
    return Panel(Stack(*parts), title=Text(m.name, style="bold"), title_align="left", expand=False)


def group_view(roadmap: Roadmap, g: Group) -> Panel:
    table = Table.grid(padding=(0, 2))
    for m in g.modules:
        table.add_row(m.name, _ratio(readiness(m)))
    parts: list[RenderableType] = [_bar(readiness(g)), table]
    found = group_blockers(roadmap, g)
    if found:
        parts.append(Text("\nBlocked by", style="bold red"))
        parts.extend(Text(f"  {b.group} ({len(b.modules)})") for b in found)
    return Panel(Stack(*parts), title=Text(g.name, style="bold"), title_align="left", expand=False)


def column_view(roadmap: Roadmap, column: str) -> Panel:
    table = Table.grid(padding=(0, 2))
    for g in roadmap.groups:
        states = [c.state for m in g.modules if (c := m.cell(column)) is not None]
        total = sum(s is not CellState.NA for s in states)
        if total:
            done = sum(s is CellState.DONE for s in states)
            table.add_row(g.name, _ratio(Readiness(done, total)))
    waiting = [
        m.name for m in roadmap.modules if (c := m.cell(column)) and c.state is CellState.OPEN
    ]
    parts: list[RenderableType] = [_bar(column_readiness(roadmap, column)), table]
    if waiting:
        parts.append(Text.assemble(("\nOpen ", "bold"), f"({len(waiting)}): ", _names(waiting, 12)))
    title = Text.assemble((column, "bold"), (" column", "dim"))
    return Panel(Stack(*parts), title=title, title_align="left", expand=False)


def blockers_view(roadmap: Roadmap, m: Module) -> Text:
    found = blockers(roadmap, m)
    if not found:
        return Text(f"{m.name} is not blocked.", style="green")
    lines = Text(f"{m.name} ({m.group}) is blocked by:\n", style="bold")
    for b in found:
        lines.append(f"  {b.group} ({len(b.modules)}): ", style="bold")
        lines.append(_names([x.name for x in b.modules]) + "\n")
    return lines


def next_view(roadmap: Roadmap) -> Table | Text:
    nxt = next_modules(roadmap)
    if not nxt:
        return Text("Nothing is open and unblocked.")
    table = Table(title="Next: not done and not blocked", title_justify="left")
    table.add_column("Module")
    table.add_column("Group", style="cyan")
    table.add_column("Ready", justify="right")
    for m in nxt:
        table.add_row(m.name, m.group, _ratio(readiness(m)))
    return table


def _names(names: list[str], limit: int = 8) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False)
