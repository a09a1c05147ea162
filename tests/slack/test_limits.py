"""check_message finds each violation, and no renderer ever produces one, at any size."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.roadmap.lookup import find_group, find_module
from bot.roadmap.model import Roadmap
from bot.roadmap.parse import parse
from bot.slack.blocks import (
    TICK_PATTERN,
    UNTICK_PATTERN,
    ambiguous,
    blockers_card,
    check_message,
    group_card,
    home_view,
    module_card,
    next_card,
    not_found,
    overview,
    parse_tick_value,
)
from tests.support.roadmaps import roadmap_text

from .helpers import assert_message, assert_valid, buttons, texts

NOW = datetime(2025, 10, 5, tzinfo=UTC)


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def btn(action_id: str, text: str = "ok", value: str = "v") -> dict[str, Any]:
    return {"type": "button", "text": plain(text), "action_id": action_id, "value": value}


def option(v: str) -> dict[str, Any]:
    return {"text": plain(v), "value": v}


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def test_check_message_accepts_a_good_message() -> None:
    blocks = [
        {"type": "header", "text": plain("Title")},
        section("hello"),
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "x"}]},
        {"type": "divider"},
        {"type": "actions", "elements": [btn("a"), btn("b")]},
    ]
    assert check_message(blocks) == []


@pytest.mark.parametrize(
    ("blocks", "home", "needle"),
    [
        ([section("x")] * 51, False, "51 blocks (max 50)"),
        ([section("x")] * 101, True, "101 blocks (max 100)"),
        ([section("x" * 3001)], False, "text text is 3001 characters (max 3000)"),
        ([section("")], False, "text is empty"),
        (
            [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}],
            False,
            "11 fields (max 10)",
        ),
        (
            [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2001}]}],
            False,
            "fields[0] text is 2001 characters (max 2000)",
        ),
        ([{"type": "header", "text": plain("h" * 151)}], False, "(max 150)"),
        (
            [{"type": "header", "text": {"type": "mrkdwn", "text": "h"}}],
            False,
            "must be plain_text",
        ),
        ([{"type": "actions", "elements": [btn("a", "t" * 76)]}], False, "(max 75)"),
        ([{"type": "actions", "elements": [btn("a", value="v" * 2001)]}], False, "(max 2000)"),
        ([{"type": "actions", "elements": [btn("a" * 256)]}], False, "action_id is 256"),
        (
            [
                {"type": "actions", "elements": [btn("a")]},
                {"type": "actions", "elements": [btn("a")]},
            ],
            False,
            "action_id 'a' also used",
        ),
        (
            [{"type": "actions", "elements": [btn(f"a{i}") for i in range(26)]}],
            False,
            "26 elements (max 25)",
        ),
        (
            [{"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11}],
            False,
            "11 elements (max 10)",
        ),
        (
            [
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "checkboxes",
                            "action_id": "c",
                            "options": [option(str(i)) for i in range(11)],
                        }
                    ],
                }
            ],
            False,
            "11 options (checkboxes take 1..10)",
        ),
        (
            [
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "checkboxes",
                            "action_id": "c",
                            "options": [option("a"), option("b")],
                            "initial_options": [option("z")],
                        }
                    ],
                }
            ],
            False,
            "initial_options[0] is not one of the options",
        ),
        (
            [
                {
                    "type": "actions",
                    "elements": [{"type": "overflow", "action_id": "o", "options": [option("a")]}],
                }
            ],
            False,
            "1 options (overflow takes 2..5)",
        ),
        (
            [
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "overflow",
                            "action_id": "o",
                            "options": [option(str(i)) for i in range(6)],
                        }
                    ],
                }
            ],
            False,
            "6 options (overflow takes 2..5)",
        ),
        (
            [
                {
                    "type": "actions",
                    "elements": [
                        {
                            **btn("a"),
                            "confirm": {
                                "title": plain("t" * 101),
                                "text": plain("sure?"),
                                "confirm": plain("Yes"),
                                "deny": plain("No"),
                            },
                        }
                    ],
                }
            ],
            False,
            "title text is 101 characters (max 100)",
        ),
    ],
)
def test_check_message_reports_each_violation(
    blocks: list[dict[str, Any]], home: bool, needle: str
) -> None:
    errors = check_message(blocks, home=home)
    assert any(needle in e for e in errors), errors


def test_home_allows_100_blocks() -> None:
    blocks = [section("x")] * 100
    assert check_message(blocks, home=True) == []
    assert check_message(blocks) == ["100 blocks (max 50)"]


def test_every_renderer_within_limits_on_2000_modules(huge: Roadmap) -> None:
    assert len(huge.modules) == 2000
    msg = overview(huge, "acme/docs:" + "d/" * 500, "c" * 5000)
    assert_message(msg)
    assert any("more group" in t for t in texts(msg.blocks))
    assert_message(next_card(huge))
    assert_message(blockers_card(huge, None))
    view = home_view(huge, "x" * 4000, {"sha": "a" * 40, "subject": "s" * 5000}, NOW)
    assert_valid(view["blocks"], home=True)
    for group in huge.groups:
        assert_message(group_card(huge, group, group.name))
    for m in huge.modules[::97]:
        assert_message(module_card(huge, m, m.name))
        assert_message(blockers_card(huge, m))
    # A query that matches all 2,000 modules, and one that matches none.
    assert_message(ambiguous(find_module(huge, "Module")))
    assert_message(not_found(find_module(huge, "Modul 000-00")))
    assert_message(not_found(find_group(huge, "x" * 5000), kind="group"))


def test_a_module_with_40_columns(huge: Roadmap) -> None:
    columns = [f"Column {i}" for i in range(40)]
    states = {("Half", c): "x" for c in columns[::2]}
    states.update({("Done", c): "x" for c in columns})
    text = roadmap_text([("G", ["Open", "Half", "Done"])], columns, states, order=["G"])
    roadmap = parse(text)
    for m in roadmap.modules:
        msg = module_card(roadmap, m, m.name)
        assert_message(msg)
        ticks = [b for b in buttons(msg.blocks) if TICK_PATTERN.match(b["action_id"])]
        unticks = [b for b in buttons(msg.blocks) if UNTICK_PATTERN.match(b["action_id"])]
        assert len(ticks) + len(unticks) == 40
        assert len(unticks) == m.done
        assert sum(1 for b in msg.blocks if b["type"] == "actions") == 2


def test_a_module_with_300_columns_still_fits() -> None:
    columns = [f"Column {i:03d} " + "c" * 150 for i in range(300)]
    roadmap = parse(roadmap_text([("G", ["M"])], columns, order=["G"]))
    msg = module_card(roadmap, roadmap.modules[0], "M")
    assert_message(msg)
    assert any("can only be changed in the file" in t for t in texts(msg.blocks))
    assert any("more column" in t for t in texts(msg.blocks))


def test_names_of_200_and_more_characters() -> None:
    long_group = "Group " + "&" * 120 + "<g>" * 40
    long_module = "Module " + "é" * 250 + "😀" * 30
    other = "Other " + "o" * 400
    long_column = "Column " + "<" * 300
    columns = [long_column, "API"]
    text = roadmap_text(
        [("First " + "f" * 300, ["Blocker " + "b" * 500] * 1), (long_group, [long_module, other])],
        columns,
        {(long_module, "API"): "x"},
        order=["First " + "f" * 300, long_group],
        rules=[f"Finish {long_group} " + "[x](https://e.com/" + "p" * 2000 + ")" * 1],
        title="T" * 400,
    )
    roadmap = parse(text)
    assert roadmap.modules[1].name == long_module
    for m in roadmap.modules:
        msg = module_card(roadmap, m, m.name * 3, pending={"API": "https://x/" + "q" * 4000})
        assert_message(msg)
        for b in buttons(msg.blocks):
            if TICK_PATTERN.match(b["action_id"]) or UNTICK_PATTERN.match(b["action_id"]):
                req = parse_tick_value(b["value"])
                assert req is not None and req.module == m.qualified  # never cut
        assert_message(blockers_card(roadmap, m))
    for g in roadmap.groups:
        assert_message(group_card(roadmap, g, g.name))
    assert_message(overview(roadmap, "l" * 4000, None))
    assert_message(next_card(roadmap))
    assert_message(blockers_card(roadmap, None))
    assert_message(not_found(find_module(roadmap, "Modulee " + "é" * 250)))
    assert_message(ambiguous(find_module(roadmap, "o")))
    assert_valid(home_view(roadmap, "", None, NOW)["blocks"], home=True)


def test_a_value_too_long_for_slack_drops_the_button_not_the_meaning() -> None:
    name = "M" * 2100
    roadmap = parse(roadmap_text([("G", [name])], ["API"], order=["G"]))
    msg = module_card(roadmap, roadmap.modules[0], "M")
    assert_message(msg)
    assert not [b for b in buttons(msg.blocks) if TICK_PATTERN.match(b["action_id"])]
    assert any("can only be changed in the file" in t for t in texts(msg.blocks))
    assert_message(next_card(roadmap))
