"""Status vocabularies as real files write them: legends, emoji, in progress, the name column
anywhere, text columns. Ground truth worked out by hand from each text."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.roadmap.analysis import next_modules
from bot.roadmap.edit import set_cell
from bot.roadmap.export import roadmap_json
from bot.roadmap.model import CellState, Roadmap
from bot.roadmap.parse import parse
from bot.roadmap.vocabulary import DEFAULTS

DONE, OPEN, PROGRESS, NA = CellState.DONE, CellState.OPEN, CellState.PROGRESS, CellState.NA

EMOJI_LEGEND = """\
# Docs

**Documentation Status**
✅ = Ready
⚪ = Pending

| Module | Index | Data Model | UI |
|---|---|---|---|
| **Host Modules** | | | |
| Tenant Management | ✅ | ✅ | ✅ |
| Ingestion | ⚪ | ⚪ | ✅ |
"""


def test_an_emoji_table_with_a_legend_is_the_roadmap() -> None:
    roadmap = parse(EMOJI_LEGEND)
    assert roadmap.columns == ("Index", "Data Model", "UI")
    assert [(m.group, m.name, m.done, m.total) for m in roadmap.modules] == [
        ("Host Modules", "Tenant Management", 3, 3),
        ("Host Modules", "Ingestion", 1, 3),
    ]
    assert roadmap.warnings == ()
    legend = {s.text: (s.state, s.meaning, s.line) for s in roadmap.vocabulary.symbols if s.line}
    assert legend == {"✅": (DONE, "Ready", 4), "⚪": (OPEN, "Pending", 5)}


TABLE = """
| Module | Index | API |
|---|---|---|
| **Host Modules** | | |
| Policy Registry | {d} | {d} |
| Ingestion | {o} | {d} |
"""


def test_a_legend_in_one_sentence_defines_each_symbol() -> None:
    """As a real docs repo writes it: "Use these emojis to track status. ✅ = ready, ⚪ =
    pending." Symbols the defaults do not know are read from that line alone."""
    text = "# Roadmap\n\nUse these emojis to track status. 🟢 = ready, 🔴 = pending.\n"
    roadmap = parse(text + TABLE.format(d="🟢", o="🔴"))
    assert [(m.name, m.done, m.total) for m in roadmap.modules] == [
        ("Policy Registry", 2, 2),
        ("Ingestion", 1, 2),
    ]
    legend = {s["symbol"]: (s["state"], s["meaning"], s["line"]) for s in _symbols(roadmap)}
    assert legend["🟢"] == ("done", "ready", 3) and legend["🔴"] == ("open", "pending", 3)


def test_two_symbols_on_one_legend_line_keep_their_own_meanings() -> None:
    """`✅ = Ready, ⚪ = Pending` once read ✅ as "Ready, ⚪ = Pending": open, as pending."""
    roadmap = parse("# Roadmap\n\n✅ = Ready, ⚪ = Pending\n" + TABLE.format(d="✅", o="⚪"))
    assert [(m.name, m.done) for m in roadmap.modules] == [("Policy Registry", 2), ("Ingestion", 1)]


def _symbols(roadmap: Roadmap) -> list[dict[str, Any]]:
    """The symbols the file's own legend defined, as `show --json` gives them."""
    return [s for s in roadmap_json(roadmap)["vocabulary"]["symbols"] if s["source"] != "default"]


def test_ticking_a_pending_cell_writes_the_legends_done_symbol_and_back() -> None:
    roadmap = parse(EMOJI_LEGEND)
    ingestion = roadmap.modules[1]
    edit = set_cell(EMOJI_LEGEND, roadmap, ingestion, "Index", True)
    assert edit.text == EMOJI_LEGEND.replace("| Ingestion | ⚪ |", "| Ingestion | ✅ |")
    again = parse(edit.text)
    back = set_cell(edit.text, again, again.modules[1], "Index", False)
    assert back.text == EMOJI_LEGEND


BULLET_LEGEND = """\
## Legend

- ⚪ **Not Applicable**: the module has no such part
- 🟡 **Partial**: started
- ❌ **Not Implemented**: nothing yet
- ✅ **Implemented**: complete

## Matrix

| Feature | API | CLI | Notes | Owner |
|---|---|---|---|---|
| Login | ✅ Implemented | 🟡 | see #4 | ada |
| Export | ❌ | ⚪ | - | |
"""


def test_a_bullet_legend_redefines_a_default_symbol() -> None:
    roadmap = parse(BULLET_LEGEND)
    assert roadmap.columns == ("API", "CLI")  # Notes and Owner are text columns
    login, export = roadmap.modules
    assert [(c.state, c.text) for c in login.cells] == [
        (DONE, "✅ Implemented"),
        (PROGRESS, "🟡"),
    ]
    assert [c.state for c in export.cells] == [OPEN, NA]  # ⚪ is "Not Applicable" here
    assert (login.done, login.total, export.done, export.total) == (1, 2, 0, 1)
    assert roadmap.warnings == ()
    assert [m.name for m in next_modules(roadmap)] == ["Login", "Export"]


def test_in_progress_is_not_done_and_a_tick_makes_it_done() -> None:
    roadmap = parse(BULLET_LEGEND)
    login = roadmap.modules[0]
    assert not login.is_done and login.progress_columns == ("CLI",)
    edit = set_cell(BULLET_LEGEND, roadmap, login, "CLI", True)
    assert edit.text == BULLET_LEGEND.replace("| 🟡 |", "| ✅ |")
    assert parse(edit.text).modules[0].is_done
    data = roadmap_json(roadmap)
    assert data["groups"][0]["modules"][0]["cells"] == {"API": "done", "CLI": "progress"}
    vocab = {s["symbol"]: s for s in data["vocabulary"]["symbols"]}
    assert vocab["⚪"]["state"] == "n/a" and vocab["⚪"]["line"] == 3
    assert vocab["[x]"]["source"] == "default"


STATUS_KEY = """\
Status key: [x] implemented, [~] partial, [ ] not implemented, [-] not applicable

|started|feature impl|complete|feature|
|---|---|---|---|
|[x]|[~]|[ ]|Search 🔎|
|[x]|[-]|[N/A]|🟡 **Foundation** docs|
"""


def test_a_status_key_line_and_the_name_column_last() -> None:
    roadmap = parse(STATUS_KEY)
    assert roadmap.columns == ("started", "feature impl", "complete")
    search, foundation = roadmap.modules
    assert search.name == "Search 🔎"
    assert foundation.name == "🟡 Foundation docs"  # the emoji is part of the name
    assert [c.state for c in search.cells] == [DONE, PROGRESS, OPEN]
    assert [c.state for c in foundation.cells] == [DONE, NA, NA]
    lines = {s.text: s.line for s in roadmap.vocabulary.symbols if s.line}
    assert lines == {"[x]": 1, "[~]": 1, "[ ]": 1, "[-]": 1}
    assert roadmap.warnings == ()


def test_shortcodes_variation_selectors_and_boxes_in_list_items() -> None:
    text = (
        "| Module | A | B | C |\n|---|---|---|---|\n"
        "| One | :white_check_mark: | ✔️ shipped | - [ ] later |\n"
        "| Two | :x: | ✔ | - [x] |\n"
    )
    roadmap = parse(text)
    one, two = roadmap.modules
    assert [c.state for c in one.cells] == [DONE, DONE, OPEN]
    assert [c.state for c in two.cells] == [OPEN, DONE, DONE]
    edit = set_cell(text, roadmap, two, "A", True)
    assert edit.text == text.replace("| Two | :x: |", "| Two | :white_check_mark: |")
    edit = set_cell(text, roadmap, one, "C", True)
    assert edit.text == text.replace("- [ ] later", "- [x] later")


def test_an_x_file_gets_x_back_after_untick_and_tick() -> None:
    text = "| Module | A | B |\n|---|---|---|\n| M | [X] | [X] |\n"
    roadmap = parse(text)
    off = set_cell(text, roadmap, roadmap.modules[0], "A", False)
    again = parse(off.text)
    on = set_cell(off.text, again, again.modules[0], "A", True)
    assert on.text == text


def test_a_table_with_the_checklists_columns_but_no_status_yet_is_named() -> None:
    text = (
        "## Host\n\n| Module | Docs |\n|---|---|\n| A | [x] |\n\n"
        "## Compute\n\n| Module | Docs |\n|---|---|\n| B | |\n"
    )
    roadmap = parse(text)
    assert [m.name for m in roadmap.modules] == ["A"]
    [warning] = roadmap.warnings
    assert warning.line == 9 and "no status cells yet" in warning.message


def test_a_legend_table_is_not_the_checklist() -> None:
    text = (
        "| Symbol | Meaning |\n|---|---|\n| ✅ | Ready |\n| 🔵 | Pending |\n\n"
        "| Module | Docs |\n|---|---|\n| A | 🔵 |\n| B | ✅ |\n"
    )
    roadmap = parse(text)
    assert [(m.name, m.cells[0].state) for m in roadmap.modules] == [("A", OPEN), ("B", DONE)]
    assert roadmap.warnings == ()


# Every symbol set: a file written in it, ticked then unticked (or the reverse), is
# byte-for-byte the file it was.
_SETS = [
    ("✅", "⚪"),
    ("[x]", "[ ]"),
    ("[X]", "[ ]"),
    (":white_check_mark:", ":x:"),
    ("✔️", "❌"),
    ("✓", "✗"),
    ("☑️", "☐"),
    ("✅", "⬜"),
]


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(_SETS),
    st.lists(st.booleans(), min_size=3, max_size=6),
    st.sampled_from(["", " Implemented", " ([#3](u))"]),
    st.data(),
)
def test_tick_then_untick_gives_the_bytes_back_in_every_vocabulary(
    symbols: tuple[str, str], states: list[bool], tail: str, data: st.DataObject
) -> None:
    done, open_ = symbols
    states[0], states[1] = True, False  # other cells show how the file writes both
    cells = [(done if s else open_) + tail for s in states]
    header = "| Module | " + " | ".join(f"C{i}" for i in range(len(cells))) + " |"
    text = f"{header}\n|---{'|---' * len(cells)}|\n| M | " + " | ".join(cells) + " |\n"
    roadmap = parse(text)
    i = data.draw(st.integers(2, len(cells) - 1))
    column = f"C{i}"
    first = set_cell(text, roadmap, roadmap.modules[0], column, not states[i])
    assert first.changed
    again = parse(first.text)
    back = set_cell(first.text, again, again.modules[0], column, states[i])
    assert back.text.encode() == text.encode()


def test_every_default_symbol_reads_as_the_issue_lists_it() -> None:
    for symbol, state in DEFAULTS:
        text = f"| Module | A | B |\n|---|---|---|\n| M | {symbol} | [ ] |\n"
        assert parse(text).modules[0].cells[0].state is state, symbol


# Legends in the forms real status pages write them (each text below is written for the
# test in the style of a public file; ground truth by hand).


def _legend(roadmap: Roadmap) -> dict[str, tuple[CellState, str]]:
    return {s.text: (s.state, s.meaning) for s in roadmap.vocabulary.symbols if s.line}


def test_a_three_column_badge_legend_is_read_and_is_not_a_checklist() -> None:
    text = (
        "## Status Legend\n\n| Badge | Meaning | Description |\n|:--|:--|:--|\n"
        "| ✅ **Implemented** | Works and is tested | Production ready |\n"
        "| 🚧 **In Progress** | Partly there | May be unstable |\n"
        "| 📝 **Planned** | Not started | On the roadmap |\n\n"
        "### Forms\n\n| Component | Status | Notes |\n|--|--|--|\n"
        "| Input | ✅ Implemented | text |\n| Slider | 🚧 In Progress | range |\n"
        "| Menu | 📝 Planned | - |\n"
    )
    roadmap = parse(text)
    assert [(m.name, m.cells[0].state) for m in roadmap.modules] == [
        ("Input", DONE),
        ("Slider", PROGRESS),
        ("Menu", OPEN),
    ]
    assert _legend(roadmap)["📝"] == (OPEN, "Planned")
    assert roadmap.warnings == ()


def test_a_symbol_status_meaning_legend_table_defines_traffic_lights() -> None:
    text = (
        "## Status Legend\n\n| Symbol | Status | Meaning |\n|--|--|--|\n"
        "| 🔴 | `pending` | Task has not been started |\n"
        "| 🟡 | `in-progress` | Task is being worked on |\n"
        "| 🟢 | `done` | Task is finished |\n\n"
        "| ID | Task | Status |\n|--|--|--|\n"
        "| 1 | Login | 🟢 `done` |\n| 2 | Search | 🔴 `pending` |\n"
    )
    roadmap = parse(text)
    states = [(m.name, m.cells[0].state) for m in roadmap.modules]
    assert states == [("Login", DONE), ("Search", OPEN)]
    assert _legend(roadmap) == {
        "🔴": (OPEN, "pending"),
        "🟡": (PROGRESS, "in-progress"),
        "🟢": (DONE, "done"),
    }


def test_a_priority_legend_table_defines_no_status() -> None:
    text = (
        "| Symbol | Level | Meaning |\n|--|--|--|\n| 🔸 | Medium | Important, not blocking |\n\n"
        "| Task | Status |\n|--|--|\n| Login | ✅ |\n"
    )
    assert _legend(parse(text)) == {}


def test_a_bold_legend_word_that_says_no_state_is_read_with_its_description() -> None:
    # 🟡 is "in progress" by default; this legend says it is a placeholder, not implemented.
    text = (
        "| Module | Status | Description |\n|--|--|--|\n"
        "| core | 🟢 Active | always loaded |\n| catalog | 🟡 Placeholder | products |\n\n"
        "## Status Legend\n\n"
        "- 🟢 **Active** - Fully implemented and migrated\n"
        "- 🟡 **Placeholder** - Directory structure created, not implemented\n"
        "- 🔴 **Deprecated** - Being phased out\n"
    )
    roadmap = parse(text)
    assert [(m.name, m.cells[0].state) for m in roadmap.modules] == [
        ("core", DONE),
        ("catalog", OPEN),
    ]
    meaning = "Placeholder: Directory structure created, not implemented"
    assert _legend(roadmap)["🟡"] == (OPEN, meaning)
    assert "🔴" not in _legend(roadmap)  # "Being phased out" says no state: the default stays
    assert roadmap.warnings == ()


def test_traffic_light_circles_are_known_without_a_legend() -> None:
    roadmap = parse("| Module | Docs | API |\n|--|--|--|\n| A | 🟢 | 🔴 |\n")
    assert [c.state for c in roadmap.modules[0].cells] == [DONE, OPEN]


def test_a_status_key_in_a_quote_with_dashes_between_items() -> None:
    text = (
        "# Status\n\n"
        "> Status key: [x] Done -- [ ] Not started -- [~] In progress -- [!] Blocked\n\n"
        "| Phase | Status | Notes |\n|--|--|--|\n| Design | [x] Complete | v3 |\n"
        "| Testing | [!] Blocked | no runner |\n| Discovery | [~] In progress | - |\n"
    )
    roadmap = parse(text)
    assert [(m.name, m.cells[0].state) for m in roadmap.modules] == [
        ("Design", DONE),
        ("Testing", OPEN),
        ("Discovery", PROGRESS),
    ]
    # "[x] Done -- [ ] Not started …" read as one meaning made [x] open ("not").
    assert _legend(roadmap)["[x]"] == (DONE, "Done")
    assert roadmap.warnings == ()


def test_legend_items_between_bullets_keep_their_own_meanings() -> None:
    text = (
        "Legend: ✅ Complete • 📝 Needs Update • ❌ Missing\n\n"
        "| Module | Docs |\n|--|--|\n| Ingest | ✅ |\n| Export | ❌ |\n"
    )
    roadmap = parse(text)
    assert [(m.name, m.cells[0].state) for m in roadmap.modules] == [
        ("Ingest", DONE),
        ("Export", OPEN),
    ]
    assert _legend(roadmap)["✅"] == (DONE, "Complete")


def test_a_plain_legend_line_then_a_list_is_the_legend() -> None:
    text = (
        "| Feature | PWA | Native |\n|--|--|--|\n"
        "| Offline | :white_check_mark: | :warning: Limited |\n"
        "| Store | :x: | :white_check_mark: |\n\n"
        "Legend:\n- :white_check_mark: Yes / Strong\n- :x: No\n- :warning: Yes, but limited\n"
    )
    roadmap = parse(text)
    assert [[c.state for c in m.cells] for m in roadmap.modules] == [
        [DONE, PROGRESS],
        [OPEN, DONE],
    ]
    assert roadmap.warnings == ()


def test_a_status_description_table_under_a_legend_heading_is_the_legend() -> None:
    text = (
        "## Feature Status Legend\n\n| Status | Description |\n|--|--|\n"
        "| ✅ **Implemented** | Fully implemented |\n| 🟡 **Partial** | Partly implemented |\n"
        "| 📋 **Planned** | Planned for later |\n\n"
        "## Core\n\n| # | Feature | Status | Priority |\n|--|--|--|--|\n"
        "| C1 | Map | ✅ Implemented | High |\n| C2 | Ops | 📋 Planned | Low |\n"
    )
    roadmap = parse(text)
    assert [(m.name, m.cells[0].state) for m in roadmap.modules] == [("Map", DONE), ("Ops", OPEN)]
    assert roadmap.warnings == ()  # the legend table is no checklist waiting for cells


def test_a_key_items_meaning_ends_at_its_comma() -> None:
    # "[~] built + tested, deploy pending" is in progress (the default), not pending.
    text = (
        "Status key: [x] done · [~] built + tested locally, deploy pending · [ ] not started\n\n"
        "| Item | State |\n|--|--|\n| Cards | [~] |\n| Posts | [ ] |\n"
    )
    roadmap = parse(text)
    assert [(m.name, m.cells[0].state) for m in roadmap.modules] == [
        ("Cards", PROGRESS),
        ("Posts", OPEN),
    ]
    assert "[~]" not in _legend(roadmap)
