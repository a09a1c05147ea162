"""The pure core of the live feed: net cell changes, unblocked groups, watch events."""

from __future__ import annotations

from bot.roadmap.model import Roadmap
from bot.roadmap.parse import parse
from bot.roadmap.transitions import (
    CellChange,
    Event,
    Kind,
    Unblock,
    WatchEvent,
    cell_changes,
    unblocked_groups,
    watch_events,
    watch_key,
)

from .conftest import HOST_CELLS, HOST_LAST, ROADMAP, ticked


def after(*cells: tuple[str, str], text: str = ROADMAP) -> Roadmap:
    for module, column in cells:
        text = ticked(text, module, column)
    return parse(text)


def test_ticks_unticks_and_modules_added_or_removed_are_each_one_change() -> None:
    before = parse(ROADMAP)
    text = ticked(ROADMAP, "Ingestion", "Docs")
    text = ticked(text, "Publish", "API", done=False)
    text = text.replace("| Tenant Management |", "| Tenancy |")
    changes = cell_changes(before, parse(text))
    assert changes == [
        CellChange("Host Modules", "Tenancy", None, Kind.MODULE_ADDED),
        CellChange("Compute Modules", "Ingestion", "Docs", Kind.TICK),
        CellChange("Compute Modules", "Publish", "API", Kind.UNTICK),
        CellChange("Host Modules", "Tenant Management", None, Kind.MODULE_REMOVED),
    ]


def test_open_to_not_applicable_and_a_module_moved_between_groups_are_no_change() -> None:
    before = parse(ROADMAP)
    text = ROADMAP.replace("| Ingestion | [ ] | [ ] | [ ] |", "| Ingestion | - | [ ] | [ ] |")
    assert cell_changes(before, parse(text)) == []
    publish = "| Publish | [ ] | [x] | [ ] |\n"
    compute = "| **Compute Modules** | | | |"
    moved = ROADMAP.replace(publish, "").replace(compute, publish + compute)
    assert cell_changes(before, parse(moved)) == []


def test_a_group_is_unblocked_when_every_earlier_group_is_done() -> None:
    before = after(*HOST_CELLS)
    assert unblocked_groups(parse(ROADMAP), before) == []
    now = after(*HOST_CELLS, HOST_LAST)
    assert unblocked_groups(before, now) == [Unblock("Compute Modules", ("Ingestion", "Publish"))]
    assert unblocked_groups(now, now) == []  # once, when it happens


def test_watch_events_fire_on_the_crossing_only() -> None:
    roadmap = parse(ROADMAP)
    host = roadmap.group("Host Modules")
    compute = roadmap.group("Compute Modules")
    assert host is not None and compute is not None
    ingestion = compute.modules[0]
    targets = {watch_key(host), watch_key(compute), watch_key(ingestion)}
    # Host: 1 of 5 cells done; two more ticks make 3/5 = 60%: half way.
    half = after(*HOST_CELLS[:2])
    assert watch_events(roadmap, half, targets) == [
        WatchEvent(watch_key(host), "Host Modules", True, Event.HALF)
    ]
    assert watch_events(half, after(*HOST_CELLS), targets) == []  # already past 50%
    done = after(*HOST_CELLS, HOST_LAST)
    assert watch_events(after(*HOST_CELLS), done, targets) == [
        WatchEvent(watch_key(host), "Host Modules", True, Event.DONE),
        WatchEvent(watch_key(compute), "Compute Modules", True, Event.UNBLOCKED),
        WatchEvent(watch_key(ingestion), "Ingestion", False, Event.UNBLOCKED),
    ]
    finished = after(
        *HOST_CELLS, HOST_LAST, ("Ingestion", "Docs"), ("Ingestion", "API"), ("Ingestion", "Tests")
    )
    assert WatchEvent(watch_key(ingestion), "Ingestion", False, Event.DONE) in watch_events(
        done, finished, targets
    )
    assert watch_events(roadmap, half, set()) == []
