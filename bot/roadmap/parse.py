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

from .model import Cell, CellState, Group, Module, Roadmap, RoadmapError, Warning, normalize

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
        raise RoadmapError(
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
    while start < end and text[start] in MD_TRIM_CHARS:
        start += 1
    while end > start and text[end - 1] in MD_TRIM_CHARS:
        end -= 1
    line = text[start:end]
    if "\\" not in line:
        bounds = [i for i, ch in enumerate(line) if ch == "|"]
    else:
        bounds = []
        escaped = False
        for i, ch in enumerate(line):
            if ch == "|" and not escaped:
                bounds.append(i)
            escaped = ch == "\\"
    pieces: list[tuple[int, int]] = []
    last = 0
    for b in bounds:
        pieces.append((last, b))
        last = b + 1
    pieces.append((last, len(line)))
    if pieces and pieces[0][0] == pieces[0][1]:
        pieces.pop(0)
    if pieces and pieces[-1][0] == pieces[-1][1]:
        pieces.pop()
    spans = []
    for a, b in pieces:
        while a < b and line[a] in MD_TRIM_CHARS:
            a += 1
        while b > a and line[b - 1] in MD_TRIM_CHARS:
            b -= 1
        spans.append((start + a, start + b))
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
    line: int  # 0-based line of the header row
    heading: str | None
    header: list[str]
    rows: list[int] = field(default_factory=list)  # 0-based source lines of body rows
    contents: list[list[str]] = field(default_factory=list)  # markdown-it's cell contents


@dataclass
class _Builder:
    """Collects groups in file order, merging a group that appears twice."""

    source: str
    warnings: list[Warning] = field(default_factory=list)
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
        self.warnings.append(Warning(line, message))


def parse(text: str, source: str = "roadmap.md") -> Roadmap:
    """The roadmap in `text`. Raises RoadmapError (one line naming `source`) when there is
    no checklist table; everything else odd becomes a warning with its line."""
    bom = 1 if text.startswith("\ufeff") else 0
    tokens = _BLOCKS.parse(text[bom:] if bom else text)
    starts = line_starts(text)
    starts[0] = bom
    ends = [s - _newline_len(text, s) for s in starts[1:]] + [len(text)]

    tables, order, rules, title = _walk(tokens)
    checklists = [t for t in tables if _has_boxes(t)]
    if not checklists:
        if tables:
            raise RoadmapError(
                f"{source}:{tables[0].line + 1}: no checklist table "
                "(the tables here have no [ ] or [x] cells)"
            )
        raise RoadmapError(f"{source}: no checklist table (a markdown table of [ ] and [x] cells)")

    b = _Builder(source)
    columns: list[str] = []
    for table in checklists:
        names = [plain(unescape_pipes(h)) for h in table.header[1:]]
        for name in names:
            if name not in columns:
                columns.append(name)
        _read_table(table, names, text, starts, ends, b)

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


def _has_boxes(table: _Table) -> bool:
    return any(_BOX.match(c) for row in table.contents for c in row[1:])


def _walk(tokens: list[Token]) -> tuple[list[_Table], list[tuple[str, int]], list[str], str]:
    """One pass over the block tokens: checklist candidates, the dependency order (name, line),
    the development rules and the document title."""
    tables: list[_Table] = []
    order: list[tuple[str, int]] = []
    rules: list[str] = []
    title = ""
    heading: str | None = None
    section = ""
    list_depth = 0
    table: _Table | None = None
    row: list[str] | None = None
    in_heading = False
    h1 = False
    for tok in tokens:
        t = tok.type
        if t == "heading_open":
            in_heading = True
            h1 = tok.tag == "h1"
        elif t == "heading_close":
            in_heading = False
        elif t in ("bullet_list_open", "ordered_list_open"):
            list_depth += 1
        elif t in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
        elif t == "table_open" and tok.level == 0:
            table = _Table(line=tok.map[0] if tok.map else 0, heading=heading, header=[])
        elif t == "table_close" and table is not None:
            tables.append(table)
            table = None
        elif t == "tr_open" and table is not None:
            row = []
            if tok.map and tok.map[0] != table.line:
                table.rows.append(tok.map[0])
        elif t == "tr_close" and table is not None and row is not None:
            if not table.header:
                table.header = row
            else:
                table.contents.append(row)
            row = None
        elif t == "inline":
            if row is not None:
                row.append(tok.content)
            elif in_heading:
                heading = plain(tok.content)
                section = normalize(heading)
                if not title and h1:
                    title = heading
            elif list_depth == 1 and tok.map:
                if section == _ORDER_HEADING:
                    order.append((plain(tok.content), tok.map[0] + 1))
                elif section == _RULES_HEADING:
                    rules.append(tok.content)
    return tables, order, rules, title


def _read_table(
    table: _Table,
    columns: list[str],
    text: str,
    starts: list[int],
    ends: list[int],
    b: _Builder,
) -> None:
    group_key: str | None = None
    width = len(columns) + 1
    for line0, contents in zip(table.rows, table.contents, strict=True):
        line = line0 + 1
        spans = split_row(text, starts[line0], ends[line0])
        written = [text[a:z] for a, z in spans]
        if len(spans) != width:
            b.warn(line, f"row has {len(spans)} cells, the header has {width}")
        first = contents[0]
        rest = contents[1:]
        group = bold_text(first) if not any(rest) else None
        if group is not None:
            group_key = b.start(group, line)
            continue
        name = plain(unescape_pipes(first))
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
            if state is None:
                b.warn(
                    line,
                    f"{name} / {column}: unknown cell text '{content}' (counted as not applicable)",
                )
                state = CellState.NA
            box = None
            if state is not CellState.NA:
                # The source slice must be the same cell markdown-it saw, box first.
                if i + 1 < len(written) and unescape_pipes(written[i + 1]) == content:
                    box = spans[i + 1][0] + 1
                else:
                    b.warn(line, f"{name} / {column}: cannot locate the box in the line; read-only")
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
