"""Hypothesis strategies for roadmap files in every variant people write, with the roadmap each
file must parse to, worked out while the text is built (not by the code under test)."""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import strategies as st

from bot.roadmap.parse import NAME_HEADERS, TEXT_HEADERS

# Names: letters, digits, accents, CJK, Cyrillic and emoji; no markdown punctuation, so a
# reader sees them as written. A pipe is added separately and written escaped (`\|`).
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789éüñøßЖж中文✓🚀🎉🧪"
_WORD = st.text(alphabet=_LETTERS, min_size=1, max_size=7)

DONE = ("[x]", "[X]", "[x] ([#12](https://example.com/pr/12))", "[X] shipped a | b")
OPEN = ("[ ]", "[ ] ([#7](https://example.com/issues/7))", "[ ] wip 🚧")
NOT_APPLICABLE = ("", "-", "—", "–", "n/a", "N/A")

NEWLINES = ("\n", "\r\n", "\r")
ALIGNS = ("---", ":---", "---:", ":---:", "-----")
PADS = ("", " ", "  ", "\t", " \t ")
INDENTS = ("", " ", "   ")


def escape(text: str) -> str:
    return text.replace("|", "\\|")


def key(name: str) -> str:
    return " ".join(name.split()).casefold()


@st.composite
def names(draw: st.DrawFn) -> str:
    words = draw(st.lists(_WORD, min_size=1, max_size=3))
    name = " ".join(words)
    if len(words) > 1 and draw(st.booleans()):  # an escaped pipe inside the name
        name = name.replace(" ", draw(st.sampled_from([" | ", "|"])), 1)
    return name


def unique_names(n_min: int, n_max: int) -> st.SearchStrategy[list[str]]:
    """Names distinct the way the roadmap compares them (case-insensitive, spaces collapsed)."""
    return st.lists(names(), min_size=n_min, max_size=n_max, unique_by=key)


@dataclass
class ExpectedCell:
    column: str
    state: str  # "done" | "open" | "n/a"
    text: str
    line: int
    box: int | None


@dataclass
class ExpectedModule:
    name: str
    group: str
    line: int
    cells: list[ExpectedCell]


@dataclass
class ExpectedGroup:
    name: str
    modules: list[ExpectedModule] = field(default_factory=list)


@dataclass
class Generated:
    text: str
    columns: list[str]
    groups: list[ExpectedGroup]
    order: list[str]  # the group names as listed under "## Dependency order"
    newline: str
    bom: bool
    ragged_lines: set[int]  # rows written without a trailing pipe and an empty last cell

    @property
    def modules(self) -> list[ExpectedModule]:
        return [m for g in self.groups for m in g.modules]


class _Writer:
    """Lines of the file, with the offset in the text of each line's first character."""

    def __init__(self, newline: str, bom: bool) -> None:
        self.newline = newline
        self.lines: list[str] = []
        self.offset = 1 if bom else 0  # offset of the next line
        self.bom = bom

    def line(self, text: str) -> tuple[int, int]:
        """Add a line; return its 1-based number and its start offset."""
        self.lines.append(text)
        start = self.offset
        self.offset += len(text) + len(self.newline)
        return len(self.lines), start


@st.composite
def _row(draw: st.DrawFn, cells: list[str]) -> tuple[str, list[int | None], bool]:
    """One table row: the line and the offset in it of each cell's first character."""
    lead = draw(st.booleans())
    trail = draw(st.booleans())
    indent = draw(st.sampled_from(INDENTS))
    out = indent + ("|" if lead else "")
    starts: list[int | None] = []
    for i, cell in enumerate(cells):
        left = draw(st.sampled_from(PADS)) if (lead or i) else ""
        right = draw(st.sampled_from(PADS))
        if i:
            out += "|"
        out += left
        starts.append(len(out))
        out += escape(cell) + right
    if trail:
        out += "|"
    out += draw(st.sampled_from(("", " ", "  ", "\t")))  # trailing spaces
    ragged = not trail and cells[-1] == "" and len(cells) > 1
    return out, starts, ragged


@st.composite
def _cell(draw: st.DrawFn) -> tuple[str, str]:
    state = draw(st.sampled_from(("done", "open", "n/a")))
    pool = {"done": DONE, "open": OPEN, "n/a": NOT_APPLICABLE}[state]
    return state, draw(st.sampled_from(pool))


@st.composite
def roadmaps(draw: st.DrawFn) -> Generated:
    newline = draw(st.sampled_from(NEWLINES))
    bom = draw(st.booleans())
    final_newline = draw(st.booleans())
    by_heading = draw(st.booleans())  # one table per group under a heading, else bold rows
    # Header words with a meaning of their own (Notes, Owner, Module…) are tested apart.
    columns = draw(
        unique_names(1, 5).filter(
            lambda cs: not any(key(c) in TEXT_HEADERS | NAME_HEADERS for c in cs)
        )
    )
    group_names = draw(unique_names(1, 4))
    sizes = draw(st.lists(st.integers(1, 3), min_size=len(group_names), max_size=len(group_names)))
    module_names = draw(unique_names(sum(sizes), sum(sizes)))
    per_group = []
    for size in sizes:
        per_group.append(module_names[:size])
        module_names = module_names[size:]
    order = draw(st.permutations(group_names))
    order = order[: draw(st.integers(1, len(order)))] if draw(st.booleans()) else order
    order_first = draw(st.booleans())
    noise = draw(st.booleans())

    w = _Writer(newline, bom)
    w.line("# Roadmap")
    w.line("")
    if noise:
        for line in (
            "```markdown",
            "| Module | Fake |",
            "|---|---|",
            "| fake-fenced | [x] |",
            "```",
            "",
            "<!--",
            "| Module | Fake |",
            "|---|---|",
            "| fake-comment | [ ] |",
            "-->",
            "",
            "| Term | Meaning |",
            "|------|---------|",
            "| fake-plain | x |",
            "",
        ):
            w.line(line)

    def write_order() -> None:
        w.line("## Dependency order")
        w.line("")
        for name in order:
            shown = draw(
                st.sampled_from((name, name.upper(), name.lower(), name.replace(" ", "   ")))
            )
            w.line(draw(st.sampled_from(("- ", "* ", "-   "))) + escape(shown))
        w.line("")

    if order_first:
        write_order()
    w.line("## Checklists")
    w.line("")

    groups: list[ExpectedGroup] = []
    ragged: set[int] = set()
    table_columns = list(columns)
    first_columns: list[str] | None = None
    for gi, (gname, mods) in enumerate(zip(group_names, per_group, strict=True)):
        group = ExpectedGroup(gname)
        groups.append(group)
        if by_heading or gi == 0:
            if by_heading:
                if gi:
                    w.line("")
                w.line(draw(st.sampled_from(("## ", "### ", "#### "))) + escape(gname))
                w.line("")
                table_columns = list(draw(st.permutations(columns)))
            if first_columns is None:
                first_columns = table_columns
            header = ["Module", *table_columns]
            line, _, _ = draw(_row(header))
            w.line(line)
            aligns = [draw(st.sampled_from(ALIGNS)) for _ in header]
            line, _, _ = draw(_row(aligns))
            w.line(line)
        if not by_heading:
            line, _, is_ragged = draw(_row([f"**{gname}**", *[""] * len(table_columns)]))
            number, _ = w.line(line)
            if is_ragged:
                ragged.add(number)
        table = [[draw(_cell()) for _ in table_columns] for _ in mods]
        if all(state == "n/a" for row in table for state, _ in row):
            table[0][0] = ("open", "[ ]")  # a table without a box is not a checklist
        for mname, states in zip(mods, table, strict=True):
            line, starts, is_ragged = draw(_row([mname, *(text for _, text in states)]))
            number, offset = w.line(line)
            if is_ragged:
                ragged.add(number)
            cells = [
                ExpectedCell(
                    column,
                    state,
                    text,
                    number,
                    None if state == "n/a" else offset + starts[i + 1] + 1,
                )
                for i, (column, (state, text)) in enumerate(zip(table_columns, states, strict=True))
            ]
            group.modules.append(ExpectedModule(mname, gname, number, cells))

    if not order_first:
        w.line("")
        write_order()
    if draw(st.booleans()):  # something after the table, or the table ends the file
        w.line("")
        w.line("## Development dependencies")
        w.line("")
        w.line(f"- Finish {escape(group_names[0])} first.")
    text = newline.join(w.lines)
    if final_newline:
        text += newline
    if bom:
        text = "\ufeff" + text
    return Generated(text, first_columns or columns, groups, list(order), newline, bom, ragged)
