"""The value types: names compared loosely, counts, and derived indexes that never go stale."""

from __future__ import annotations

import dataclasses

from bot.roadmap.lookup import find_module
from bot.roadmap.model import FileWarning, Roadmap, normalize
from bot.roadmap.parse import parse


def test_normalize() -> None:
    assert normalize("  Data   Contract\tRegistry ") == "data contract registry"
    assert normalize("HOST Modules") == normalize("host modules")
    assert normalize("Straße") == normalize("STRASSE")


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
