"""The roadmap as values: modules grouped by area, one cell per readiness column.

Everything here is immutable and knows nothing of files, git or Slack.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, cast


def normalize(name: str) -> str:
    """The key names are compared by: case-insensitive, spaces collapsed."""
    # split() cuts at the whitespace `\s` matches: the same as collapsing runs of it and
    # trimming, without a regex (this runs for every module of every parse).
    return " ".join(name.split()).casefold()


class CellState(enum.StrEnum):
    DONE = "done"
    OPEN = "open"
    PROGRESS = "progress"  # started, not done: counts as not done everywhere
    NA = "n/a"


@dataclass(frozen=True, slots=True)
class Cell:
    column: str
    state: CellState
    text: str  # the cell as written, trimmed (e.g. "[x] ([#12](...))", "✅ Implemented")
    line: int  # 1-based line in the file
    mark: int | None = None  # offset in the file of the status symbol (None for n/a)
    symbol: str = ""  # the status symbol exactly as written there ("[x]", "✔️", ":x:")

    @property
    def box(self) -> int | None:
        """Where a tick writes: the character inside "[ ]" for a box, else the symbol's
        offset; None when the cell has no symbol to change."""
        if self.mark is None:
            return None
        return self.mark + 1 if self.symbol[:1] == "[" else self.mark


# A frozen dataclass's __init__ sets each field through object.__setattr__; the parser makes
# a cell for every status cell of the file (80,000 in a big roadmap), so it sets the slots
# directly, in half the time. Same value, same class.
_CELL_SLOTS = tuple(cast(Any, Cell).__dict__[f].__set__ for f in Cell.__slots__)
_new_object = object.__new__


def new_cell(
    column: str,
    state: CellState,
    text: str,
    line: int,
    mark: int | None = None,
    symbol: str = "",
) -> Cell:
    """`Cell(column, state, text, line, mark, symbol)`, made faster."""
    cell: Cell = _new_object(Cell)
    set_column, set_state, set_text, set_line, set_mark, set_symbol = _CELL_SLOTS
    set_column(cell, column)
    set_state(cell, state)
    set_text(cell, text)
    set_line(cell, line)
    set_mark(cell, mark)
    set_symbol(cell, symbol)
    return cell


@dataclass(frozen=True, slots=True)
class Symbol:
    """One word of a file's status vocabulary."""

    text: str  # as the legend (or the built-in list) writes it
    state: CellState
    meaning: str  # the legend's word for it ("Ready"), or the state for a built-in one
    line: int | None = None  # 1-based legend line; None for a built-in default


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Which symbol means what in one file: its legend first, then the built-in defaults."""

    symbols: tuple[Symbol, ...] = ()

    def of(self, state: CellState, legend_only: bool = False) -> tuple[Symbol, ...]:
        return tuple(
            s for s in self.symbols if s.state is state and not (legend_only and s.line is None)
        )

    @property
    def from_legend(self) -> bool:
        return any(s.line is not None for s in self.symbols)


@dataclass(frozen=True, slots=True)
class Module:
    name: str
    group: str
    line: int
    cells: tuple[Cell, ...]

    @property
    def key(self) -> str:
        return normalize(self.name)

    @property
    def qualified(self) -> str:
        return f"{self.group}/{self.name}"

    def cell(self, column: str) -> Cell | None:
        for cell in self.cells:
            if cell.column == column:
                return cell
        return None

    @property
    def done(self) -> int:
        return sum(1 for c in self.cells if c.state is CellState.DONE)

    @property
    def total(self) -> int:
        return sum(1 for c in self.cells if c.state is not CellState.NA)

    @property
    def is_done(self) -> bool:
        return self.done == self.total

    @property
    def open_columns(self) -> tuple[str, ...]:
        return tuple(c.column for c in self.cells if c.state is CellState.OPEN)

    @property
    def progress_columns(self) -> tuple[str, ...]:
        return tuple(c.column for c in self.cells if c.state is CellState.PROGRESS)


@dataclass(frozen=True, slots=True)
class Group:
    name: str
    line: int
    modules: tuple[Module, ...]

    @property
    def key(self) -> str:
        return normalize(self.name)

    @property
    def done(self) -> int:
        return sum(m.done for m in self.modules)

    @property
    def total(self) -> int:
        return sum(m.total for m in self.modules)

    @property
    def is_done(self) -> bool:
        return all(m.is_done for m in self.modules)


@dataclass(frozen=True, slots=True)
class FileWarning:
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass(frozen=True, slots=True)
class Roadmap:
    columns: tuple[str, ...]
    groups: tuple[Group, ...]
    dependency_order: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()  # the "Development dependencies" bullets, as written
    warnings: tuple[FileWarning, ...] = ()
    title: str = ""
    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    # Derived indexes (lookup) built on first use; not part of the value.
    cache: dict[str, object] = field(default_factory=dict, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        # Always a cache of its own: dataclasses.replace() would otherwise hand the new value
        # the old one's dict, and with it the old modules and lookup indexes.
        object.__setattr__(self, "cache", {})

    @property
    def modules(self) -> tuple[Module, ...]:
        found = self.cache.get("modules")
        if found is None:
            found = self.cache["modules"] = tuple(m for g in self.groups for m in g.modules)
        return found  # type: ignore[return-value]  # the cache is dict[str, object]; this key only ever holds this type

    def group(self, name: str) -> Group | None:
        key = normalize(name)
        return next((g for g in self.groups if g.key == key), None)

    @property
    def done(self) -> int:
        return sum(g.done for g in self.groups)

    @property
    def total(self) -> int:
        return sum(g.total for g in self.groups)
