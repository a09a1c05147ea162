"""Reading the checklist: which table, groups, cells, the variants people write, warnings,
errors."""

from __future__ import annotations

import pytest

from bot.errors import RoadmapFileError
from bot.roadmap.model import CellState, Roadmap, normalize
from bot.roadmap.parse import bold_text, classify, decode, parse, split_row

DONE, OPEN, NA = CellState.DONE, CellState.OPEN, CellState.NA
PROGRESS = CellState.PROGRESS


def summary(roadmap: Roadmap) -> list[tuple[str, str, list[tuple[str, CellState, str]]]]:
    """(group, module, [(column, state, text)]) for every module, in file order."""
    return [
        (m.group, m.name, [(c.column, c.state, c.text) for c in m.cells]) for m in roadmap.modules
    ]


def messages(roadmap: Roadmap) -> list[str]:
    return [str(w) for w in roadmap.warnings]


SMALL = """\
# Plan

| Module | Docs | Tests |
|--------|------|-------|
| **Core** | | |
| Parser | [x] | [ ] |
| Printer | [ ] | n/a |
| **Extras** | | |
| Plugins | [X] | [x] |
"""


# --- which table is the checklist ---------------------------------------------------------------


def test_reads_the_checklist_table() -> None:
    roadmap = parse(SMALL)
    assert roadmap.columns == ("Docs", "Tests")
    assert [g.name for g in roadmap.groups] == ["Core", "Extras"]
    assert summary(roadmap) == [
        ("Core", "Parser", [("Docs", DONE, "[x]"), ("Tests", OPEN, "[ ]")]),
        ("Core", "Printer", [("Docs", OPEN, "[ ]"), ("Tests", NA, "n/a")]),
        ("Extras", "Plugins", [("Docs", DONE, "[X]"), ("Tests", DONE, "[x]")]),
    ]
    assert roadmap.warnings == ()


def test_any_number_of_columns_with_any_names_in_any_order() -> None:
    text = (
        "| Area | Zeta | Alpha | Docs 📚 | Ünïcode | API |\n"
        "|---|---|---|---|---|---|\n"
        "| One | [x] | [ ] | [x] | [ ] | [x] |\n"
    )
    roadmap = parse(text)
    assert roadmap.columns == ("Zeta", "Alpha", "Docs 📚", "Ünïcode", "API")
    assert [c.state for c in roadmap.modules[0].cells] == [DONE, OPEN, DONE, OPEN, DONE]


def test_a_single_readiness_column() -> None:
    roadmap = parse("| Module | Done |\n|---|---|\n| A | [x] |\n| B | [ ] |\n")
    assert roadmap.columns == ("Done",)
    assert [m.name for m in roadmap.modules] == ["A", "B"]


FAKE = "| Module | Fake |\n|---|---|\n| Decoy | [x] |\n"


@pytest.mark.parametrize(
    "wrapped",
    [
        f"```\n{FAKE}```\n",
        f"~~~markdown\n{FAKE}~~~\n",
        f"    {FAKE.replace(chr(10), chr(10) + '    ')}\n",  # an indented code block
        f"<!--\n{FAKE}-->\n",
        f"<!-- old version:\n\n{FAKE}\n-->\n",
    ],
    ids=["backtick-fence", "tilde-fence", "indented-code", "comment", "comment-blank-lines"],
)
def test_a_table_in_code_or_a_comment_is_not_the_roadmap(wrapped: str) -> None:
    roadmap = parse(wrapped + "\n" + SMALL)
    assert "Decoy" not in [m.name for m in roadmap.modules]
    assert "Fake" not in roadmap.columns
    assert [m.name for m in roadmap.modules] == ["Parser", "Printer", "Plugins"]
    with pytest.raises(RoadmapFileError):
        parse(wrapped)


def test_a_table_without_checkboxes_is_not_the_roadmap() -> None:
    legend = "| Mark | Meaning |\n|---|---|\n| x | done |\n| - | n/a |\n\n"
    roadmap = parse(legend + SMALL)
    assert roadmap.columns == ("Docs", "Tests")
    assert "x" not in [m.name for m in roadmap.modules]
    assert roadmap.warnings == ()


def test_a_checklist_after_other_tables_still_found() -> None:
    text = (
        "Intro.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        + SMALL
        + "\n| c | d |\n|---|---|\n| 3 | 4 |\n"
    )
    assert [m.name for m in parse(text).modules] == ["Parser", "Printer", "Plugins"]


# --- groups -------------------------------------------------------------------------------------


def test_bold_rows_start_groups() -> None:
    roadmap = parse(SMALL)
    core, extras = roadmap.groups
    assert (core.name, [m.name for m in core.modules]) == ("Core", ["Parser", "Printer"])
    assert (extras.name, [m.name for m in extras.modules]) == ("Extras", ["Plugins"])
    assert core.line == 5 and extras.line == 8


def test_a_group_written_twice_is_one_group_with_a_warning() -> None:
    text = SMALL + "| **core** | | |\n| Linker | [ ] | [ ] |\n"
    roadmap = parse(text)
    assert [g.name for g in roadmap.groups] == ["Core", "Extras"]
    assert [m.name for m in roadmap.groups[0].modules] == ["Parser", "Printer", "Linker"]
    assert [w.line for w in roadmap.warnings] == [10]


def test_a_bold_name_with_boxes_is_a_module_not_a_group() -> None:
    text = "| Module | A |\n|---|---|\n| **G** | |\n| **Starred** | [x] |\n"
    roadmap = parse(text)
    assert [g.name for g in roadmap.groups] == ["G"]
    assert [m.name for m in roadmap.modules] == ["Starred"]


def test_one_table_per_group_under_headings() -> None:
    text = (
        "# Roadmap\n\n## Checklists\n\n"
        "### Host Modules\n\n| Module | Docs | API |\n|---|---|---|\n| Policy | [x] | [x] |\n"
        "| Tenant | [ ] | [x] |\n\n"
        "### Compute Modules\n\n| Module | API | Docs |\n|---|---|---|\n| Ingestion | [ ] | [x] |\n"
    )
    roadmap = parse(text)
    assert [g.name for g in roadmap.groups] == ["Host Modules", "Compute Modules"]
    assert [(m.group, m.name) for m in roadmap.modules] == [
        ("Host Modules", "Policy"),
        ("Host Modules", "Tenant"),
        ("Compute Modules", "Ingestion"),
    ]
    assert roadmap.columns == ("Docs", "API")
    ingestion = roadmap.modules[2]
    assert ingestion.cell("API").state is OPEN  # read by name, not by position
    assert ingestion.cell("Docs").state is DONE
    assert roadmap.warnings == ()


def test_heading_markup_is_not_part_of_the_group_name() -> None:
    text = "## **Host** `Modules`\n\n| Module | A |\n|---|---|\n| P | [x] |\n"
    assert [g.name for g in parse(text).groups] == ["Host Modules"]


def test_bold_text() -> None:
    assert bold_text("**Host Modules**") == "Host Modules"
    assert bold_text("__Host Modules__") == "Host Modules"
    assert bold_text("**Data | Utilities 🚀**") == "Data | Utilities 🚀"
    assert bold_text("Host Modules") is None
    assert bold_text("**a** and **b**") is None
    assert bold_text("*Host*") is None


# --- cells --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("[x]", DONE),
        ("[X]", DONE),
        ("[ ]", OPEN),
        ("[x] ([#12](https://example.com/12))", DONE),
        ("[ ] (needs review)", OPEN),
        ("", NA),
        ("-", NA),
        ("—", NA),
        ("n/a", NA),
        ("N/A", NA),
        ("[-]", NA),
        ("[N/A]", NA),
        ("✅", DONE),
        ("✅ Implemented", DONE),
        ("✔️", DONE),
        (":white_check_mark:", DONE),
        ("⚪", OPEN),
        ("- [ ]", OPEN),
        ("- [x] shipped", DONE),
        ("[~]", PROGRESS),
        ("🚧 draft", PROGRESS),
    ],
)
def test_classify(text: str, state: CellState) -> None:
    assert classify(text) is state


@pytest.mark.parametrize("text", ["x", "done", "[]", "[  ]", "[y]", "yes", "(x)", "-5", "n/ab"])
def test_classify_unknown(text: str) -> None:
    assert classify(text) is None


def test_cell_states_and_annotations_are_kept() -> None:
    text = (
        "| Module | A | B | C | D | E | F |\n"
        "|---|---|---|---|---|---|---|\n"
        "| M | [x] ([#12](https://x.test/12)) | [X] | [ ] later | - | — | n/a |\n"
    )
    module = parse(text).modules[0]
    assert [(c.state, c.text) for c in module.cells] == [
        (DONE, "[x] ([#12](https://x.test/12))"),
        (DONE, "[X]"),
        (OPEN, "[ ] later"),
        (NA, "-"),
        (NA, "—"),
        (NA, "n/a"),
    ]
    assert (module.done, module.total) == (2, 3)


def test_unknown_cell_text_is_a_warning_with_its_line_and_not_counted() -> None:
    text = (
        "| Module | A | B | C |\n|---|---|---|---|\n"
        "| Ok | [x] | [ ] | [ ] |\n"
        "| Odd | [x] | maybe | [ ] |\n"
    )
    roadmap = parse(text)
    odd = roadmap.modules[1]
    assert odd.cell("B").state is NA
    assert (odd.done, odd.total) == (1, 2)
    assert len(roadmap.warnings) == 1
    warning = roadmap.warnings[0]
    assert warning.line == 4
    assert "maybe" in warning.message and "Odd" in warning.message
    assert str(warning).startswith("line 4")


def test_cells_know_their_line_and_box_offset() -> None:
    roadmap = parse(SMALL)
    parser = roadmap.modules[0]
    assert parser.line == 6
    docs, tests = parser.cells
    assert docs.line == tests.line == 6
    assert SMALL[docs.box - 1 : docs.box + 2] == "[x]"
    assert SMALL[tests.box - 1 : tests.box + 2] == "[ ]"
    assert SMALL.splitlines()[5].startswith("| Parser")
    assert roadmap.modules[1].cell("Tests").box is None  # n/a has no box


# --- variants -----------------------------------------------------------------------------------

EXPECTED_SMALL = [
    ("Core", "Parser", [("Docs", DONE, "[x]"), ("Tests", OPEN, "[ ]")]),
    ("Core", "Printer", [("Docs", OPEN, "[ ]"), ("Tests", NA, "n/a")]),
    ("Extras", "Plugins", [("Docs", DONE, "[X]"), ("Tests", DONE, "[x]")]),
]


def _no_outer_pipes(text: str) -> str:
    out = []
    for line in text.split("\n"):
        if line.startswith("|"):
            line = line[1:].rstrip()
            line = line[:-1] if line.endswith("|") else line
            if line.rstrip().endswith("|"):  # an empty last cell needs its pipe
                line += " |"
        out.append(line)
    return "\n".join(out)


VARIANTS = {
    "lf": lambda t: t,
    "crlf": lambda t: t.replace("\n", "\r\n"),
    "cr": lambda t: t.replace("\n", "\r"),
    "mixed-newlines": lambda t: "".join(
        line + ("\r\n", "\n", "\r")[i % 3] for i, line in enumerate(t.split("\n")[:-1])
    ),
    "bom": lambda t: "\ufeff" + t,
    "bom-crlf": lambda t: "\ufeff" + t.replace("\n", "\r\n"),
    "no-final-newline": lambda t: t.rstrip("\n"),
    "trailing-spaces": lambda t: t.replace("\n", "   \n"),
    "trailing-tabs": lambda t: t.replace("|\n", "|\t\n"),
    "tabs-in-cells": lambda t: t.replace("| ", "|\t").replace(" |", "\t|"),
    "no-padding": lambda t: t.replace(" | ", "|").replace("| ", "|").replace(" |", "|"),
    "wide-padding": lambda t: t.replace("| ", "|    ").replace(" |", "     |"),
    "alignment-colons": lambda t: t.replace(
        "|--------|------|-------|", "|:-------|:----:|------:|"
    ),
    "indented": lambda t: t.replace("\n|", "\n  |"),
    "no-outer-pipes": _no_outer_pipes,
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_variants_read_the_same(variant: str) -> None:
    text = VARIANTS[variant](SMALL)
    assert text != SMALL or variant == "lf"
    roadmap = parse(text)
    assert roadmap.columns == ("Docs", "Tests")
    assert summary(roadmap) == EXPECTED_SMALL
    assert roadmap.warnings == (), messages(roadmap)
    for module in roadmap.modules:
        for cell in module.cells:
            if cell.box is not None:
                assert text[cell.box - 1] == "[" and text[cell.box + 1] == "]"


def test_escaped_pipes_in_names_and_cells() -> None:
    text = (
        "| Module | Read \\| Write | API |\n"
        "|---|---|---|\n"
        "| **In \\| Out** | | |\n"
        "| Import \\| Export | [x] a \\| b | [ ] |\n"
        "| Path\\\\| [ ] | [x] |\n"
    )
    roadmap = parse(text)
    assert roadmap.columns == ("Read | Write", "API")
    assert [g.name for g in roadmap.groups] == ["In | Out"]
    first = roadmap.modules[0]
    assert first.name == "Import | Export"
    assert [(c.state, c.text) for c in first.cells] == [(DONE, "[x] a | b"), (OPEN, "[ ]")]
    assert text[first.cells[1].box - 1 : first.cells[1].box + 2] == "[ ]"


def test_unicode_and_emoji_names() -> None:
    text = (
        "| Modül | Dökümantasyon 📖 | 测试 |\n|---|---|---|\n"
        "| **Grüppe 🚀** | | |\n"
        "| Ingestión 🧪 | [x] | [ ] |\n"
        "| 数据 | [ ] | [x] |\n"
    )
    roadmap = parse(text)
    assert roadmap.columns == ("Dökümantasyon 📖", "测试")
    assert [g.name for g in roadmap.groups] == ["Grüppe 🚀"]
    assert [m.name for m in roadmap.modules] == ["Ingestión 🧪", "数据"]
    for module in roadmap.modules:
        for cell in module.cells:
            assert text[cell.box - 1 : cell.box + 2] in ("[x]", "[ ]")


def test_markup_in_names_is_what_a_reader_sees() -> None:
    text = "| Module | A |\n|---|---|\n| [Auth](docs/auth.md) | [x] |\n| `Jobs` runner | [ ] |\n"
    assert [m.name for m in parse(text).modules] == ["Auth", "Jobs runner"]


def test_split_row_spans() -> None:
    line = "| a |  b\\|c\t| [x] |"
    spans = split_row(line, 0, len(line))
    assert [line[s:e] for s, e in spans] == ["a", "b\\|c", "[x]"]
    inner = "  a | b  "
    assert [inner[s:e] for s, e in split_row(inner, 0, len(inner))] == ["a", "b"]
    text = "xx\n| p | q |\nyy"
    spans = split_row(text, 3, 12)
    assert [text[s:e] for s, e in spans] == ["p", "q"]


# --- dependency order and rules -----------------------------------------------------------------

ORDERED = """\
# Roadmap

## Dependency order
- Core
- extras   PACK

## Checklists

| Module | Docs |
|---|---|
| **Extras Pack** | |
| Plugins | [ ] |
| **Core** | |
| Parser | [ ] |

## Development dependencies
- Finish **Core** before Extras.
- Keep [docs](docs/x.md) current.
"""


def test_dependency_order_and_rules() -> None:
    roadmap = parse(ORDERED)
    assert [normalize(n) for n in roadmap.dependency_order] == ["core", "extras pack"]
    assert roadmap.rules == ("Finish **Core** before Extras.", "Keep [docs](docs/x.md) current.")
    assert roadmap.warnings == ()  # "extras   PACK" names the group "Extras Pack"


def test_dependency_order_as_a_numbered_list_and_nested_bullets_ignored() -> None:
    text = ORDERED.replace(
        "- Core\n- extras   PACK\n", "1. Core\n   - not a group\n2. Extras Pack\n"
    )
    roadmap = parse(text)
    assert [normalize(n) for n in roadmap.dependency_order] == ["core", "extras pack"]
    assert roadmap.warnings == ()


def test_no_dependency_order_no_rules() -> None:
    roadmap = parse(SMALL)
    assert roadmap.dependency_order == ()
    assert roadmap.rules == ()
    assert roadmap.warnings == ()


# --- warnings -----------------------------------------------------------------------------------


def test_group_in_the_order_but_not_in_the_table() -> None:
    text = ORDERED.replace("- extras   PACK\n", "- extras   PACK\n- Ghost Modules\n")
    roadmap = parse(text)
    assert len(roadmap.warnings) == 1
    warning = roadmap.warnings[0]
    assert warning.line == 6 and "Ghost Modules" in warning.message


def test_group_in_the_table_but_not_in_the_order() -> None:
    text = ORDERED.replace("- extras   PACK\n", "")
    roadmap = parse(text)
    assert len(roadmap.warnings) == 1
    warning = roadmap.warnings[0]
    assert warning.line == 10 and "Extras Pack" in warning.message


def test_duplicate_module_names_in_one_group() -> None:
    text = SMALL.replace("| Printer |", "| parser |")
    roadmap = parse(text)
    assert [m.name for m in roadmap.modules] == ["Parser", "parser", "Plugins"]
    assert len(roadmap.warnings) == 1
    assert roadmap.warnings[0].line == 7
    assert "parser" in roadmap.warnings[0].message.casefold()


def test_the_same_name_in_two_groups_is_no_warning() -> None:
    roadmap = parse(SMALL.replace("| Plugins |", "| parser |"))
    assert [m.qualified for m in roadmap.modules] == [
        "Core/Parser",
        "Core/Printer",
        "Extras/parser",
    ]
    assert roadmap.warnings == ()


def test_a_short_row_reads_its_missing_cells_as_empty_with_a_warning() -> None:
    text = "| Module | A | B |\n|---|---|---|\n| Even | [ ] | [ ] |\n| Short | [x] |\n"
    roadmap = parse(text)
    assert tuple(c.state for c in roadmap.modules[1].cells) == (DONE, NA)
    assert [w.line for w in roadmap.warnings] == [4]


def test_a_row_with_too_many_cells_is_not_guessed() -> None:
    # An unescaped | in a code span shifts every cell after it.
    text = (
        "| Module | A | B |\n|---|---|---|\n| Even | [ ] | [ ] |\n"
        "| `a|b` | [x] | [ ] |\n| Next | [x] | [x] |\n"
    )
    roadmap = parse(text)
    assert [m.name for m in roadmap.modules] == ["Even", "Next"]
    [warning] = roadmap.warnings
    assert warning.line == 4 and "4 cells" in warning.message and "not read" in warning.message


def test_a_row_without_a_module_name_is_skipped_with_a_warning() -> None:
    text = "| Module | A |\n|---|---|\n| One | [x] |\n|  | [ ] |\n| Two | [ ] |\n"
    roadmap = parse(text)
    assert [m.name for m in roadmap.modules] == ["One", "Two"]
    assert [w.line for w in roadmap.warnings] == [4]


def test_warnings_are_sorted_by_line_and_say_it() -> None:
    text = ORDERED.replace("- Core\n", "- Core\n- Ghost\n").replace(
        "| Parser | [ ] |", "| Parser | ? |\n| parser | [x] |"
    )
    roadmap = parse(text)
    lines = [w.line for w in roadmap.warnings]
    assert lines == sorted(lines)
    assert len(lines) == 3  # Ghost, unknown "?", duplicate "parser" in Core
    assert all(str(w).startswith(f"line {w.line}: ") for w in roadmap.warnings)


# --- errors -------------------------------------------------------------------------------------


def test_not_utf8_is_an_error_naming_the_file_and_line() -> None:
    data = b"# Roadmap\n\n| Module | A |\n| Caf\xe9 | [x] |\n"
    with pytest.raises(RoadmapFileError) as caught:
        decode(data, "docs/roadmap.md")
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("docs/roadmap.md:4:")


def test_decode_keeps_the_text_and_the_bom() -> None:
    data = "\ufeff| Module | A |\r\n|---|---|\r\n| Ünï | [x] |".encode()
    text = decode(data, "r.md")
    assert text.encode() == data
    assert [m.name for m in parse(text).modules] == ["Ünï"]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "# Roadmap\n\nNothing here yet.\n",
        "- [x] a task list is not a table\n",
        f"```\n{FAKE}```\n",
    ],
)
def test_no_table_is_an_error_naming_the_file(text: str) -> None:
    with pytest.raises(RoadmapFileError) as caught:
        parse(text, "docs/roadmap.md")
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("docs/roadmap.md")


def test_tables_without_boxes_is_an_error_naming_the_file_and_line() -> None:
    text = "# Roadmap\n\nSome text.\n\n| Module | Docs |\n|---|---|\n| A | yes |\n"
    with pytest.raises(RoadmapFileError) as caught:
        parse(text, "docs/roadmap.md")
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("docs/roadmap.md:5:")


# --- the reference roadmap ----------------------------------------------------------------------


def test_reference_shape(reference: Roadmap) -> None:
    assert len(reference.groups) == 10
    assert reference.columns == (
        "Index",
        "Data Model",
        "API",
        "Observability",
        "Runbook",
        "Security",
        "Engineering Wiring",
    )
    assert reference.warnings == ()
    assert len(reference.modules) == 37
    assert reference.dependency_order[0] == "Access Modules"
    assert reference.dependency_order[-1] == "Trust Modules"
    assert len(reference.rules) == 6
    assert reference.rules[-1].startswith("Enforce [Dependency Guard]")
