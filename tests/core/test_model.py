"""The value types: names compared loosely, counts, and derived indexes that never go stale."""

from __future__ import annotations

import dataclasses

import pytest

from bot.roadmap.lookup import find_module
from bot.roadmap.model import Cell, CellState, FileWarning, Roadmap, new_cell, normalize
from bot.roadmap.parse import parse


def test_normalize() -> None:
    assert normalize("  Data   Contract\tRegistry ") == "data contract registry"
    assert normalize("HOST Modules") == normalize("host modules")
    assert normalize("Straße") == normalize("STRASSE")
    assert normalize("\u00a0Host\u2003\x1c Modules\n") == "host modules"  # every \\s


def test_warning_str() -> None:
    assert str(FileWarning(12, "row has 2 cells")) == "line 12: row has 2 cells"
    assert str(FileWarning(None, "no order")) == "no order"


def test_qualified_name_and_open_columns(reference: Roadmap) -> None:
    ingestion = find_module(reference, "Ingestion").item
    assert ingestion is not None
    assert ingestion.qualified == "Compute Modules/Ingestion"
    assert len(ingestion.open_columns) == 7
    policy = find_module(reference, "Policy Engine").item
    assert policy is not None and policy.open_columns == ()


def test_a_replaced_roadmap_does_not_keep_the_old_derived_values(reference: Roadmap) -> None:
    assert len(reference.modules) == 37  # derived and cached
    assert find_module(reference, "Ingestion").ok
    host = reference.group("Host Modules")
    assert host is not None
    smaller = dataclasses.replace(reference, groups=(host,))
    assert [m.name for m in smaller.modules] == [m.name for m in host.modules]
    assert not find_module(smaller, "Ingestion").ok
    assert len(reference.modules) == 37


def test_equal_parses_are_equal_values(example_text: str, reference: Roadmap) -> None:
    again = parse(example_text, "roadmap.md")
    assert again == reference
    assert again != parse(
        example_text.replace(
            "| Ingestion                  | [ ]", "| Ingestion                  | [x]"
        )
    )


@pytest.mark.parametrize(
    "fields",
    [
        ("API", CellState.DONE, "[x] (#12)", 7, 120, "[x]"),
        ("Runbook", CellState.NA, "n/a", 3, None, ""),
        ("UI", CellState.PROGRESS, "🟡 half", 9, 44, "🟡"),
    ],
)
def test_new_cell_is_the_cell_the_constructor_makes(fields: tuple) -> None:
    made, built = new_cell(*fields), Cell(*fields)
    assert made == built and hash(made) == hash(built) and repr(made) == repr(built)
    assert made.box == built.box
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.state = CellState.OPEN  # type: ignore[misc]
