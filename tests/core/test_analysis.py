"""Readiness, blockers from the dependency order, what is next, and the rules for a group."""

from __future__ import annotations

import pytest

from bot.roadmap.analysis import (
    Readiness,
    blockers,
    column_readiness,
    group_blockers,
    next_modules,
    readiness,
    rules_for_group,
)
from bot.roadmap.lookup import find_group, find_module
from bot.roadmap.model import Module, Roadmap
from bot.roadmap.parse import parse


def module(roadmap: Roadmap, name: str) -> Module:
    found = [m for m in roadmap.modules if m.name == name]
    assert len(found) == 1, name
    return found[0]


def names(modules) -> list[str]:
    return [m.name for m in modules]


def blocker_names(found) -> list[tuple[str, list[str]]]:
    return [(b.group, names(b.modules)) for b in found]


# --- the reference roadmap ----------------------------------------------------------------------


def test_reference_ingestion(reference: Roadmap) -> None:
    ingestion = module(reference, "Ingestion")
    assert ingestion.group == "Compute Modules"
    assert (readiness(ingestion).done, readiness(ingestion).total) == (0, 7)
    assert [b.group for b in blockers(reference, ingestion)] == [
        "Access Modules",
        "Security Modules",
        "Host Modules",
        "Data Utilities Modules",
        "Data Storage Modules",
        "Runtime Modules",
    ]


def test_reference_ingestion_blocked_by_the_unfinished_modules_only(reference: Roadmap) -> None:
    found = dict(blocker_names(blockers(reference, module(reference, "Ingestion"))))
    assert found["Host Modules"] == [
        "Data Contract Registry",
        "Tenant Management",
        "Lineage Obligations",
    ]  # Policy Engine is done
    assert found["Security Modules"] == ["Gateway", "Network Security"]


def test_reference_policy_engine(reference: Roadmap) -> None:
    policy = module(reference, "Policy Engine")
    assert (readiness(policy).done, readiness(policy).total) == (7, 7)
    assert readiness(policy).percent == 100
    assert policy.is_done


def test_reference_next(reference: Roadmap) -> None:
    assert names(next_modules(reference)) == [
        "Authentication",
        "Authorization",
        "Subscription Enforcement",
    ]


def test_reference_first_group_has_no_blockers(reference: Roadmap) -> None:
    assert blockers(reference, module(reference, "Authentication")) == ()
    assert [b.group for b in blockers(reference, module(reference, "Gateway"))] == [
        "Access Modules"
    ]


def test_reference_readiness_of_group_column_and_roadmap(reference: Roadmap) -> None:
    host = reference.group("host modules")
    assert host is not None
    assert str(readiness(host)) == "7/28"
    assert str(readiness(reference)) == "7/259"
    assert str(column_readiness(reference, "Index")) == "1/37"
    assert str(column_readiness(reference, "Engineering Wiring")) == "1/37"


# --- readiness ----------------------------------------------------------------------------------

MIXED = """\
| Module | A | B | C |
|---|---|---|---|
| **G** | | | |
| One | [x] | [ ] | n/a |
| Two | [x] | - | [x] |
| Three | — | | |
| **H** | | | |
| Four | [ ] | [ ] | [X] |
"""


def test_readiness_counts_only_applicable_cells() -> None:
    roadmap = parse(MIXED)
    assert str(readiness(module(roadmap, "One"))) == "1/2"
    assert str(readiness(module(roadmap, "Two"))) == "2/2"
    assert str(readiness(module(roadmap, "Three"))) == "0/0"
    g, h = roadmap.groups
    assert str(readiness(g)) == "3/4"
    assert str(readiness(h)) == "1/3"
    assert str(readiness(roadmap)) == "4/7"
    assert str(column_readiness(roadmap, "A")) == "2/3"
    assert str(column_readiness(roadmap, "B")) == "0/2"
    assert str(column_readiness(roadmap, "C")) == "2/2"


def test_readiness_ratio_and_percent() -> None:
    assert Readiness(1, 3).percent == 33
    assert Readiness(2, 3).percent == 66  # floor, never rounds up to done
    assert Readiness(199, 200).percent == 99
    assert Readiness(0, 0).ratio == 1.0
    assert Readiness(0, 4).ratio == 0.0


def test_a_module_with_every_cell_not_applicable_is_done() -> None:
    roadmap = parse(MIXED)
    assert module(roadmap, "Three").is_done
    assert not module(roadmap, "One").is_done
    assert module(roadmap, "Two").is_done


# --- blockers and next --------------------------------------------------------------------------

CHAIN = """\
## Dependency order
- Base
- middle
- Top

| Module | Docs | Code |
|---|---|---|
| **Top** | | |
| Roof | [ ] | [ ] |
| **Side** | | |
| Shed | [ ] | [ ] |
| **Middle** | | |
| Walls | [x] | [ ] |
| Doors | [x] | [x] |
| **Base** | | |
| Footing | [x] | [x] |
| Slab | [ ] | n/a |
"""


def test_blockers_follow_the_dependency_order_not_the_file_order() -> None:
    roadmap = parse(CHAIN)
    assert blocker_names(blockers(roadmap, module(roadmap, "Roof"))) == [
        ("Base", ["Slab"]),
        ("Middle", ["Walls"]),
    ]
    assert blocker_names(blockers(roadmap, module(roadmap, "Walls"))) == [("Base", ["Slab"])]


def test_the_first_group_and_groups_not_in_the_order_have_no_blockers() -> None:
    roadmap = parse(CHAIN)
    assert blockers(roadmap, module(roadmap, "Footing")) == ()
    assert blockers(roadmap, module(roadmap, "Slab")) == ()
    assert blockers(roadmap, module(roadmap, "Shed")) == ()


def test_a_finished_group_blocks_nothing() -> None:
    roadmap = parse(CHAIN.replace("| Slab | [ ] | n/a |", "| Slab | [x] | n/a |"))
    assert blocker_names(blockers(roadmap, module(roadmap, "Roof"))) == [("Middle", ["Walls"])]
    assert blockers(roadmap, module(roadmap, "Walls")) == ()


def test_group_blockers() -> None:
    roadmap = parse(CHAIN)
    top = find_group(roadmap, "top").item
    assert top is not None
    assert [b.group for b in group_blockers(roadmap, top)] == ["Base", "Middle"]


def test_next_is_not_done_and_not_blocked() -> None:
    roadmap = parse(CHAIN)
    # Slab: first group, open. Shed: its group is not in the order. Footing: done.
    assert set(names(next_modules(roadmap))) == {"Slab", "Shed"}
    finished_base = parse(CHAIN.replace("| Slab | [ ] | n/a |", "| Slab | [x] | n/a |"))
    assert set(names(next_modules(finished_base))) == {"Walls", "Shed"}


def test_next_lists_modules_in_dependency_order() -> None:
    roadmap = parse(CHAIN.replace("| Slab | [ ] | n/a |", "| Slab | [x] | n/a |"))
    assert names(next_modules(roadmap)) == ["Walls", "Shed"]


def test_order_names_match_case_insensitively_with_spaces_normalized() -> None:
    text = CHAIN.replace("- Base\n- middle\n- Top\n", "- BASE\n-   middle  \n- tOP\n")
    roadmap = parse(text)
    assert blocker_names(blockers(roadmap, module(roadmap, "Roof"))) == [
        ("Base", ["Slab"]),
        ("Middle", ["Walls"]),
    ]
    spaced = parse(
        CHAIN.replace("**Middle**", "**Middle  Tier**").replace("- middle", "- middle tier")
    )
    assert blocker_names(blockers(spaced, module(spaced, "Roof"))) == [
        ("Base", ["Slab"]),
        ("Middle  Tier", ["Walls"]),
    ]


def test_everything_done_nothing_next() -> None:
    text = "| Module | A |\n|---|---|\n| One | [x] |\n| Two | n/a |\n"
    assert next_modules(parse(text)) == ()


def test_without_a_dependency_order_nothing_is_blocked() -> None:
    text = CHAIN.split("\n\n", 1)[1]
    roadmap = parse(text)
    assert roadmap.dependency_order == ()
    assert all(blockers(roadmap, m) == () for m in roadmap.modules)
    assert set(names(next_modules(roadmap))) == {"Roof", "Shed", "Walls", "Slab"}


# --- development rules --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("group", "rules"),
    [
        ("Host Modules", ["Establish Host and Utilities before Compute."]),
        ("Data Utilities Modules", ["Establish Host and Utilities before Compute."]),
        ("Compute Modules", ["Establish Host and Utilities before Compute."]),
        (
            "Access Modules",
            ["Complete Access and Security baselines before enabling external access."],
        ),
        (
            "Security Modules",
            ["Complete Access and Security baselines before enabling external access."],
        ),
        ("Data Storage Modules", ["Define Storage structures before KPI publish and consumption."]),
        ("Runtime Modules", ["Confirm Runtime capabilities before scheduling long-running jobs."]),
        ("Action Modules", []),
        ("Trust Modules", []),
    ],
)
def test_reference_rules_for_group(reference: Roadmap, group: str, rules: list[str]) -> None:
    assert list(rules_for_group(reference, group)) == rules


def test_rules_for_group_by_full_name() -> None:
    text = (
        CHAIN
        + "\n## Development dependencies\n- Ship the middle   tier later.\n- Pour the base first.\n"
    )
    text = text.replace("**Middle**", "**Middle Tier**").replace("- middle", "- middle tier")
    roadmap = parse(text)
    assert rules_for_group(roadmap, "Middle Tier") == ("Ship the middle   tier later.",)
    assert rules_for_group(roadmap, "base") == ("Pour the base first.",)
    assert rules_for_group(roadmap, "Top") == ()


def test_rules_for_group_by_full_name_when_no_word_is_its_own() -> None:
    text = (
        "| Module | A |\n|---|---|\n| **Data Store** | |\n| Raw | [ ] |\n"
        "| **Data Store Replicas** | |\n| Copy | [ ] |\n\n"
        "## Development dependencies\n"
        "- Migrate the data  store first.\n"
        "- Replicas follow the primary.\n"
        "- Store nothing in data lakes.\n"
    )
    roadmap = parse(text)
    # Every word of "Data Store" is also in "Data Store Replicas": only the full name counts.
    assert rules_for_group(roadmap, "Data Store") == ("Migrate the data  store first.",)
    assert rules_for_group(roadmap, "Data Store Replicas") == ("Replicas follow the primary.",)


def test_found_module_and_blockers_together(reference: Roadmap) -> None:
    found = find_module(reference, "ingest")
    assert found.item is not None
    assert len(blockers(reference, found.item)) == 6
