"""Tick or untick one cell by changing the one character inside its brackets."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import NotFoundError, RoadmapFileError, UserInputError
from .model import Cell, CellState, Module, Roadmap, normalize


@dataclass(frozen=True, slots=True)
class Edit:
    text: str  # the whole new file text (== the old text when nothing changed)
    module: str
    column: str
    done: bool  # the state asked for
    changed: bool

    @property
    def message(self) -> str:
        verb = "ticked" if self.done else "unticked"
        if not self.changed:
            already = "done" if self.done else "open"
            return f"{self.module} / {self.column} is already {already}; nothing changed"
        return f"{verb} {self.module} / {self.column}"


def set_cell(text: str, roadmap: Roadmap, module: Module, column: str, done: bool) -> Edit:
    """`text` with `module`'s cell in `column` ticked (done=True) or unticked.

    `roadmap` must be the parse of `text`; the box is checked at its offset before the one
    character changes, so a stale position can never write into the wrong place.
    """
    cell = _cell(roadmap, module, column)
    if cell.state is CellState.NA or cell.box is None:
        raise UserInputError(
            f"line {cell.line}: {module.name} / {cell.column} is not a checkbox ('{cell.text}')"
        )
    pos = cell.box
    if not (
        0 < pos < len(text) - 1
        and text[pos - 1] == "["
        and text[pos + 1] == "]"
        and text[pos] in " xX"
    ):
        raise RoadmapFileError(
            f"line {cell.line}: {module.name} / {cell.column}: the file changed under the edit"
        )
    is_done = text[pos] != " "
    if is_done == done:
        return Edit(text, module.name, cell.column, done, changed=False)
    new = text[:pos] + ("x" if done else " ") + text[pos + 1 :]
    return Edit(new, module.name, cell.column, done, changed=True)


def _cell(roadmap: Roadmap, module: Module, column: str) -> Cell:
    current = next(
        (m for m in roadmap.modules if m.line == module.line and m.key == module.key), None
    )
    if current is None:
        raise NotFoundError(f"module '{module.name}' is no longer in the roadmap")
    for cell in current.cells:
        if normalize(cell.column) == normalize(column):
            return cell
    raise NotFoundError(f"column '{column}' is not in the roadmap")
