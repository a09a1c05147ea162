"""Ticking and unticking a cell: one character inside the brackets, every other byte kept."""

from __future__ import annotations

import pytest

from bot.errors import NotFoundError, RoadmapFileError, UserInputError
from bot.roadmap.edit import set_cell
from bot.roadmap.lookup import find_module
from bot.roadmap.model import CellState, Module, Roadmap
from bot.roadmap.parse import parse


def get(roadmap: Roadmap, query: str) -> Module:
    found = find_module(roadmap, query)
    assert found.item is not None, query
    return found.item


def one_byte_diff(before: str, after: str) -> list[int]:
    a, b = before.encode(), after.encode()
    assert len(a) == len(b)
    return [i for i in range(len(a)) if a[i] != b[i]]


def test_tick_on_the_reference(example_text: str, reference: Roadmap) -> None:
    edit = set_cell(example_text, reference, get(reference, "Ingestion"), "API", done=True)
    assert edit.changed
    assert edit.message == "ticked Ingestion / API"
    [pos] = one_byte_diff(example_text, edit.text)
    assert example_text.encode()[pos - 1 : pos + 2] == b"[ ]"
    assert edit.text.encode()[pos - 1 : pos + 2] == b"[x]"
    line = example_text.encode()[:pos].count(b"\n") + 1
    assert example_text.split("\n")[line - 1].startswith("| Ingestion ")
    after = parse(edit.text)
    ingestion = get(after, "Ingestion")
    assert ingestion.cell("API").state is CellState.DONE
    assert (ingestion.done, ingestion.total) == (1, 7)
    assert after.done == reference.done + 1


def test_untick(example_text: str, reference: Roadmap) -> None:
    edit = set_cell(example_text, reference, get(reference, "Policy Engine"), "Runbook", done=False)
    assert edit.changed and edit.message == "unticked Policy Engine / Runbook"
    [pos] = one_byte_diff(example_text, edit.text)
    assert edit.text.encode()[pos - 1 : pos + 2] == b"[ ]"
    assert get(parse(edit.text), "Policy Engine").cell("Runbook").state is CellState.OPEN


def test_column_named_loosely(example_text: str, reference: Roadmap) -> None:
    edit = set_cell(
        example_text, reference, get(reference, "Ingestion"), "engineering  WIRING", True
    )
    assert edit.changed
    assert get(parse(edit.text), "Ingestion").cell("Engineering Wiring").state is CellState.DONE


def test_ticking_a_done_cell_changes_nothing_and_says_so(
    example_text: str, reference: Roadmap
) -> None:
    edit = set_cell(example_text, reference, get(reference, "Policy Engine"), "API", done=True)
    assert not edit.changed
    assert edit.text == example_text
    assert "already done" in edit.message and "Policy Engine" in edit.message


def test_unticking_an_open_cell_changes_nothing_and_says_so(
    example_text: str, reference: Roadmap
) -> None:
    edit = set_cell(example_text, reference, get(reference, "Ingestion"), "API", done=False)
    assert not edit.changed
    assert edit.text == example_text
    assert "already open" in edit.message


def test_capital_x_counts_as_done() -> None:
    text = "| Module | A |\n|---|---|\n| M | [X] |\n"
    roadmap = parse(text)
    assert not set_cell(text, roadmap, roadmap.modules[0], "A", True).changed
    edit = set_cell(text, roadmap, roadmap.modules[0], "A", False)
    assert edit.text == "| Module | A |\n|---|---|\n| M | [ ] |\n"


RAW = (
    "\ufeff# Roadmap\r\n\r\n"
    "Module\t|  Docs 📖 |API\\|SDK|Notes\r\n"
    ":---|:---:|---:|---\r\n"
    "**Grüppe 🚀**\t| | |\r\n"
    "Import \\| Export 🧪 |\t[ ] ([#12](https://x.test/12))\t|[x]| n/a   \r\n"
    "数据|[ ]   |  -  |[X] shipped"
)


@pytest.mark.parametrize(
    ("module", "column", "done", "old", "new"),
    [
        ("Import | Export 🧪", "Docs 📖", True, "\t[ ] ([#12]", "\t[x] ([#12]"),
        ("Import | Export 🧪", "API|SDK", False, "|[x]| n/a", "|[ ]| n/a"),
        # the row writes done as [X], so a tick does too
        ("数据", "Docs 📖", True, "数据|[ ]   |", "数据|[X]   |"),
        ("数据", "Notes", False, "|[X] shipped", "|[ ] shipped"),
    ],
)
def test_every_other_byte_stays(module: str, column: str, done: bool, old: str, new: str) -> None:
    roadmap = parse(RAW)
    assert roadmap.warnings[0].line == 5  # the short group row; harmless
    edit = set_cell(RAW, roadmap, get(roadmap, module), column, done)
    assert edit.changed
    assert RAW.count(old) == 1
    assert edit.text == RAW.replace(old, new)
    assert len(one_byte_diff(RAW, edit.text)) == 1
    assert edit.text.startswith("\ufeff") and edit.text.count("\r\n") == RAW.count("\r\n")
    assert not edit.text.endswith("\n")


def test_tick_then_untick_restores_the_bytes() -> None:
    roadmap = parse(RAW)
    target = get(roadmap, "Import")
    ticked = set_cell(RAW, roadmap, target, "Docs 📖", True)
    again = parse(ticked.text)
    back = set_cell(ticked.text, again, get(again, "Import"), "Docs 📖", False)
    assert back.text.encode("utf-8") == RAW.encode("utf-8")


def test_a_not_applicable_cell_cannot_be_ticked() -> None:
    roadmap = parse(RAW)
    with pytest.raises(UserInputError) as caught:
        set_cell(RAW, roadmap, get(roadmap, "数据"), "API|SDK", True)
    assert "line 7" in str(caught.value)


def test_an_unknown_column_is_an_error() -> None:
    roadmap = parse(RAW)
    with pytest.raises(NotFoundError):
        set_cell(RAW, roadmap, get(roadmap, "数据"), "Nope", True)


def test_a_stale_parse_never_writes_into_the_wrong_place() -> None:
    roadmap = parse(RAW)
    target = get(roadmap, "数据")
    shifted = RAW.replace("# Roadmap", "# The Roadmap")  # same lines, offsets moved
    with pytest.raises(RoadmapFileError):
        set_cell(shifted, roadmap, target, "Docs 📖", True)


def test_a_module_no_longer_there_is_an_error() -> None:
    roadmap = parse(RAW)
    other = parse(RAW.replace("# Roadmap\r\n", "# Roadmap\r\nIntro.\r\n"))
    with pytest.raises(NotFoundError):
        set_cell(RAW, roadmap, get(other, "数据"), "Docs 📖", True)
