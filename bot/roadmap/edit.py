"""Tick or untick one cell by changing its status symbol, in the file's own vocabulary."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..errors import NotFoundError, RoadmapFileError, UserInputError
from .model import Cell, CellState, Module, Roadmap, normalize
from .vocabulary import key

# When neither the legend nor any cell of the file says how to write a state.
_FAMILY_DEFAULTS = {
    "[": {CellState.DONE: "[x]", CellState.OPEN: "[ ]"},
    ":": {CellState.DONE: ":white_check_mark:", CellState.OPEN: ":x:"},
    "": {CellState.DONE: "✅", CellState.OPEN: "⬜"},
}


@dataclass(frozen=True, slots=True)
class Edit:
    text: str  # the whole new file text (== the old text when nothing changed)
    module: str
    column: str
    done: bool  # the state asked for
    changed: bool
    state: CellState | None = None  # the cell's state before, when nothing changed

    @property
    def message(self) -> str:
        verb = "ticked" if self.done else "unticked"
        if not self.changed:
            if self.state is CellState.PROGRESS:
                return f"{self.module} / {self.column} is in progress, not done; nothing changed"
            already = "done" if self.done else "open"
            return f"{self.module} / {self.column} is already {already}; nothing changed"
        return f"{verb} {self.module} / {self.column}"


def set_cell(text: str, roadmap: Roadmap, module: Module, column: str, done: bool) -> Edit:
    """`text` with `module`'s cell in `column` ticked (done=True) or unticked.

    Ticking writes the file's done symbol, unticking its open symbol (`symbol_for`); the
    text after the symbol and every other byte stay. `roadmap` must be the parse of `text`:
    the symbol is checked at its offset before it is replaced, so a stale position can
    never write into the wrong place.
    """
    current, cell = _cell(roadmap, module, column)
    if cell.state is CellState.NA or cell.mark is None:
        raise UserInputError(
            f"line {cell.line}: {module.name} / {cell.column} is not a checkbox ('{cell.text}')"
        )
    pos, end = cell.mark, cell.mark + len(cell.symbol)
    if not cell.symbol or text[pos:end] != cell.symbol:
        raise RoadmapFileError(
            f"line {cell.line}: {module.name} / {cell.column}: the file changed under the edit"
        )
    if (cell.state is CellState.DONE) == done:
        return Edit(text, module.name, cell.column, done, changed=False, state=cell.state)
    symbol = symbol_for(roadmap, current, cell, CellState.DONE if done else CellState.OPEN)
    new = text[:pos] + symbol + text[end:]
    return Edit(new, module.name, cell.column, done, changed=True)


def symbol_for(roadmap: Roadmap, module: Module, cell: Cell, state: CellState) -> str:
    """How this file writes `state`: the legend's symbol for it (as the file's cells write
    it, "[X]" for "[x]"), else the symbol the module's other cells use, else the one the
    file uses most (of the cell's own kind first), else the default of the cell's kind
    ([x], :white_check_mark:, ✅)."""
    used = [c.symbol for c in module.cells if c.state is state and c.symbol]
    used += [s for s, _ in _used(roadmap, state).most_common()]
    # Of those, one of the cell's own kind first: ":x:" ticks to ":white_check_mark:".
    used.sort(key=lambda u: _family(u) != _family(cell.symbol))
    legend = roadmap.vocabulary.of(state, legend_only=True)
    if legend:
        wanted = {key(s.text) for s in legend}
        return next((u for u in used if key(u) in wanted), legend[0].text)
    if used:
        return used[0]
    return _FAMILY_DEFAULTS[_family(cell.symbol)][state]


def _family(symbol: str) -> str:
    return symbol[:1] if symbol[:1] in ("[", ":") else ""


def _used(roadmap: Roadmap, state: CellState) -> Counter[str]:
    """How often each symbol is written for `state` in the file (cached on the roadmap)."""
    name = f"symbols:{state.value}"
    found = roadmap.cache.get(name)
    if found is None:
        found = roadmap.cache[name] = Counter(
            c.symbol for m in roadmap.modules for c in m.cells if c.state is state and c.symbol
        )
    return found  # type: ignore[return-value]  # the cache is dict[str, object]; this key only ever holds this type


def _cell(roadmap: Roadmap, module: Module, column: str) -> tuple[Module, Cell]:
    current = next(
        (m for m in roadmap.modules if m.line == module.line and m.key == module.key), None
    )
    if current is None:
        raise NotFoundError(f"module '{module.name}' is no longer in the roadmap")
    for cell in current.cells:
        if normalize(cell.column) == normalize(column):
            return current, cell
    raise NotFoundError(f"column '{column}' is not in the roadmap")
