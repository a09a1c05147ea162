"""Readiness history from git: every tick and untick, modules added or removed.

One `git log --reverse -p -U0 --first-parent` of the roadmap file gives, per commit on the
branch, only the lines that changed (a merged pull request shows as its merge commit's diff
against the first parent: its ticks count once, when they land). Only those lines are read,
with the core's `split_row`, the file's vocabulary and parse()'s own `choose_layout`; a tick
never parses the file whole.

Which column holds the names and which are statuses or text (Notes, Owner) is decided per
table as parse() decides it, from counts of its cells; the model keeps those counts per table
as rows change. A commit that changes a header, group row, legend or a table's layout may
change how rows it does not touch read (a legend that now calls 🟡 done ticks every 🟡 cell):
then every row before and after is compared, so the history is what diffing full parses
gives. Such commits are rare; ticks take the fast path.

Why a model of the file: with -U0 the diff carries no context, so a changed row does not say
which group it sits in or what the columns are. The hunk header's function context could name
the group (an `xfuncname` regex), but it is computed on the old side only, is blind to a group
row changed earlier in the same commit and cannot tell a header row (known only by the
delimiter row under it) from a group row. So `FileModel` keeps the file's lines through the
history, patched hunk by hunk, plus a sorted index of the few lines that give a row its context
(delimiter rows, group rows, lines that end a table). A row's group and columns are then a few
bisections away. The hunk's removed lines are checked against the model before it is patched,
so a model out of step with git is found (HistoryError), never silently trusted.

What counts as a change: a cell that becomes done is a tick, a done cell that becomes open (or
n/a) an untick; open <-> n/a is neither. A module row only added is `module_added` (so the
commit that creates the file adds every module, and one that deletes it removes them all); a
row only removed is `module_removed`. Rows are paired by module name (within the same group
first), so a module moved to another group or a group moved whole is no change, and a rename
shows as removed + added. A header renamed in the same commit as a tick pairs columns by
position. Not followed: renames of the file itself (a file moved onto the path shows as created
there), tables inside HTML comments, and files with bare-CR line ends.

`parse_log` is the pure part (log text + model in, changes + model out); `read_history` is the
thin shell that runs git, and `read_branch_history` reads a mirror's fetched branch after a
tip read before (what the history cache in bot/store keeps).
"""

from __future__ import annotations

import enum
import re
from bisect import bisect_left
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import GitError, HistoryError
from ..roadmap import vocabulary as vocab
from ..roadmap.model import CellState, Vocabulary, normalize
from ..roadmap.parse import (
    Layout,
    choose_layout,
    file_vocabulary,
    group_row_name,
    is_legend_header,
    plain,
    split_row,
    unescape_pipes,
)
from .git import Git
from .mirror import Mirror, display

# A line git never writes inside a patch (those start with +, -, space or backslash).
MARKER = "\x01"
LOG_FORMAT = "%x01%H%x00%aI%x00%an%x00%ae"
_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
# markdown-it's delimiter row: cells of dashes with optional alignment colons, at least one pipe.
_DELIM = re.compile(r"^\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?$")
_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_FENCE = ("```", "~~~")


class ChangeKind(enum.StrEnum):
    """What one change did (`kind` in `history --json`)."""

    TICK = "tick"  # a cell became done
    UNTICK = "untick"  # a done cell became open (or n/a)
    MODULE_ADDED = "module_added"
    MODULE_REMOVED = "module_removed"


@dataclass(frozen=True, slots=True)
class Change:
    """One change to the roadmap in one commit on the branch (first-parent history)."""

    commit: str  # full sha
    date: datetime  # author date, tz-aware
    author: str  # author name
    email: str
    module: str
    group: str | None
    column: str | None  # None for module_added / module_removed
    state: str  # "done" | "open" | "n/a" for cells; "added" | "removed" for modules
    kind: ChangeKind

    def to_json(self) -> dict[str, Any]:
        """The JSON contract of `roadmap-bot history --json` (date in ISO 8601)."""
        return {
            "commit": self.commit,
            "date": self.date.isoformat(),
            "author": self.author,
            "email": self.email,
            "module": self.module,
            "group": self.group,
            "column": self.column,
            "state": self.state,
            "kind": self.kind,
        }


# --- the model of the file -------------------------------------------------------------------

# Kinds of lines that give table rows their context. A plain table row is none of them.
_BREAK = 1  # ends a table: blank, prose, heading, list item (no pipe)
_DELIM_ROW = 2
_GROUP = 4
_FENCE_LINE = 8  # also a break; fences are counted so rows inside a code block are skipped


def _kind(line: str) -> tuple[int, str | None]:
    """(kind bits, group name) of one line of the file."""
    s = line.strip()
    if "|" not in s:
        kind = _BREAK
        if s.startswith(_FENCE) and len(line) - len(line.lstrip(" ")) < 4:
            kind |= _FENCE_LINE
        return kind, None
    if "-" in s and _DELIM.match(s):
        return _DELIM_ROW, None
    if "**" in s or "__" in s:
        name = group_row_name(_cells(line))  # one bold cell, in any column (as parse() reads it)
        if name is not None:
            return _GROUP, name
    return 0, None


def _may_be_legend(line: str) -> bool:
    """Whether a changed line may change the file's vocabulary: anything but a table row
    of three cells or more (a legend is prose, a list or a two-column table; a blank line
    may end or start one), or a row that starts with a symbol (a wider legend table's
    `| ✅ **Done** | … | … |`)."""
    if line.count("|") - line.count("\\|") < 4:
        return True
    first = line.lstrip(" \t|").lstrip("`")
    return vocab.starts_with_symbol(first)


def _cells(line: str) -> list[str]:
    return [unescape_pipes(line[a:z]) for a, z in split_row(line, 0, len(line))]


class _Marks:
    """Sorted positions of the lines of one kind, with a value each (a group's name, a
    table's counts)."""

    __slots__ = ("pos", "val")

    def __init__(self) -> None:
        self.pos: list[int] = []
        self.val: list[Any] = []

    def last_before(self, i: int) -> int:
        """Index in `pos` of the last mark before line i, -1 when none."""
        return bisect_left(self.pos, i) - 1

    def splice(self, start: int, old: int, new: list[tuple[int, Any]], delta: int) -> None:
        lo = bisect_left(self.pos, start)
        hi = bisect_left(self.pos, start + old)
        if lo == hi and not new and not delta:
            return  # the common case: a row ticked in place
        self.pos[lo:hi] = [p for p, _ in new]
        self.val[lo:hi] = [v for _, v in new]
        if delta:
            after = lo + len(new)
            self.pos[after:] = [p + delta for p in self.pos[after:]]

    def copy(self) -> _Marks:
        other = _Marks()
        other.pos = self.pos.copy()
        other.val = self.val.copy()
        return other


@dataclass(frozen=True, slots=True)
class Row:
    """A module row as read on one side of a commit."""

    name: str
    key: str
    group: str | None
    columns: tuple[str, ...]
    states: tuple[CellState, ...]


@dataclass(frozen=True, slots=True)
class _Line:
    """One line with a pipe, read with the file's vocabulary (cached by its text)."""

    kind: int  # 0 for a plain row, else _DELIM_ROW or _GROUP
    cells: tuple[str, ...]
    states: tuple[CellState | None, ...]  # None: the cell holds text, not a status
    marks: tuple[int, ...]  # cells that start with a status symbol (not n/a)
    others: tuple[int, ...]  # non-empty cells that hold other text


@dataclass(frozen=True, slots=True)
class _Table:
    """A table's header and, per column, the counts parse() lays its columns out by
    (`choose_layout`), kept up to date as rows are ticked, added and removed."""

    width: int
    columns: tuple[str, ...]  # the header's cells as text
    keys: list[str]  # ... normalized
    marks: tuple[int, ...]
    others: tuple[int, ...]
    rows: int  # body lines
    legend: bool  # a `| Symbol | Meaning |` table: never a checklist
    layout: Layout

    @property
    def read(self) -> bool:
        """Whether parse() reads modules from this table."""
        return self.layout.marked and not self.legend

    def recount(self, gone: list[_Line], come: list[_Line]) -> _Table:
        marks, others = list(self.marks), list(self.others)
        width = self.width
        for lines, step in ((gone, -1), (come, 1)):
            for got in lines:
                if len(got.cells) <= width:  # longer rows say nothing of the columns
                    for j in got.marks:
                        marks[j] += step
                    for j in got.others:
                        others[j] += step
        rows = self.rows + len(come) - len(gone)
        return _Table(
            width,
            self.columns,
            self.keys,
            tuple(marks),
            tuple(others),
            rows,
            self.legend,
            choose_layout(self.keys, marks, others, rows > 0),
        )


class FileModel:
    """The roadmap file's lines at commit `head` (as git numbers them: split on \\n, a \\r
    kept), and where the delimiter rows, group rows and table breaks are.

    Each table's layout (which column holds the names, which hold statuses, which are text
    such as Notes) is parse()'s `choose_layout` over counts of its cells, kept per table as
    the value of its delimiter row's mark.

    `commits_read` is how many commits the last `parse_log` applied (0 for a fresh model).
    """

    def __init__(self, lines: list[str] | None = None, head: str | None = None) -> None:
        self.lines: list[str] = []
        self.head = head
        self.commits_read = 0
        self._breaks = _Marks()
        self._delims = _Marks()  # value: the table's _Table, None until worked out
        self._groups = _Marks()
        self._fences = _Marks()
        # Lines with a pipe, read: a line is read when it is added and again when it goes
        # (a tick replaces it): the second read is a lookup. Keyed by text, so never stale.
        self._rows: dict[str, _Line] = {}
        self._names: dict[str, tuple[str, str]] = {}  # name cell -> (name, key)
        # The file's own vocabulary (its legend, else the defaults), as parse() reads it;
        # worked out again only after a commit changes a line that may be part of a legend.
        self._vocabulary = vocab.DEFAULT
        self._read = vocab.reader(vocab.DEFAULT).read
        self._legend_changed = False
        if lines:
            self.splice(0, 0, lines)

    @classmethod
    def from_text(cls, text: str, head: str | None = None) -> FileModel:
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()  # git does not count the empty piece after the last newline
        return cls(lines, head)

    def text(self) -> str:
        return "".join(line + "\n" for line in self.lines)

    def copy(self) -> FileModel:
        other = FileModel(head=self.head)
        other.lines = self.lines.copy()
        other._breaks = self._breaks.copy()
        other._delims = self._delims.copy()  # the _Table values are never changed: shared
        other._groups = self._groups.copy()
        other._fences = self._fences.copy()
        other._rows = self._rows  # keyed by text for one vocabulary: replaced, never cleared
        other._names = self._names
        other._vocabulary, other._read = self._vocabulary, self._read
        other._legend_changed = self._legend_changed
        return other

    def splice(self, start: int, old: int, new: list[str]) -> None:
        """Replace `old` lines at 0-based `start` with `new`, keeping the marks in step.
        The tables' layouts are the caller's: `forget_tables` or `set_tables`."""
        if not self._legend_changed:
            self._legend_changed = any(
                _may_be_legend(line) for line in (*self.lines[start : start + old], *new)
            )
        self.lines[start : start + old] = new
        delta = len(new) - old
        breaks: list[tuple[int, Any]] = []
        delims: list[tuple[int, Any]] = []
        groups: list[tuple[int, Any]] = []
        fences: list[tuple[int, Any]] = []
        for j, line in enumerate(new):
            kind, name = _kind(line)
            if kind & _BREAK:
                breaks.append((start + j, None))
                if kind & _FENCE_LINE:
                    fences.append((start + j, None))
            elif kind & _DELIM_ROW:
                delims.append((start + j, None))
            elif kind & _GROUP:
                groups.append((start + j, name))
        self._breaks.splice(start, old, breaks, delta)
        self._delims.splice(start, old, delims, delta)
        self._groups.splice(start, old, groups, delta)
        self._fences.splice(start, old, fences, delta)

    def forget_tables(self) -> None:
        """Work every table's layout out again when next needed."""
        self._delims.val = [None] * len(self._delims.pos)

    def set_tables(self, tables: dict[int, _Table]) -> None:
        """Tables recounted by `plan` (by index of their delimiter row's mark)."""
        for k, table in tables.items():
            self._delims.val[k] = table

    @property
    def vocabulary(self) -> Vocabulary:
        """The file's vocabulary at `head`."""
        if self._legend_changed:
            self._legend_changed = False
            found = file_vocabulary("\n".join(self.lines))
            if found != self._vocabulary:
                self._vocabulary = found
                self._read = vocab.reader(found).read
                self._rows = {}  # lines read with the old vocabulary
                self.forget_tables()  # ... and counted with it
        return self._vocabulary

    def _line(self, line: str) -> _Line:
        """A line with a pipe, read; cached by text."""
        found = self._rows.get(line)
        if found is not None:
            return found
        if len(self._rows) > 100_000:
            self._rows.clear()  # a bound, far above any real history's distinct rows
        kind, _ = _kind(line)
        cells = tuple(_cells(line))
        read = self._read
        states = tuple((got[0] if (got := read(c)) else None) for c in cells)
        marks = tuple(j for j, s in enumerate(states) if s is not None and s is not CellState.NA)
        others = tuple(j for j, s in enumerate(states) if s is None and cells[j])
        found = self._rows[line] = _Line(kind, cells, states, marks, others)
        return found

    def _table(self, k: int) -> _Table | None:
        """The table under the delimiter row of mark k; None when it has no header."""
        table: _Table | None = self._delims.val[k]
        if table is not None:
            return table
        d = self._delims.pos[k]
        if d < 1 or "|" not in self.lines[d - 1]:
            return None
        b = bisect_left(self._breaks.pos, d)
        end = self._breaks.pos[b] if b < len(self._breaks.pos) else len(self.lines)
        if k + 1 < len(self._delims.pos):
            end = min(end, self._delims.pos[k + 1] - 1)  # the next table's header
        header = _cells(self.lines[d - 1])
        width = len(header)
        columns = tuple(plain(c) for c in header)
        keys = [normalize(c) for c in columns]
        empty = (0,) * width
        blank = _Table(
            width, columns, keys, empty, empty, 0, is_legend_header(header), Layout(None, [], False)
        )
        table = self._delims.val[k] = blank.recount(
            [], [self._line(x) for x in self.lines[d + 1 : end]]
        )
        return table

    def plan(self, hunks: list[_Hunk]) -> dict[int, _Table] | None:
        """The tables recounted after `hunks` (by delimiter mark), when the hunks only
        change module rows inside tables and leave every table's layout, the groups and
        the vocabulary as they were: then the rows the hunks do not touch read the same
        before and after. None otherwise (the caller then reads the whole file twice)."""
        if self._legend_changed:
            self.vocabulary  # noqa: B018  # brings the cell reader up to date
        tables: dict[int, _Table] = {}
        pos = self._delims.pos
        for h in hunks:
            gone: list[_Line] = []
            come: list[_Line] = []
            for lines, into in ((h.old, gone), (h.new, come)):
                for line in lines:
                    if "|" not in line or _may_be_legend(line):
                        return None
                    got = self._line(line)
                    if got.kind:
                        return None  # a delimiter or group row
                    into.append(got)
            s, o = h.old_start, len(h.old)
            k = self._delims.last_before(s)
            if k + 1 < len(pos) and pos[k + 1] <= s + o + 1:
                return None  # touches (or borders) the next table's header
            if k < 0:
                continue  # above every table
            d = pos[k]
            b = self._breaks.last_before(s)
            if d < 1 or (b >= 0 and self._breaks.pos[b] >= d - 1):
                continue  # rows after a break: in no table
            table = tables.get(k) or self._table(k)
            if table is None:
                continue
            after = table.recount(gone, come)
            if after.layout != table.layout:
                return None
            tables[k] = after
        return tables

    def rows(self) -> list[Row]:
        """Every module row of the file."""
        return [row for i, line in enumerate(self.lines) if "|" in line and (row := self.row(i))]

    def row(self, i: int) -> Row | None:
        """The module row at 0-based line i, None when the line is not one."""
        if self._legend_changed:
            self.vocabulary  # noqa: B018  # brings the cell reader up to date
        line = self.lines[i]
        if "|" not in line:
            return None
        got = self._line(line)
        if got.kind:
            return None  # a group row or a delimiter row
        k = self._delims.last_before(i)
        if k < 0:
            return None
        delim = self._delims.pos[k]
        b = self._breaks.last_before(i)
        if delim < 1 or (b >= 0 and self._breaks.pos[b] >= delim - 1):
            return None  # a blank or prose line since the table's header: not in a table
        if k + 1 < len(self._delims.pos) and self._delims.pos[k + 1] == i + 1:
            return None  # the next table's header
        if (self._fences.last_before(i) + 1) % 2:
            return None  # inside a fenced code block
        table = self._table(k)
        if table is None or not table.read:
            return None
        cells = got.cells
        width = len(cells)
        if width > table.width or not any(cells):
            return None  # a row with an unescaped "|" is not read (parse() warns)
        layout = table.layout
        names = layout.names
        assert names is not None  # a table read has a name column
        cell = cells[names] if names < width else ""
        found = self._names.get(cell)
        if found is None:
            name = plain(cell)
            found = self._names[cell] = (name, normalize(name))
        name, key = found
        if not name:
            return None
        states = tuple(
            (got.states[j] or CellState.NA) if j < width else CellState.NA for j in layout.status
        )
        g = self._groups.last_before(i)
        if g >= 0 and self._groups.pos[g] > delim:
            group = self._groups.val[g]
        else:
            group = self._heading(delim)
        return Row(name, key, group, tuple(table.columns[j] for j in layout.status), states)

    def _heading(self, delim: int) -> str:
        """The group of rows above a table's first group row: the heading over the table,
        else "Modules" (what parse() calls them)."""
        for b in range(self._breaks.last_before(delim), -1, -1):
            text = self.lines[self._breaks.pos[b]].strip()
            if text.startswith("#"):
                return plain(text.strip("#").strip()) or "Modules"
        return "Modules"


# --- the pure parser -----------------------------------------------------------------------


@dataclass(slots=True)
class _Hunk:
    old_start: int  # 0-based first old line (or where the insertion goes)
    new_start: int
    old: list[str]
    new: list[str]
    removed: list[int]  # indexes into old of the "-" lines
    added: list[int]  # indexes into new of the "+" lines


@dataclass(frozen=True, slots=True)
class _Commit:
    sha: str
    date: datetime
    author: str
    email: str


def parse_log(log: str, model: FileModel | None = None) -> tuple[list[Change], FileModel]:
    """The changes in `log` (output of `git log --reverse -p -U0 --format=LOG_FORMAT` of one
    file) applied on top of `model` (the file at the commit before the first in `log`;
    empty when None). Returns the changes and the model at the last commit; `model` itself
    is left untouched. Raises HistoryError when the log does not fit the model."""
    model = FileModel() if model is None else model.copy()
    changes: list[Change] = []
    lines = log.split("\n")
    n = len(lines)
    i = 0
    commit: _Commit | None = None
    hunks: list[_Hunk] = []
    read = 0
    while i < n:
        line = lines[i]
        i += 1
        if line.startswith(MARKER):
            if commit is not None:
                _apply(model, commit, hunks, changes)
                read += 1
            commit = _header(line)
            hunks = []
        elif line.startswith("@@"):
            if commit is None:
                raise HistoryError(f"history: a hunk before any commit ({line[:40]!r})")
            m = _HUNK.match(line)
            if m is None:
                raise HistoryError(f"history: unreadable hunk header {line[:60]!r}")
            a, b, c, d = (
                int(m[1]),
                int(m[2] or "1"),
                int(m[3]),
                int(m[4] or "1"),
            )
            h = _Hunk(a - 1 if b else a, c - 1 if d else c, [], [], [], [])
            while (len(h.old) < b or len(h.new) < d) and i < n:
                body = lines[i]
                i += 1
                tag = body[:1]
                if tag == "-":
                    h.removed.append(len(h.old))
                    h.old.append(body[1:])
                elif tag == "+":
                    h.added.append(len(h.new))
                    h.new.append(body[1:])
                elif tag == " ":  # context, should diff.interHunkContext merge hunks
                    h.old.append(body[1:])
                    h.new.append(body[1:])
                elif tag != "\\":  # "\ No newline at end of file" says nothing of rows
                    raise HistoryError(f"history: unexpected line in a hunk {body[:60]!r}")
            if len(h.old) != b or len(h.new) != d:
                raise HistoryError(f"history: hunk cut short at commit {commit.sha[:10]}")
            hunks.append(h)
        # Anything else is a diff header ("diff --git", "index", "---", "+++", "new file
        # mode") or the blank line after a commit's header: nothing to read there.
    if commit is not None:
        _apply(model, commit, hunks, changes)
        read += 1
        model.head = commit.sha
    model.commits_read = read
    return changes, model


def _header(line: str) -> _Commit:
    parts = line[1:].split("\x00")
    if len(parts) != 4:
        raise HistoryError(f"history: unreadable commit header {line[:60]!r}")
    sha, date, author, email = parts
    return _Commit(sha, datetime.fromisoformat(date), author, email)


def _apply(model: FileModel, commit: _Commit, hunks: list[_Hunk], out: list[Change]) -> None:
    """One commit: the rows its hunks remove (read in the file before it), then the rows
    they add (read after), paired by module name."""
    for h in hunks:
        if model.lines[h.old_start : h.old_start + len(h.old)] != h.old:
            raise HistoryError(
                f"history: the file model is out of step with git at commit {commit.sha[:10]}"
            )
    tables = model.plan(hunks)
    removed: list[Row] = []
    added: list[Row] = []
    if tables is None:
        # A header, group, legend or layout changed: rows the hunks do not touch may read
        # differently now, so every row is compared (rare: ticks take the path below).
        removed = model.rows()
        for h in reversed(hunks):
            model.splice(h.old_start, len(h.old), h.new)
        model.forget_tables()
        added = model.rows()
    else:
        for h in hunks:
            for j in h.removed:
                row = model.row(h.old_start + j)
                if row is not None:
                    removed.append(row)
        # Bottom-up, so each hunk's old position is still right when it is applied.
        for h in reversed(hunks):
            model.splice(h.old_start, len(h.old), h.new)
        model.set_tables(tables)
        for h in hunks:
            for j in h.added:
                row = model.row(h.new_start + j)
                if row is not None:
                    added.append(row)
    if removed or added:
        _pair(commit, removed, added, out)


def _pair(commit: _Commit, removed: list[Row], added: list[Row], out: list[Change]) -> None:
    def change(row: Row, column: str | None, state: str, kind: ChangeKind) -> Change:
        return Change(
            commit.sha,
            commit.date,
            commit.author,
            commit.email,
            row.name,
            row.group,
            column,
            state,
            kind,
        )

    by_key: dict[str, list[Row]] = {}
    for row in removed:
        by_key.setdefault(row.key, []).append(row)
    paired: set[int] = set()
    for new in added:
        olds = by_key.get(new.key)
        if not olds:
            out.append(change(new, None, "added", ChangeKind.MODULE_ADDED))
            continue
        # The same name in two groups: pair within the group first.
        k = next((k for k, o in enumerate(olds) if o.group == new.group), 0)
        old = olds.pop(k)
        paired.add(id(old))
        for column, before, after in _cell_pairs(old, new):
            if after is CellState.DONE and before is not CellState.DONE:
                out.append(change(new, column, after.value, ChangeKind.TICK))
            elif before is CellState.DONE and after is not CellState.DONE:
                out.append(change(new, column, after.value, ChangeKind.UNTICK))
    for old in removed:
        if id(old) not in paired:
            out.append(change(old, None, "removed", ChangeKind.MODULE_REMOVED))


def _cell_pairs(old: Row, new: Row) -> list[tuple[str, CellState, CellState]]:
    """(column, state before, state after) of the cells two versions of a row share."""
    if old.columns == new.columns:
        return [
            (c, a, b) for c, a, b in zip(new.columns, old.states, new.states, strict=True) if a != b
        ]
    # The header changed in the same commit: match by name; a column renamed in place (same
    # number of columns) by position; a column that is new has no before.
    where = {c: j for j, c in enumerate(old.columns)}
    same_width = len(old.columns) == len(new.columns)
    pairs = []
    for j, column in enumerate(new.columns):
        k = where.get(column, j if same_width else None)
        if k is not None and old.states[k] != new.states[j]:
            pairs.append((column, old.states[k], new.states[j]))
    return pairs


# --- the shell: git --------------------------------------------------------------------------


def _runner(repo: Path | Git) -> Git:
    """The runner for `repo`: a Git as given (a mirror's, with its deadline), else one for
    the directory."""
    return repo if isinstance(repo, Git) else Git(repo)


# Literal pathspecs: a roadmap path with * or [ in it names that file, not a pattern.
_OPTIONS = ("--literal-pathspecs", "-c", "core.quotePath=false")


def resolve(repo: Path | Git, ref: str) -> str:
    """The commit sha `ref` names. Raises GitError."""
    out = _runner(repo).run(
        *_OPTIONS, "rev-parse", "--verify", "--end-of-options", f"{ref}^{{commit}}"
    )
    return out.decode().strip()


def on_first_parent_history(repo: Path | Git, commit: str, tip: str) -> bool:
    """True when `commit` is `tip` or one of its first-parent ancestors: then the changes
    cached up to `commit` are the start of `tip`'s history. False after a force-push, when
    `commit` is gone, or when the branch was fast-forwarded to a merge that has the old tip
    as its second parent (the first-parent history then runs through the other side)."""
    if commit == tip:
        return True
    done = _runner(repo).attempt(
        *_OPTIONS, "rev-list", "--first-parent", "--parents", f"{commit}..{tip}", "--"
    )
    if done.returncode != 0:
        return False
    # The walk from tip stops at the first commit reachable from `commit`: the last one
    # listed has `commit` as its first parent only when `commit` lies on the first-parent line.
    last = done.stdout.rstrip(b"\n").rsplit(b"\n", 1)[-1].split()
    return len(last) > 1 and last[1].decode() == commit


def model_at(repo: Path | Git, commit: str, path: str) -> FileModel:
    """The model of `path` at `commit` (empty when the file is not there), from its blob."""
    out = _runner(repo).run(*_OPTIONS, "cat-file", "--batch", input=f"{commit}:{path}\n".encode())
    first, _, rest = out.partition(b"\n")
    fields = first.split()
    if len(fields) == 3 and fields[1] == b"blob":
        data = rest[: int(fields[2])]
        return FileModel.from_text(data.decode("utf-8", "replace"), head=commit)
    if fields[-1:] == [b"missing"]:
        resolve(repo, commit)  # a missing commit is an error; a missing file is no file
        return FileModel(head=commit)
    raise HistoryError(f"history: {path} at {commit[:10]} is not a file")


def read_history(
    repo: Path | Git,
    branch_ref: str,
    path: str,
    since_commit: str | None = None,
    state: FileModel | None = None,
) -> tuple[list[Change], FileModel]:
    """The changes to `path` on the first-parent history of `branch_ref` after
    `since_commit` (all of it when None), oldest first, and the model at the branch's tip.

    `state` is the model returned by the previous call (`state.head == since_commit`); when
    it is missing it is rebuilt from the file's blob at `since_commit`. One `git log -p`
    reads all the new commits. `state.commits_read` of the result says how many there were.
    `repo` is a git directory or a runner for one (a mirror's `git`).
    Raises GitError for git errors and HistoryError when `state` does not fit the log.
    """
    git = _runner(repo)
    # A full sha (what the cache passes) needs no rev-parse: git log checks it anyway.
    tip = branch_ref if _SHA.fullmatch(branch_ref) else resolve(git, branch_ref)
    model: FileModel | None = None
    if since_commit is not None:
        model = state if state is not None and state.head == since_commit else None
        if model is None:
            model = model_at(git, since_commit, path)
        if since_commit == tip:
            fresh = model.copy()
            fresh.commits_read = 0
            return [], fresh
    revs = f"{since_commit}..{tip}" if since_commit else tip
    out = git.run(
        *_OPTIONS,
        "log",
        "--reverse",
        "-p",
        "-U0",
        "--inter-hunk-context=0",  # whatever diff.interHunkContext says
        "--first-parent",
        "--diff-merges=first-parent",
        "--no-renames",  # a file renamed onto the path shows as created there
        "--text",
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        f"--format={LOG_FORMAT}",
        revs,
        "--",
        path,
    )
    changes, model = parse_log(out.decode("utf-8", "replace"), model)
    model.head = tip  # commits after the last change to the file need no second look
    return changes, model


@dataclass(frozen=True)
class BranchHistory:
    """What `read_branch_history` read: the branch tip, where the read started and the
    changes after it."""

    tip: str
    since: str | None  # the commit the changes follow; None when read from the first commit
    changes: list[Change]
    commits_read: int


def read_branch_history(
    mirror: Mirror, branch: str, path: str, known: str | None, *, fetch: bool = True
) -> BranchHistory:
    """The changes to `path` on the fetched `branch` after `known` (a tip read before, e.g.
    by the history cache), fetching first unless `fetch` is False.

    Only the commits after `known` are read when it still lies on the branch's first-parent
    history and the file at it fits the new commits; otherwise the whole history is read
    (`since` is then None). `known == tip` reads nothing. Raises GitError or HistoryError naming the
    repo when the branch cannot be fetched or read.
    """
    repo = display(mirror.repo)
    with mirror.lock():
        if fetch:
            mirror.fetch_branch(branch)
        try:
            tip = resolve(mirror.git, f"refs/remotes/origin/{branch}")
        except GitError:
            raise GitError(f"ROADMAP_REPO {repo}: branch '{branch}' was not fetched") from None
        if known == tip:
            return BranchHistory(tip, tip, [], 0)
        since = known if known and on_first_parent_history(mirror.git, known, tip) else None
        try:
            try:
                changes, model = read_history(mirror.git, tip, path, since)
            except HistoryError:
                if since is None:
                    raise
                # The file at the known tip does not fit the new commits: start again.
                since = None
                changes, model = read_history(mirror.git, tip, path)
        except GitError as err:
            raise GitError(f"history of {path} on {branch} of {repo}: {err}") from None
        except HistoryError as err:
            raise HistoryError(f"history of {path} on {branch} of {repo}: {err}") from None
    return BranchHistory(tip, since, changes, model.commits_read)
