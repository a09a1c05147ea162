"""The forecast: pace of the last weeks from history events, values in, values out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from bot.roadmap.export import forecast_json, roadmap_json
from bot.roadmap.forecast import DONE, NO_PROGRESS, ON_PACE, date_label, forecast
from bot.roadmap.parse import parse
from tests.support.roadmaps import roadmap_text

NOW = datetime.fromisoformat("2026-11-30T09:00:00+00:00")


@dataclass(frozen=True)
class Ev:
    module: str
    kind: str
    date: datetime
    group: str | None = None


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


# Access: 4 cells, 2 done. CI/CD: 6 cells, none done. Old: 2 cells, all done.
GROUPS = [
    ("Access Modules", ["Login", "Roles"]),
    ("CI/CD Modules", ["Deploy", "Rollback", "Canary"]),
    ("Old Modules", ["Legacy"]),
]
STATES = {("Login", "Doc"): "x", ("Login", "API"): "x", ("Legacy", "Doc"): "x"}
STATES[("Legacy", "API")] = "x"
ROADMAP = parse(roadmap_text(GROUPS, ["Doc", "API"], STATES))


def test_a_group_that_moved_gets_a_date_at_its_pace() -> None:
    # Two cells in four weeks: half a cell a week; two left: four weeks to go.
    events = [Ev("Login", "tick", ago(20), "Access Modules"), Ev("Login", "tick", ago(3))]
    found = forecast(ROADMAP, events, NOW)
    access = found.group("access modules")
    assert access is not None
    assert (access.done, access.total, access.net, access.per_week) == (2, 4, 2, 0.5)
    assert access.status == ON_PACE and access.done_by == NOW + timedelta(weeks=4)


def test_a_flat_group_gets_no_date_and_a_done_group_needs_none() -> None:
    events = [Ev("Login", "tick", ago(1), "Access Modules"), Ev("Legacy", "tick", ago(2))]
    found = forecast(ROADMAP, events, NOW)
    cicd, old = found.group("CI/CD Modules"), found.group("Old Modules")
    assert cicd is not None and cicd.status == NO_PROGRESS and cicd.done_by is None
    assert old is not None and old.status == DONE and old.done_by is None


def test_the_whole_roadmap_goes_at_the_sum_of_the_paces() -> None:
    events = [
        Ev("Login", "tick", ago(10), "Access Modules"),
        Ev("Deploy", "tick", ago(9), "CI/CD Modules"),
        Ev("Deploy", "tick", ago(8), "CI/CD Modules"),
        Ev("Canary", "tick", ago(7), "CI/CD Modules"),
    ]
    found = forecast(ROADMAP, events, NOW)
    # Eight cells left (12 - 4 done now), four a month: eight weeks.
    assert found.overall.name is None and found.overall.net == 4
    assert found.overall.done_by == NOW + timedelta(weeks=8)


def test_only_the_window_counts_and_unticks_take_back() -> None:
    events = [
        Ev("Deploy", "tick", ago(29), "CI/CD Modules"),  # before the four weeks
        Ev("Deploy", "tick", ago(27), "CI/CD Modules"),
        Ev("Deploy", "untick", ago(2), "CI/CD Modules"),
        Ev("Rollback", "tick", NOW + timedelta(days=1), "CI/CD Modules"),  # after now
        Ev("Rollback", "module_added", ago(1), "CI/CD Modules"),  # not progress
    ]
    cicd = forecast(ROADMAP, events, NOW).group("CI/CD Modules")
    assert cicd is not None and cicd.net == 0 and cicd.status == NO_PROGRESS
    wider = forecast(ROADMAP, events, NOW, weeks=5).group("CI/CD Modules")
    assert wider is not None and wider.net == 1 and wider.status == ON_PACE


def test_going_backwards_is_no_progress() -> None:
    events = [Ev("Login", "untick", ago(3), "Access Modules")]
    access = forecast(ROADMAP, events, NOW).group("Access Modules")
    assert access is not None and access.net == -1 and access.status == NO_PROGRESS
    assert forecast(ROADMAP, events, NOW).overall.done_by is None


def test_events_without_a_group_or_of_a_renamed_group_go_by_the_module() -> None:
    events = [
        Ev("Deploy", "tick", ago(5)),
        Ev("Rollback", "tick", ago(4), "CI Modules"),  # the group's old name
        Ev("Gone", "tick", ago(4), "Gone Modules"),  # a module removed since: left out
    ]
    found = forecast(ROADMAP, events, NOW)
    cicd = found.group("CI/CD Modules")
    assert cicd is not None and cicd.net == 2
    assert found.overall.net == 2


def test_no_history_no_forecast() -> None:
    found = forecast(ROADMAP, [], NOW)
    assert found.overall.status == NO_PROGRESS
    assert [f.status for f in found.groups] == [NO_PROGRESS, NO_PROGRESS, DONE]
    with pytest.raises(ValueError, match="weeks"):
        forecast(ROADMAP, [], NOW, weeks=0)


def test_dates_are_as_precise_as_a_forecast_deserves() -> None:
    assert date_label(datetime.fromisoformat("2027-01-12T10:00:00+00:00"), NOW) == "12 Jan"
    assert date_label(datetime.fromisoformat("2027-09-20T10:00:00+00:00"), NOW) == "Sep 2027"


def test_show_json_gives_the_forecast_per_group() -> None:
    found = forecast(ROADMAP, [Ev("Login", "tick", ago(20), "Access Modules")], NOW)
    data = roadmap_json(ROADMAP, found)
    fc = data["forecast"]
    assert fc["weeks"] == 4 and fc["now"] == NOW.isoformat()
    assert fc["done_by"] == (NOW + timedelta(weeks=32)).date().isoformat()
    assert fc["groups"][0] == {
        "name": "Access Modules",
        "done": 2,
        "total": 4,
        "per_week": 0.25,
        "status": "on pace",
        "done_by": (NOW + timedelta(weeks=8)).date().isoformat(),
    }
    assert fc["groups"][1]["status"] == "no progress" and fc["groups"][1]["done_by"] is None
    assert forecast_json(found) == fc
    # Without history (the CLI does not pass one yet) the key says so rather than guessing.
    assert roadmap_json(ROADMAP)["forecast"] is None


def test_the_roadmap_is_never_done_before_a_group_still_moving() -> None:
    # Access finished fast (its pace is the team's), CI/CD crawls: one cell in four weeks.
    events = [Ev("Roles", "tick", ago(d), "Access Modules") for d in (1, 2)] + [
        Ev("Deploy", "tick", ago(3), "CI/CD Modules")
    ]
    states = {**STATES, ("Roles", "Doc"): "x", ("Roles", "API"): "x", ("Deploy", "Doc"): "x"}
    roadmap = parse(roadmap_text(GROUPS, ["Doc", "API"], states))
    found = forecast(roadmap, events, NOW)
    cicd = found.group("CI/CD Modules")
    assert cicd is not None and cicd.done_by == NOW + timedelta(weeks=20)
    assert found.overall.done_by == cicd.done_by  # not 5 left / 3 a month
