"""Read a roadmap file as people write it.

markdown-it-py finds the block structure (so a table in a code fence or an HTML comment is
never taken for the roadmap); its cell tokens carry no column offsets, so each table row's
source line is split again here, the way markdown-it's ``escapedSplit`` does, keeping offsets.
That gives every checkbox its exact position for byte-exact edits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.common.utils import MD_TRIM_CHARS
from markdown_it.token import Token

from ..errors import RoadmapFileError
from .model import Cell, CellState, FileWarning, Group, Module, Roadmap, normalize

# Block structure only: inline parsing of every cell is most of markdown-it's cost, and a
# checkbox cell needs none. Names that carry markdown are rendered with _INLINE on demand.
_BLOCKS = MarkdownIt("commonmark").enable("table").disable("inline")
_INLINE = MarkdownIt("commonmark")

_NEWLINE = re.compile(r"\r\n|\r|\n")
_BOX = re.compile(r"\[([ xX])\]")
_NOT_APPLICABLE = {"", "-", "—", "–", "n/a"}
_MARKUP = re.compile(r"[*_`\[\]<>&\\!~]")
_ORDER_HEADING = "dependency order"
_RULES_HEADING = "development dependencies"


def decode(data: bytes, source: str) -> str:
    """Bytes of a roadmap file as text, or a one-line error naming the file and line."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise RoadmapFileError(
            f"{source}:{line}: not UTF-8 text (byte 0x{data[err.start]:02x} at offset {err.start})"
        ) from None


def line_starts(text: str) -> list[int]:
    """Offset of every line's first character; lines end at \\r\\n, \\r or \\n like markdown-it."""
    return [0, *(m.end() for m in _NEWLINE.finditer(text))]


def split_row(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans (start, end) of the trimmed cells of the table row text[start:end].

    Mirrors markdown-it's table rule: trim the line, split on pipes not preceded by a
    backslash, drop one empty piece at each end (outer pipes).
    """
    line = text[start:end]
    stripped = line.lstrip(MD_TRIM_CHARS)
    start += len(line) - len(stripped)
    line = stripped.rstrip(MD_TRIM_CHARS)
    if "\\" not in line:
        pieces = line.split("|")  # the common case, at C speed
    else:
        pieces = []
        escaped = False
        last = 0
        for i, ch in enumerate(line):
            if ch == "|" and not escaped:
                pieces.append(line[last:i])
                last = i + 1
            escaped = ch == "\\"
        pieces.append(line[last:])
    spans = []
    pos = start
    for piece in pieces:
        inner = piece.lstrip(MD_TRIM_CHARS)
        a = pos + len(piece) - len(inner)
        spans.append((a, a + len(inner.rstrip(MD_TRIM_CHARS))))
        pos += len(piece) + 1
    if len(pieces) > 1 and not pieces[0]:
        spans.pop(0)
    if len(pieces) > 1 and not pieces[-1]:
        spans.pop()
    return spans


def unescape_pipes(cell: str) -> str:
    return cell.replace("\\|", "|")


def plain(markdown: str) -> str:
    """Inline markdown as the text a reader sees: `**Host**` -> Host, `[a](u)` -> a."""
    if not _MARKUP.search(markdown):
        return markdown
    tokens = _INLINE.parseInline(markdown)
    out: list[str] = []
    for tok in tokens[0].children or [] if tokens else []:
        if tok.type in ("text", "code_inline", "html_inline"):
            out.append(tok.content)
        elif tok.type in ("softbreak", "hardbreak"):
            out.append(" ")
    return "".join(out).strip()


def bold_text(markdown: str) -> str | None:
    """The text of a cell that is wholly bold (`**Host Modules**`), else None."""
    if not (markdown.startswith(("**", "__")) and markdown.endswith(("**", "__"))):
        return None
    children = [
        tok
        for tok in _INLINE.parseInline(markdown)[0].children or []
        if not (tok.type == "text" and not tok.content)
    ]
    if (
        len(children) < 2
        or children[0].type != "strong_open"
        or children[-1].type != "strong_close"
    ):
        return None
    depth = 0
    for tok in children[:-1]:
        depth += {"strong_open": 1, "strong_close": -1}.get(tok.type, 0)
        if depth == 0:  # the first strong closed before the end: `**a** b **c**`
            return None
    return plain(markdown) or None


def classify(cell: str) -> CellState | None:
    """State of a cell's text; None when it is neither a box nor a not-applicable mark."""
    if _BOX.match(cell):
        return CellState.OPEN if cell[1] == " " else CellState.DONE
    if cell.casefold() in _NOT_APPLICABLE:
        return CellState.NA
    return None


@dataclass
class _Table:
    """A table markdown-it found at the top level: its lines and the heading above it."""

    first: int  # 0-based line of the header row
    end: int  # 0-based line after the last body row
    heading: str | None


@dataclass
class _Rows:
    """A table's rows re-split from the source: cell spans and their text (pipes unescaped)."""

    header: list[str]
    lines: list[int]  # 0-based lines of body rows
    spans: list[list[tuple[int, int]]]
    cells: list[list[str]]

    @property
    def has_boxes(self) -> bool:
        return any(c[:1] == "[" and _BOX.match(c) for row in self.cells for c in row[1:])


@dataclass
class _Builder:
    """Collects groups in file order, merging a group that appears twice."""

    source: str
    warnings: list[FileWarning] = field(default_factory=list)
    groups: dict[str, tuple[str, int, list[Module]]] = field(default_factory=dict)

    def start(self, name: str, line: int) -> str:
        key = normalize(name)
        if key in self.groups:
            first = self.groups[key][1]
            self.warn(line, f"group '{name}' appears again (first at line {first}); merged")
        else:
            self.groups[key] = (name, line, [])
        return key

    def add(self, key: str, module: Module) -> None:
        self.groups[key][2].append(module)

    def warn(self, line: int | None, message: str) -> None:
        self.warnings.append(FileWarning(line, message))


def parse(text: str, source: str = "roadmap.md") -> Roadmap:
    """The roadmap in `text`. Raises RoadmapFileError (one line naming `source`) when there is
    no checklist table; everything else odd becomes a warning with its line."""
    bom = 1 if text.startswith("\ufeff") else 0
    starts = line_starts(text)
    starts[0] = bom
    ends = [s - _newline_len(text, s) for s in starts[1:]] + [len(text)]

    # The tokens are dropped as soon as they are walked: left alive, their ~25 objects per
    # row make every garbage collection during the model building below walk them again.
    tables, order, rules, title = _walk(_BLOCKS.parse(text[bom:] if bom else text))
    checklists = []
    for table in tables:
        rows = _split_table(table, text, starts, ends)
        if rows.has_boxes:
            checklists.append((table, rows))
    if not checklists:
        if tables:
            raise RoadmapFileError(
                f"{source}:{tables[0].first + 1}: no checklist table "
                "(the tables here have no [ ] or [x] cells)"
            )
        raise RoadmapFileError(
            f"{source}: no checklist table (a markdown table of [ ] and [x] cells)"
        )

    b = _Builder(source)
    columns: list[str] = []
    for table, rows in checklists:
        names = [plain(h) for h in rows.header[1:]]
        for name in names:
            if name not in columns:
                columns.append(name)
        _read_rows(table, rows, names, b)

    groups = tuple(Group(name, line, tuple(mods)) for name, line, mods in b.groups.values() if mods)
    for name, line, mods in b.groups.values():
        if not mods:
            b.warn(line, f"group '{name}' has no modules")
    _check_duplicates(groups, b)
    order_names = tuple(name for name, _ in order)
    if order:
        known = {g.key for g in groups}
        listed = {normalize(name) for name, _ in order}
        for name, line in order:
            if normalize(name) not in known:
                b.warn(
                    line, f"dependency order lists '{name}', which is not a group in the checklist"
                )
        for g in groups:
            if g.key not in listed:
                b.warn(g.line, f"group '{g.name}' is not in the dependency order")
    return Roadmap(
        columns=tuple(columns),
        groups=groups,
        dependency_order=order_names,
        rules=tuple(rules),
        warnings=tuple(sorted(b.warnings, key=lambda w: w.line or 0)),
        title=title,
    )


def _newline_len(text: str, start: int) -> int:
    if start >= 2 and text[start - 2 : start] == "\r\n":
        return 2
    return 1


def _split_table(table: _Table, text: str, starts: list[int], ends: list[int]) -> _Rows:
    head = split_row(text, starts[table.first], ends[table.first])
    header = [unescape_pipes(text[a:z]) for a, z in head]
    lines = list(range(table.first + 2, table.end))
    spans = [split_row(text, starts[n], ends[n]) for n in lines]
    cells = [[unescape_pipes(text[a:z]) for a, z in row] for row in spans]
    return _Rows(header, lines, spans, cells)


def _walk(tokens: list[Token]) -> tuple[list[_Table], list[tuple[str, int]], list[str], str]:
    """One pass over the block tokens: top-level tables, the dependency order (name, line),
    the development rules and the document title."""
    tables: list[_Table] = []
    order: list[tuple[str, int]] = []
    rules: list[str] = []
    title = ""
    heading: str | None = None
    section = ""
    list_depth = 0
    in_heading = h1 = False
    i = 0
    n = len(tokens)
    while i < n:
        tok = tokens[i]
        t = tok.type
        i += 1
        if t == "inline":
            if in_heading:
                heading = plain(tok.content)
                section = normalize(heading)
                if not title and h1:
                    title = heading
            elif list_depth == 1 and tok.map:
                if section == _ORDER_HEADING:
                    order.append((plain(tok.content), tok.map[0] + 1))
                elif section == _RULES_HEADING:
                    rules.append(tok.content)
        elif t == "heading_open":
            in_heading, h1 = True, tok.tag == "h1"
        elif t == "heading_close":
            in_heading = False
        elif t in ("bullet_list_open", "ordered_list_open"):
            list_depth += 1
        elif t in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
        elif t == "table_open" and tok.map:
            if tok.level == 0:
                tables.append(_Table(tok.map[0], tok.map[1], heading))
            i = _after_table(tokens, i)
    return tables, order, rules, title


def _after_table(tokens: list[Token], i: int) -> int:
    """Index after the table_close of the table opened at i - 1.

    A table's cells are most of the tokens, and rows are re-split from the source anyway,
    so they are skipped: the close sits where the table's shape puts it (tr, then th/td,
    inline and close per cell); a walk is the fallback should the shape ever differ.
    """
    opened = tokens[i - 1]
    rows = opened.map[1] - opened.map[0] - 2 if opened.map else 0
    width = 0
    j = i + 2  # past thead_open, tr_open
    while j < len(tokens) and tokens[j].type == "th_open":
        width += 1
        j += 3
    guess = i + 4 + 3 * width + (rows * (2 + 3 * width) + 2 if rows > 0 else 0)
    if guess < len(tokens) and tokens[guess].type == "table_close":
        return guess + 1
    while i < len(tokens) and tokens[i].type != "table_close":
        i += 1
    return i + 1


def _read_rows(table: _Table, rows: _Rows, columns: list[str], b: _Builder) -> None:
    group_key: str | None = None
    width = len(columns) + 1
    for line0, spans, contents in zip(rows.lines, rows.spans, rows.cells, strict=True):
        line = line0 + 1
        if len(spans) != width:
            b.warn(line, f"row has {len(spans)} cells, the header has {width}")
        first = contents[0] if contents else ""
        rest = contents[1:width]
        group = bold_text(first) if not any(rest) else None
        if group is not None:
            group_key = b.start(group, line)
            continue
        name = plain(first)
        if not name:
            if any(rest):
                b.warn(line, "row has no module name; skipped")
            continue
        if group_key is None:
            group_key = b.start(table.heading or "Modules", line)
        cells = []
        for i, column in enumerate(columns):
            content = contents[i + 1] if i + 1 < len(contents) else ""
            state = classify(content)
            box = None
            if state is None:
                b.warn(
                    line,
                    f"{name} / {column}: unknown cell text '{content}' (counted as not applicable)",
                )
                state = CellState.NA
            elif state is not CellState.NA:
                box = spans[i + 1][0] + 1
            cells.append(Cell(column, state, content, line, box))
        b.add(group_key, Module(name, b.groups[group_key][0], line, tuple(cells)))


def _check_duplicates(groups: tuple[Group, ...], b: _Builder) -> None:
    seen: dict[str, Module] = {}
    for g in groups:
        for m in g.modules:
            first = seen.get(m.key)
            if first is None:
                seen[m.key] = m
            else:
                b.warn(
                    m.line,
                    f"duplicate module name '{m.name}' (also at line {first.line}); "
                    "use Group/Module to pick one",
                )
