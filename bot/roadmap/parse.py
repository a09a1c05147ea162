"""Read a roadmap file as people write it.

markdown-it-py finds the block structure (so a table in a code fence or an HTML comment is
never taken for the roadmap), with its table rule off: the rule makes one token per cell,
most of a big file's parse, and the cells carry no offsets anyway. A table is then a
paragraph one of whose lines is followed by a delimiter row (the table rule's own test), and
each row's source line is split here the way markdown-it's ``escapedSplit`` does, keeping
offsets. That gives every status symbol its exact position for byte-exact edits.

Which symbol means what is the file's vocabulary (`vocabulary.py`): its legend, then the
built-in defaults. Which column holds the names, which hold statuses and which are text
(Notes, Owner, …) is read from the header and the cells.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import accumulate

from markdown_it import MarkdownIt, rules_block
from markdown_it.common.utils import MD_TRIM_CHARS
from markdown_it.parser_block import RuleFuncBlockType
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token

from ..errors import RoadmapFileError
from . import vocabulary as vocab
from .model import (
    CellState,
    FileWarning,
    Group,
    Module,
    Roadmap,
    Vocabulary,
    new_cell,
    normalize,
)

# The block rules that can end a paragraph, the characters each needs first on its line,
# and the other chains each belongs to (markdown-it's own, parser_block.py).
_TERMINATORS: tuple[tuple[str, RuleFuncBlockType, str, list[str]], ...] = (
    ("fence", rules_block.fence, "`~", ["reference", "blockquote", "list"]),
    ("blockquote", rules_block.blockquote, ">", ["reference", "blockquote", "list"]),
    ("hr", rules_block.hr, "*-_", ["reference", "blockquote", "list"]),
    ("list", rules_block.list_block, "*-+0123456789", ["reference", "blockquote"]),
    ("html_block", rules_block.html_block, "<", ["reference", "blockquote"]),
    ("heading", rules_block.heading, "#", ["reference", "blockquote"]),
)
_BY_FIRST: dict[str, tuple[RuleFuncBlockType, ...]] = {}
for _name, _rule, _firsts, _alt in _TERMINATORS:
    for _ch in _firsts:
        _BY_FIRST[_ch] = (*_BY_FIRST.get(_ch, ()), _rule)
_ALL_TERMINATORS = tuple(rule for _, rule, _, _ in _TERMINATORS)


def _ends_paragraph(state: StateBlock, line: int, end: int, silent: bool) -> bool:
    """Whether one of the paragraph-ending rules starts at `line`: markdown-it's own
    answer, asking only the rules that can start with the line's first character.

    markdown-it tries each of the six rules on every line of a paragraph, twice (for a
    setext heading, then the paragraph), and each try logs and looks; a table's ten
    thousand rows start with "|", which starts none of them. Each rule's first check is
    that character, so skipping the others changes no answer.
    """
    if not silent:
        return False  # not a block of its own
    pos = state.bMarks[line] + state.tShift[line]
    rules = _BY_FIRST.get(state.src[pos], ()) if pos < state.eMarks[line] else _ALL_TERMINATORS
    return any(rule(state, line, end, True) for rule in rules)


def _blocks() -> MarkdownIt:
    md = MarkdownIt("commonmark").disable("inline")
    for name, rule, _, alt in _TERMINATORS:
        md.block.ruler.at(name, rule, {"alt": alt})  # no longer asked by paragraphs directly
    md.block.ruler.before("lheading", "ends_paragraph", _ends_paragraph, {"alt": ["paragraph"]})
    return md


# Block structure only, no table rule (see above) and no inline parsing: names that carry
# markdown are rendered with _INLINE on demand.
_BLOCKS = _blocks()
_INLINE = MarkdownIt("commonmark")

_NEWLINE = re.compile(r"\r\n|\r|\n")
# markdown-it's delimiter row test (rules_block/table.py), on a line without its indent.
_DELIM = re.compile(r"^(?![-][ \t])[|:-][|:\- \t]*$")
_DELIM_CELL = re.compile(r"^:?-+:?$")
_LEADING_SYMBOLS = re.compile(r"^[^\w\s*_\[]+\s*")
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
    # Offsets by list comprehensions over the pieces: this runs for every row of the file.
    lefts = [p.lstrip(MD_TRIM_CHARS) for p in pieces]
    widths = [len(q.rstrip(MD_TRIM_CHARS)) for q in lefts]
    firsts = list(accumulate([len(p) + 1 for p in pieces], initial=start))
    spans = [
        (a := pos + len(p) - len(q), a + w)
        for pos, p, q, w in zip(firsts, pieces, lefts, widths, strict=False)
    ]
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


# Headers that name a table's name column, and columns that hold text, never statuses.
NAME_HEADERS = frozenset(
    [
        "module",
        "modules",
        "name",
        "names",
        "feature",
        "features",
        "component",
        "components",
        "item",
        "items",
        "area",
        "areas",
        "service",
        "services",
        "page",
        "pages",
        "task",
        "tasks",
        "capability",
        "capabilities",
        "section",
        "topic",
        "project",
        "package",
        "library",
        "plugin",
        "title",
        "document",
        "app",
        "product",
        "system",
        "subsystem",
        "tool",
    ]
)
TEXT_HEADERS = frozenset(
    [
        "notes",
        "note",
        "owner",
        "owners",
        "priority",
        "links",
        "link",
        "comments",
        "comment",
        "description",
        "details",
        "remarks",
        "assignee",
        "assignees",
        "eta",
        "due",
        "target",
        "milestone",
        "version",
        "pr",
        "prs",
        "issue",
        "issues",
        "tracking",
        "references",
        "reference",
        "team",
        "lead",
        "contact",
        "url",
        "date",
        "updated",
        "release",
    ]
)
_ALWAYS_TEXT = frozenset(("priority", "owner", "owners", "assignee", "links", "link"))
_LEGEND_MEANING = frozenset(("meaning", "means", "description", "status"))
_LEGEND_TABLE = frozenset(
    ["symbol", "symbols", "icon", "icons", "emoji", "mark", "marks", "legend", "key"]
)
# A wider legend table starts with its symbols (`| Badge | Meaning | Description |`); one
# that ranks priorities or levels (`| Symbol | Level | Meaning |`) is not about status.
_LEGEND_FIRST = _LEGEND_TABLE | {"badge", "badges"}
_NOT_STATUS_LEGEND = frozenset(("priority", "level", "severity", "impact"))


def classify(cell: str, vocabulary: Vocabulary = vocab.DEFAULT) -> CellState | None:
    """State of a cell's text; None when it does not start with a status symbol."""
    found = vocab.reader(vocabulary).read(cell)
    return found[0] if found else None


@dataclass
class _Table:
    """A table found at the top level: its lines and the heading above it."""

    first: int  # 0-based line of the header row
    end: int  # 0-based line after the last body row
    heading: str | None


@dataclass
class _Rows:
    """A table's rows re-split from the source: their cells' text (pipes unescaped) and
    where each cell starts in the file, worked out only for the cells that need it."""

    header: list[str]
    lines: list[int]  # 0-based lines of body rows
    cells: list[list[str]]
    # Per row: the offset of its first piece and its pieces as split (outer empty ones
    # kept), or None for a row with a backslash, whose cell spans are in `spans`.
    bases: list[int]
    pieces: list[list[str] | None]
    spans: list[list[tuple[int, int]] | None]


@dataclass
class Layout:
    """What a table's columns are: where the names are, which hold statuses."""

    names: int | None  # index of the name column
    status: list[int]  # indexes of status columns, in order
    marked: bool  # some status column has a symbol (not only n/a)


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


@dataclass
class _Blocks:
    """What one walk over the block tokens finds."""

    tables: list[_Table] = field(default_factory=list)
    order: list[tuple[str, int]] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    legend: list[vocab.LegendEntry] = field(default_factory=list)
    title: str = ""


def parse(text: str, source: str = "roadmap.md") -> Roadmap:
    """The roadmap in `text`. Raises RoadmapFileError (one line naming `source`) when there is
    no checklist table; everything else odd becomes a warning with its line."""
    found, split, vocabulary = _read_blocks(text)
    reader = vocab.reader(vocabulary)

    b = _Builder(source)
    laid = [(t, r, _layout(r, reader)) for t, r in split if not _is_legend_table(r, t.heading)]
    status_names = {
        normalize(plain(r.header[i])) for _, r, lay in laid if lay.marked for i in lay.status
    }
    checklists = []
    for table, rows, layout in laid:
        if layout.marked:
            checklists.append((table, rows, layout))
        elif (
            layout.names is not None  # a table without names is no checklist waiting for cells
            and any(normalize(plain(h)) in status_names for h in rows.header)
            and rows.lines
        ):
            b.warn(
                table.first + 1,
                "this table has the checklist's columns but no status cells yet; not read",
            )
    if not checklists:
        if found.tables:
            raise RoadmapFileError(
                f"{source}:{found.tables[0].first + 1}: no checklist table "
                "(the tables here have no status cells such as [ ], [x] or ✅)"
            )
        raise RoadmapFileError(
            f"{source}: no checklist table (a markdown table of status cells: [ ], [x], ✅ …)"
        )

    columns: list[str] = []
    for table, rows, layout in checklists:
        names = [plain(rows.header[i]) for i in layout.status]
        for name in names:
            if name not in columns:
                columns.append(name)
        _read_rows(table, rows, layout, names, reader, b)

    groups = tuple(Group(name, line, tuple(mods)) for name, line, mods in b.groups.values() if mods)
    for name, line, mods in b.groups.values():
        if not mods:
            b.warn(line, f"group '{name}' has no modules")
    _check_duplicates(groups, b)
    order = found.order
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
        rules=tuple(found.rules),
        warnings=tuple(sorted(b.warnings, key=lambda w: w.line or 0)),
        title=found.title,
        vocabulary=vocabulary,
    )


def file_vocabulary(text: str) -> Vocabulary:
    """The vocabulary `parse(text)` reads the cells with: the file's legend, then the
    built-in defaults (for readers of single rows, such as the history)."""
    return _read_blocks(text)[2]


def _read_blocks(text: str) -> tuple[_Blocks, list[tuple[_Table, _Rows]], Vocabulary]:
    """The file's blocks, its tables' rows re-split, and its vocabulary."""
    bom = 1 if text.startswith("\ufeff") else 0
    starts = line_starts(text)
    starts[0] = bom
    ends = [s - _newline_len(text, s) for s in starts[1:]] + [len(text)]

    # The tokens are dropped as soon as they are walked: left alive, their objects make
    # every garbage collection during the model building walk them again.
    found = _walk(_BLOCKS.parse(text[bom:] if bom else text), text, starts, ends)
    split = [(t, _split_table(t, text, starts, ends)) for t in found.tables]
    for table, rows in split:
        if _is_legend_table(rows, table.heading):
            found.legend.extend(_legend_rows(table, rows))
    return found, split, vocab.build(found.legend)


def _newline_len(text: str, start: int) -> int:
    if start >= 2 and text[start - 2 : start] == "\r\n":
        return 2
    return 1


def _split_table(table: _Table, text: str, starts: list[int], ends: list[int]) -> _Rows:
    head = split_row(text, starts[table.first], ends[table.first])
    header = [unescape_pipes(text[a:z]) for a, z in head]
    lines = list(range(table.first + 2, table.end))
    cells: list[list[str]] = []
    bases: list[int] = []
    pieces: list[list[str] | None] = []
    spans: list[list[tuple[int, int]] | None] = []
    trim = MD_TRIM_CHARS
    # split_row's cells without its spans: this runs for every row of the file, and only
    # the status cells need an offset (_Rows.start).
    for n in lines:
        line = text[starts[n] : ends[n]]
        stripped = line.strip(trim)
        if "\\" in stripped:
            row = split_row(text, starts[n], ends[n])
            cells.append(
                [unescape_pipes(text[a:z]) if "\\" in text[a:z] else text[a:z] for a, z in row]
            )
            bases.append(0)
            pieces.append(None)
            spans.append(row)
            continue
        split = stripped.split("|")
        found = [p.strip(trim) for p in split]
        if len(split) > 1:
            if not split[-1]:
                found.pop()
            if not split[0]:
                found.pop(0)
        cells.append(found)
        bases.append(starts[n] + len(line) - len(line.lstrip(trim)))
        pieces.append(split)
        spans.append(None)
    return _Rows(header, lines, cells, bases, pieces, spans)


def _indent(line: str) -> int:
    """Leading whitespace width, tabs to the next multiple of 4 (markdown-it's sCount)."""
    width = 0
    for ch in line:
        if ch == " ":
            width += 1
        elif ch == "\t":
            width += 4 - width % 4
        else:
            break
    return width


def _is_delimiter(line: str) -> int:
    """Number of columns of a delimiter row (0 when `line` is not one), as markdown-it's
    table rule tests it."""
    if _indent(line) >= 4:
        return 0
    s = line.lstrip(" \t")
    if len(s) < 2 or not _DELIM.match(s) or (s[0] == "-" and s[1] in " \t"):
        return 0
    pieces = s.split("|")
    count = 0
    for i, piece in enumerate(pieces):
        t = piece.strip(" \t")
        if not t:
            if i == 0 or i == len(pieces) - 1:
                continue
            return 0
        if not _DELIM_CELL.match(t):
            return 0
        count += 1
    return count


def _tables_in(
    first: int, end: int, text: str, starts: list[int], ends: list[int], heading: str | None
) -> tuple[list[_Table], list[int]]:
    """The tables in a top-level paragraph on lines [first, end), and its other lines."""
    tables: list[_Table] = []
    prose: list[int] = []
    k = first
    while k < end:
        if k + 1 < end and "|" in text[starts[k] : ends[k]]:
            width = _is_delimiter(text[starts[k + 1] : ends[k + 1]])
            if (
                width
                and _indent(text[starts[k] : ends[k]]) < 4
                and len(split_row(text, starts[k], ends[k])) == width
            ):
                stop = k + 2
                while stop < end and _indent(text[starts[stop] : ends[stop]]) < 4:
                    stop += 1
                tables.append(_Table(k, stop, heading))
                k = stop
                continue
        prose.append(k)
        k += 1
    return tables, prose


def _walk(tokens: list[Token], text: str, starts: list[int], ends: list[int]) -> _Blocks:
    """One pass over the block tokens: top-level tables, the dependency order (name, line),
    the development rules, legend lines and the document title."""
    out = _Blocks()
    heading: str | None = None
    section = ""
    in_legend = False  # under a Legend/Status heading or bold line
    list_depth = quote_depth = 0
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
                in_legend = vocab.is_legend_title(heading)
                if not out.title and h1:
                    out.title = heading
            elif list_depth >= 1 and tok.map:
                first_line = tok.content.split("\n", 1)[0]
                if list_depth == 1 and section == _ORDER_HEADING:
                    out.order.append((plain(tok.content), tok.map[0] + 1))
                elif list_depth == 1 and section == _RULES_HEADING:
                    out.rules.append(tok.content)
                elif "\n" not in tok.content or first_line:
                    out.legend += vocab.legend_entries(first_line, tok.map[0] + 1, in_legend)
            elif quote_depth and tok.map:  # "> Status key: [x] Done -- [ ] Not started"
                for k, line in enumerate(tok.content.split("\n")):
                    out.legend += vocab.legend_entries(line, tok.map[0] + k + 1, in_legend)
        elif t == "paragraph_open" and tok.level == 0 and tok.map:
            first, end = tok.map
            tables, prose = _tables_in(first, end, text, starts, ends, heading)
            out.tables += tables
            for k in prose:
                line = text[starts[k] : ends[k]]
                title = bold_text(line.strip())
                if (title is not None and vocab.is_legend_title(title)) or vocab.is_title_line(
                    line
                ):
                    in_legend = True
                    continue
                out.legend += vocab.legend_entries(line, k + 1, in_legend)
            if tables:
                in_legend = False  # a legend comes before the table it explains
            i += 2  # past its inline and paragraph_close
        elif t == "heading_open":
            in_heading, h1 = True, tok.tag == "h1"
        elif t == "heading_close":
            in_heading = False
        elif t == "blockquote_open":
            quote_depth += 1
        elif t == "blockquote_close":
            quote_depth -= 1
        elif t in ("bullet_list_open", "ordered_list_open"):
            list_depth += 1
        elif t in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
    return out


def _is_legend_table(rows: _Rows, heading: str | None = None) -> bool:
    """A legend table by its header, or a `| Status | Description |` table under a Legend
    heading whose rows each start with a symbol of their own (`✅ **Implemented**`)."""
    if is_legend_header(rows.header):
        return True
    if len(rows.header) != 2 or not heading or not vocab.is_legend_title(heading):
        return False
    if normalize(plain(rows.header[0])) not in ("status", "state"):
        return False
    firsts = [vocab.split_symbol(cells[0]) if cells else None for cells in rows.cells]
    symbols = [f[0] for f in firsts if f]
    return bool(symbols) and len(symbols) == len(firsts) == len(set(symbols))


def is_legend_header(header: list[str]) -> bool:
    """The header of a two-column table that explains symbols (`| Symbol | Meaning |`)."""
    if len(header) == 2:
        headers = {normalize(plain(h)) for h in header}
        return bool(headers & _LEGEND_TABLE) and bool(headers & _LEGEND_MEANING)
    names = [normalize(plain(h)) for h in header]
    return (
        len(names) > 2
        and names[0] in _LEGEND_FIRST
        and any(h in _LEGEND_MEANING for h in names[1:])
        and not any(h in _NOT_STATUS_LEGEND for h in names)
    )


def _legend_rows(table: _Table, rows: _Rows) -> list[vocab.LegendEntry]:
    """A legend table's entries: the symbol first (alone, or with its word: `✅ **Done**`),
    its meaning the first of that word and the meaning columns that says a state."""
    names = [normalize(plain(h)) for h in rows.header]
    meaning_cols = [j for j, h in enumerate(names) if j and h in _LEGEND_MEANING] or [1]
    found = []
    for line0, cells in zip(rows.lines, rows.cells, strict=True):
        if len(cells) != len(names) or not cells[0]:
            continue
        first = vocab.split_symbol(cells[0].strip("`"))
        symbol, word = first if first else (cells[0].strip("`"), "")
        texts = [t for t in (word, *(plain(cells[j]).strip("`") for j in meaning_cols)) if t]
        if texts:
            meaning = next((t for t in texts if vocab.meaning_state(t) is not None), texts[0])
            found.append(vocab.LegendEntry(symbol, meaning, line0 + 1))
    return found


def _layout(rows: _Rows, reader: vocab.Reader) -> Layout:
    """Which column holds the names and which hold statuses, from the header and cells.

    A column is a status column when at least as many of its cells start with a status
    symbol as hold other text (and its header is not a text column's, like Notes). The
    name column is one headed Module/Name/Feature…, else the first column mostly of text.
    """
    width = len(rows.header)
    marks = [0] * width
    others = [0] * width
    read = reader.read
    # Shifted rows say nothing of their columns; short ones read as empty (GFM).
    full = [row for row in rows.cells if len(row) == width]
    short = [row for row in rows.cells if len(row) < width]
    # Counted per distinct text (a status column holds a handful of them), the columns
    # of the full rows taken at C speed.
    counts = [Counter(column) for column in zip(*full, strict=True)] or [
        Counter() for _ in range(width)
    ]
    for row in short:
        for j, cell in enumerate(row):
            counts[j][cell] += 1
    for j in range(width):
        for cell, n in counts[j].items():
            if cell:
                found = read(cell)
                if found is None:
                    others[j] += n
                elif found[0] is not CellState.NA:
                    marks[j] += n
    headers = [normalize(plain(h)) for h in rows.header]
    return choose_layout(headers, marks, others, bool(rows.cells))


def choose_layout(headers: list[str], marks: list[int], others: list[int], rows: bool) -> Layout:
    """The layout from a table's normalized headers and, per column, how many cells start
    with a status symbol (`marks`) or hold other text (`others`); `rows`: the table has
    body rows. Shared with the history reader, which keeps these counts as it goes."""
    width = len(headers)
    # A Notes column that holds nothing but boxes is a status column after all; a Priority
    # column of 🟡/🟠 never is.
    text_cols = {
        j
        for j, h in enumerate(headers)
        if h in TEXT_HEADERS and (others[j] or not marks[j] or h in _ALWAYS_TEXT)
    }
    names = next((j for j, h in enumerate(headers) if h in NAME_HEADERS), None)
    if names is None:
        names = next((j for j in range(width) if j not in text_cols and others[j] > marks[j]), None)
    if names is None:
        names = next((j for j in range(width) if j not in text_cols and not marks[j]), None)
    status = [
        j
        for j in range(width)
        if j != names and j not in text_cols and (marks[j] >= others[j] or not rows)
    ]
    marked = names is not None and any(marks[j] for j in status)
    return Layout(names, status, marked)


def group_row_name(row: list[str]) -> str | None:
    """The group a row starts: its only non-empty cell, bold (an emoji before it is kept)."""
    filled = [c for c in row if c]
    if len(filled) != 1:
        return None
    cell = filled[0]
    rest = _LEADING_SYMBOLS.sub("", cell, count=1) if not cell.startswith(("**", "__")) else cell
    if bold_text(rest) is None:
        return None
    return plain(cell) or None


def _read_rows(
    table: _Table,
    rows: _Rows,
    layout: Layout,
    columns: list[str],
    reader: vocab.Reader,
    b: _Builder,
) -> None:
    group_key: str | None = None
    group_name = ""
    width = len(rows.header)
    names = layout.names
    assert names is not None
    status = list(zip(layout.status, columns, strict=True))
    read = reader.read
    # The reader's cache looked up here, not through a call: this runs for every cell.
    cached = reader.cache.get
    miss = vocab.MISS
    trim = MD_TRIM_CHARS
    na = CellState.NA
    for i, (line0, contents) in enumerate(zip(rows.lines, rows.cells, strict=True)):
        line = line0 + 1
        if len(contents) != width and any(contents):
            if len(contents) > width:  # an unescaped "|": every cell after it is shifted
                b.warn(
                    line,
                    f"row has {len(contents)} cells, the header has {width} "
                    "(an unescaped | in a cell?); row not read",
                )
                continue
            b.warn(line, f"row has {len(contents)} cells, the header has {width}")
            contents = contents + [""] * (width - len(contents))  # read as empty, like GFM
        if "" in contents or not contents:
            group = group_row_name(contents)
            if group is not None:
                group_key = b.start(group, line)
                group_name = b.groups[group_key][0]
                continue
            if not any(contents):
                continue
        name = plain(contents[names])
        if not name:
            b.warn(line, "row has no module name; skipped")
            continue
        if group_key is None:
            group_key = b.start(table.heading or "Modules", line)
            group_name = b.groups[group_key][0]
        pieces = rows.pieces[i]
        firsts: list[int] | None = None
        cells = []
        for j, column in status:
            content = contents[j]
            found = cached(content, miss)
            if found is miss:
                found = read(content)
            if found is None:
                b.warn(
                    line,
                    f"{name} / {column}: unknown cell text '{content}' (counted as not applicable)",
                )
                cells.append(new_cell(column, na, content, line))
            elif found[0] is na:
                cells.append(new_cell(column, na, content, line))
            else:
                state, a, z = found
                if pieces is not None:  # no backslash in the row: the cell is its piece, trimmed
                    if firsts is None:
                        firsts = list(
                            accumulate([len(p) + 1 for p in pieces], initial=rows.bases[i])
                        )
                    k = j + 1 if len(pieces) > 1 and not pieces[0] else j
                    piece = pieces[k]
                    at = firsts[k] + len(piece) - len(piece.lstrip(trim)) + a
                else:  # "\\|" may be in the cell
                    spans = rows.spans[i]
                    assert spans is not None
                    at = spans[j][0]
                    if "\\" in content or spans[j][1] - at != len(content):
                        at += _source_offset(content, a)
                    else:
                        at += a
                cells.append(new_cell(column, state, content, line, at, content[a:z]))
        b.add(group_key, Module(name, group_name, line, tuple(cells)))


def _source_offset(content: str, index: int) -> int:
    """Offset in the source of content[index], where each "|" was written "\\|"."""
    return index + content.count("|", 0, index)


def _check_duplicates(groups: tuple[Group, ...], b: _Builder) -> None:
    # The same name in two groups is how real files are written (Group/Module picks one);
    # only twice in one group is a mistake.
    seen: dict[tuple[str, str], Module] = {}
    for g in groups:
        gkey = g.key
        for m in g.modules:
            first = seen.get((gkey, m.key))
            if first is None:
                seen[(gkey, m.key)] = m
            else:
                b.warn(
                    m.line,
                    f"duplicate module name '{m.name}' in group '{g.name}' "
                    f"(also at line {first.line})",
                )
