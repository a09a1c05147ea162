"""Finding a module, group or column the way people type it."""

from __future__ import annotations

import pytest

from bot.roadmap.lookup import find, find_column, find_group, find_module
from bot.roadmap.model import Roadmap
from bot.roadmap.parse import parse


def names(items) -> list[str]:
    return [x.name for x in items]


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("Ingestion", "Ingestion"),
        ("ingestion", "Ingestion"),
        ("  INGESTION ", "Ingestion"),
        ("data   contract registry", "Data Contract Registry"),
        ("Catalog", "Catalog"),  # exact, although "Catalog and Discovery" starts the same
        ("catalog and", "Catalog and Discovery"),  # unique prefix
        ("gdp", "GDP Store"),
        ("data contract", "Data Contract Registry"),
        ("contr reg", "Data Contract Registry"),  # word prefixes, in order
        ("sub enf", "Subscription Enforcement"),
        ("obs", "Observability"),
    ],
)
def test_find_module(reference: Roadmap, query: str, name: str) -> None:
    found = find_module(reference, query)
    assert found.ok
    assert found.item is not None and found.item.name == name
    assert found.candidates == () and found.suggestions == ()


def test_ambiguous_lists_the_candidates(reference: Roadmap) -> None:
    found = find_module(reference, "Action")
    assert not found.ok and found.item is None
    assert sorted(names(found.candidates)) == ["Action Catalog", "Action Delivery", "Action Engine"]
    kpi = find_module(reference, "kpi")
    assert sorted(names(kpi.candidates)) == ["KPI Build", "KPI Store"]


def test_word_prefix_ambiguity(reference: Roadmap) -> None:
    found = find_module(reference, "store")
    assert found.item is None
    assert sorted(names(found.candidates)) == [
        "GDP Store",
        "KPI Store",
        "Published Store",
        "Raw Store",
    ]


def test_no_match_suggests_the_closest(reference: Roadmap) -> None:
    found = find_module(reference, "Catalg")
    assert found.item is None and found.candidates == ()
    assert found.suggestions and found.suggestions[0].name == "Catalog"
    assert find_module(reference, "Ingestoin").suggestions[0].name == "Ingestion"


def test_nothing_close_suggests_nothing(reference: Roadmap) -> None:
    found = find_module(reference, "zzzzqqq")
    assert (found.item, found.candidates, found.suggestions) == (None, (), ())
    assert not find_module(reference, "   ").ok


def test_fuzzy_is_never_taken_on_its_own(reference: Roadmap) -> None:
    # One letter off a unique name: still only a suggestion.
    found = find_module(reference, "Schedulr")
    assert not found.ok
    assert names(found.suggestions)[:1] == ["Scheduler"]


ORDERED = """\
| Module | Docs | Tests |
|---|---|---|
| **Core** | | |
| Store Admin | [ ] | [ ] |
| Raw Store | [ ] | [ ] |
| Catalog | [x] | [ ] |
| Catalog Sync | [ ] | [ ] |
| **Extras** | | |
| Catalog | [ ] | [ ] |
| Reports / Daily | [ ] | [ ] |
"""


def test_unique_prefix_beats_word_prefix() -> None:
    roadmap = parse(ORDERED)
    found = find_module(roadmap, "store")
    assert found.item is not None and found.item.name == "Store Admin"


def test_group_slash_module_picks_among_duplicates() -> None:
    roadmap = parse(ORDERED)
    assert roadmap.warnings == ()  # the same name in two groups is no mistake
    both = find_module(roadmap, "catalog")
    assert both.item is None
    assert [(m.group, m.name) for m in both.candidates] == [
        ("Core", "Catalog"),
        ("Extras", "Catalog"),
    ]
    core = find_module(roadmap, "Core/Catalog")
    assert core.item is not None and (core.item.group, core.item.line) == ("Core", 6)
    extras = find_module(roadmap, "extras / catalog")
    assert extras.item is not None and (extras.item.group, extras.item.line) == ("Extras", 9)
    prefix = find_module(roadmap, "ext/cat")
    assert prefix.item is not None and prefix.item.group == "Extras"


def test_group_slash_prefix_ambiguous_within_the_group() -> None:
    roadmap = parse(ORDERED)
    found = find_module(roadmap, "core/cat")
    assert found.item is None
    assert [(m.group, m.name) for m in found.candidates] == [
        ("Core", "Catalog"),
        ("Core", "Catalog Sync"),
    ]


def test_a_slash_in_a_module_name() -> None:
    roadmap = parse(ORDERED)
    found = find_module(roadmap, "Reports / Daily")
    assert found.item is not None and found.item.name == "Reports / Daily"
    qualified = find_module(roadmap, "Extras/Reports / Daily")
    assert qualified.item is not None and qualified.item.name == "Reports / Daily"


def test_reference_group_slash_module(reference: Roadmap) -> None:
    found = find_module(reference, "Consumption Modules/Catalog")
    assert found.item is not None and found.item.group == "Consumption Modules"
    missing = find_module(reference, "Host Modules/Catalog")
    assert missing.item is None


@pytest.mark.parametrize(
    ("query", "column"),
    [
        ("obs", "Observability"),
        ("API", "API"),
        ("api", "API"),
        ("engineering wiring", "Engineering Wiring"),
        ("eng wir", "Engineering Wiring"),
        ("wiring", "Engineering Wiring"),
        ("data", "Data Model"),
        ("run", "Runbook"),
    ],
)
def test_find_column(reference: Roadmap, query: str, column: str) -> None:
    assert find_column(reference, query).item == column


def test_column_ambiguous_and_suggested() -> None:
    roadmap = parse(
        "| Module | Data Model | Data Flow | API |\n|---|---|---|---|\n| A | [ ] | [ ] | [ ] |\n"
    )
    found = find_column(roadmap, "data")
    assert found.item is None and found.candidates == ("Data Model", "Data Flow")
    assert find_column(roadmap, "Data Modle").suggestions[:1] == ("Data Model",)


@pytest.mark.parametrize(
    ("query", "group"),
    [
        ("host", "Host Modules"),
        ("data util", "Data Utilities Modules"),
        ("RUNTIME MODULES", "Runtime Modules"),
    ],
)
def test_find_group(reference: Roadmap, query: str, group: str) -> None:
    found = find_group(reference, query)
    assert found.item is not None and found.item.name == group


def test_find_group_ambiguous(reference: Roadmap) -> None:
    found = find_group(reference, "data")
    assert found.item is None
    assert sorted(names(found.candidates)) == ["Data Storage Modules", "Data Utilities Modules"]


def test_find_on_plain_items() -> None:
    items = ["alpha beta", "alphabet", "gamma"]
    assert find(items, "alphabet", str).item == "alphabet"
    assert find(items, "alph", str).candidates == ("alpha beta", "alphabet")
    assert find(items, "beta", str).item == "alpha beta"
    assert find(items, "gama", str).suggestions == ("gamma",)
    assert find(items, "gama", str).item is None


def test_a_typo_on_a_big_roadmap_still_suggests_the_name() -> None:
    """Past FUZZY_ALL names, only the names sharing most three-letter pieces are compared."""
    from bot.roadmap.lookup import FUZZY_ALL

    rows = "\n".join(
        f"| Service {i:04d} {'Gate' if i % 2 else 'Store'} | [ ] |" for i in range(2000)
    )
    roadmap = parse(f"| Module | API |\n|---|---|\n{rows}\n")
    assert len(roadmap.modules) > FUZZY_ALL
    found = find_module(roadmap, "Servce 1234 Stroe")
    assert found.item is None and found.suggestions[0].name == "Service 1234 Store"
