"""The renderers on the reference roadmap: what a person sees and what a click sends."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from bot.roadmap.lookup import find_group, find_module
from bot.roadmap.model import Module, Roadmap
from bot.roadmap.parse import parse
from bot.slack.blocks import (
    ACTION_SHARE,
    PICK_PATTERN,
    TICK_PATTERN,
    UNTICK_PATTERN,
    TickRequest,
    ambiguous,
    blockers_card,
    error_card,
    group_card,
    home_view,
    module_card,
    next_card,
    not_found,
    overview,
    parse_tick_value,
)
from tests.support.roadmaps import roadmap_text

from .helpers import all_text, assert_message, assert_valid, buttons, texts

NOW = datetime(2025, 10, 5, 12, 0, tzinfo=UTC)
ORDER = [
    "Access Modules",
    "Security Modules",
    "Host Modules",
    "Data Utilities Modules",
    "Data Storage Modules",
    "Runtime Modules",
]


def module(roadmap: Roadmap, query: str) -> Module:
    found = find_module(roadmap, query)
    assert found.item is not None, found
    return found.item


def test_ingestion_card_shows_open_columns_blockers_and_rule(example: Roadmap) -> None:
    m = module(example, "Ingestion")
    msg = module_card(example, m, "Ingestion")
    assert_message(msg)
    assert msg.blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Ingestion", "emoji": True},
    }
    body = all_text(msg)
    assert "0/7" in body and "Compute Modules" in body
    ticks = [b for b in buttons(msg.blocks) if TICK_PATTERN.match(b["action_id"])]
    assert len(ticks) == 7
    assert len({b["action_id"] for b in ticks}) == 7
    requests = [parse_tick_value(b["value"]) for b in ticks]
    assert requests == [
        TickRequest("Compute Modules/Ingestion", c, m.line, True) for c in example.columns
    ]
    assert not [b for b in buttons(msg.blocks) if UNTICK_PATTERN.match(b["action_id"])]
    # Blockers: the six earlier groups with open modules, in dependency order.
    blockers = next(t for t in texts(msg.blocks) if "Blocked by" in t)
    positions = [blockers.index(f"*{g}*") for g in ORDER]
    assert positions == sorted(positions)
    assert "*Access Modules* (3): Authentication, Authorization, Subscription Enforcement" in (
        blockers
    )
    assert "Trust Modules" not in blockers and "Consumption Modules" not in blockers
    assert "Establish Host and Utilities before Compute." in body
    assert "Complete Access and Security" not in body  # a rule about other groups
    share = [b for b in buttons(msg.blocks) if b["action_id"] == ACTION_SHARE]
    assert [b["value"] for b in share] == ["Ingestion"]


def test_policy_engine_is_done_and_offers_untick_with_confirm(example: Roadmap) -> None:
    m = module(example, "Policy Engine")
    msg = module_card(example, m, "policy engine")
    assert_message(msg)
    assert "7/7" in all_text(msg)
    assert "Blocked by" not in all_text(msg)  # a done module waits for nothing
    unticks = [b for b in buttons(msg.blocks) if UNTICK_PATTERN.match(b["action_id"])]
    assert len(unticks) == 7
    assert not [b for b in buttons(msg.blocks) if TICK_PATTERN.match(b["action_id"])]
    for b, column in zip(unticks, example.columns, strict=True):
        assert b["confirm"]["title"]["text"] == f"Untick Policy Engine / {column}?"
        assert b["confirm"]["confirm"]["text"] == "Untick"
        req = parse_tick_value(b["value"])
        assert req == TickRequest("Host Modules/Policy Engine", column, m.line, False)
        assert json.loads(b["value"])["d"] == 0


def test_pending_column_links_to_review_and_has_no_button(example: Roadmap) -> None:
    m = module(example, "Ingestion")
    pr = "https://github.com/acme/docs/pull/12?a=1&b=2"
    msg = module_card(example, m, "Ingestion", pending={"API": pr})
    assert_message(msg)
    line = next(t for t in texts(msg.blocks) if "⏳" in t)
    assert "⏳ API: <https://github.com/acme/docs/pull/12?a=1&amp;b=2|pending review>" in line
    ticks = [b for b in buttons(msg.blocks) if TICK_PATTERN.match(b["action_id"])]
    assert len(ticks) == 6
    assert all(parse_tick_value(b["value"]).column != "API" for b in ticks)  # type: ignore[union-attr]


def test_next_card_lists_access_modules_with_pick_buttons(example: Roadmap) -> None:
    msg = next_card(example)
    assert_message(msg)
    picks = [b for b in buttons(msg.blocks) if PICK_PATTERN.match(b["action_id"])]
    assert [b["value"] for b in picks] == [
        "Access Modules/Authentication",
        "Access Modules/Authorization",
        "Access Modules/Subscription Enforcement",
    ]
    body = all_text(msg)
    for name in ("Authentication", "Authorization", "Subscription Enforcement"):
        assert name in body
    assert "Gateway" not in body


def test_next_card_when_everything_is_done() -> None:
    text = roadmap_text([("G", ["A"])], ["X"], {("A", "X"): "x"}, order=["G"])
    msg = next_card(parse(text))
    assert_message(msg)
    assert "done" in msg.text


def test_overview_has_every_group_overall_and_share(example: Roadmap) -> None:
    msg = overview(example, "acme/docs:docs/roadmap.md@main", "abc1234 Tick Policy Engine")
    assert_message(msg)
    body = all_text(msg)
    for g in example.groups:
        assert f"*{g.name}*" in body
    assert "7/259" in body  # 37 modules x 7 columns, Policy Engine done
    assert "Next up" in body and "Authentication" in body
    assert "Dependency order: Access Modules → Security Modules" in body
    assert "abc1234 Tick Policy Engine" in body
    share = [b for b in buttons(msg.blocks) if b["action_id"] == ACTION_SHARE]
    assert [b["value"] for b in share] == [""]
    # Groups are listed in dependency order: Access first, Trust last.
    groups = next(t for t in texts(msg.blocks) if "*Access Modules*" in t)
    assert groups.index("*Access Modules*") < groups.index("*Trust Modules*")


def test_group_card(example: Roadmap) -> None:
    group = find_group(example, "host").item
    assert group is not None
    msg = group_card(example, group, "host")
    assert_message(msg)
    body = all_text(msg)
    assert "7/28" in body and "step 3 of 10" in body
    for m in group.modules:
        assert m.name in body
    assert "*Access Modules* (3)" in body and "*Security Modules* (2)" in body
    assert "Establish Host and Utilities before Compute." in body
    assert [b["value"] for b in buttons(msg.blocks)] == ["Host Modules", "host"]  # Watch, Share


def test_blockers_card_for_module_and_for_everything(example: Roadmap) -> None:
    msg = blockers_card(example, module(example, "Ingestion"))
    assert_message(msg)
    body = all_text(msg)
    positions = [body.index(f"*{g}*") for g in ORDER]
    assert positions == sorted(positions)
    picks = [b["value"] for b in buttons(msg.blocks)]
    assert picks[:3] == [
        "Access Modules/Authentication",
        "Access Modules/Authorization",
        "Access Modules/Subscription Enforcement",
    ]

    free = blockers_card(example, module(example, "Authentication"))
    assert_message(free)
    assert "none" in all_text(free)

    everything = blockers_card(example, None)
    assert_message(everything)
    body = all_text(everything)
    waiting = [g for g in example.dependency_order[1:]]
    positions = [body.index(f"*{g}* waits for") for g in waiting]
    assert positions == sorted(positions)
    assert "*Access Modules* waits" not in body  # first in the order: waits for nothing


def test_help_card_lists_every_keyword_of_the_router(example: Roadmap) -> None:
    from bot.slack.router import KEYWORDS, answer

    msg = answer(example, "help").message
    assert_message(msg)
    body = all_text(msg)
    assert set(KEYWORDS) >= {"next", "blockers", "tick", "untick", "refresh", "digest", "help"}
    for word in KEYWORDS:
        assert word in body
    for word in ("next", "blockers", "tick", "refresh", "digest", "subscribe", "unsubscribe"):
        assert f"/roadmap {word}" in body
    assert "&lt;module&gt;" in body  # the placeholder is escaped, not a Slack link


def test_not_found_suggests_catalog(example: Roadmap) -> None:
    msg = not_found(find_module(example, "Catalg"))
    assert_message(msg)
    assert "No module matches 'Catalg'. Did you mean" in all_text(msg)
    values = [b["value"] for b in buttons(msg.blocks)]
    assert "Consumption Modules/Catalog" in values
    assert all(PICK_PATTERN.match(b["action_id"]) for b in buttons(msg.blocks))


def test_not_found_without_suggestions_points_to_the_list(example: Roadmap) -> None:
    msg = not_found(find_module(example, "zzzzqqq"))
    assert_message(msg)
    assert "`/roadmap`" in msg.text and not buttons(msg.blocks)
    group = not_found(find_group(example, "<!here>"), kind="group")
    assert "No group matches '&lt;!here&gt;'" in group.text


def test_ambiguous_offers_qualified_picks(example: Roadmap) -> None:
    found = find_module(example, "Cat")
    msg = ambiguous(found)
    assert_message(msg)
    values = [b["value"] for b in buttons(msg.blocks)]
    assert values == ["Consumption Modules/Catalog", "Data Utilities Modules/Catalog and Discovery"]
    labels = [b["text"]["text"] for b in buttons(msg.blocks)]
    assert labels[0] == "Catalog · Consumption Modules"
    assert not_found(found).blocks == msg.blocks  # candidates, not suggestions


def test_error_card_escapes() -> None:
    msg = error_card("cannot read <roadmap.md> & friends")
    assert_message(msg)
    assert "<roadmap.md>" not in all_text(msg)
    assert "&lt;roadmap.md&gt; &amp; friends" in msg.text
    assert_message(error_card(""))


def test_home_view(example: Roadmap) -> None:
    commit = {
        "sha": "abc1234def5678",
        "subject": "Tick Policy Engine / API",
        "author": "Ada",
        "when": NOW - timedelta(days=3, hours=2),
    }
    view = home_view(example, "acme/docs:docs/roadmap.md", commit, NOW)
    assert view["type"] == "home"
    assert_valid(view["blocks"], home=True)
    body = "\n".join(texts(view["blocks"]))
    assert "3 days ago" in body and "`abc1234def`" in body and "by Ada" in body
    for g in example.groups:
        assert g.name in body
    assert "Authentication" in body
    unknown = home_view(example, "", None, NOW)
    assert_valid(unknown["blocks"], home=True)
    assert "Last change: unknown" in "\n".join(texts(unknown["blocks"]))


def test_a_module_named_like_a_mention_pings_nobody() -> None:
    name = "<!channel> & co"
    group = "<@U123> group"
    text = roadmap_text(
        [(group, [name, "<https://evil.example|click>"])],
        ["API <b>", "Docs"],
        {(name, "Docs"): "x"},
        order=[group],
        rules=[f"Ship {group} with [care](https://example.com/?a=1&b=<2>) & <!here>"],
        title="<!everyone>",
    )
    roadmap = parse(text)
    m = roadmap.modules[0]
    assert m.name == name and m.group == group
    g = roadmap.groups[0]
    found = find_module(roadmap, "<!channel>")
    messages = [
        module_card(roadmap, m, "<!channel>", pending={"API <b>": "<!here>"}),
        group_card(roadmap, g, "<@U123>"),
        # The commit line arrives as mrkdwn (Services.commit_line escapes its author).
        overview(roadmap, "<!subteam^S1>", "&lt;!channel&gt; commit"),
        next_card(roadmap),
        blockers_card(roadmap, m),
        blockers_card(roadmap, None),
        not_found(find_module(roadmap, "<!channel> &")),
        ambiguous(find_module(roadmap, "<")),
        error_card("<!channel>"),
    ]
    assert found.item == m
    for msg in messages:
        assert_message(msg)
        body = all_text(msg)
        for raw in ("<!channel>", "<!here>", "<!everyone>", "<@U123>", "<!subteam", "<b>"):
            assert raw not in body, (raw, body)
        assert "<https://evil.example|click>" not in body
    card = all_text(messages[0])
    assert "&lt;!channel&gt; &amp; co" in card
    assert "<https://example.com/?a=1&amp;b=%3C2%3E|care>" in card  # a real link survives
    home = home_view(roadmap, "<!here>", {"sha": "<!channel>", "subject": "<!here>"}, NOW)
    assert_valid(home["blocks"], home=True)
    assert not any("<!" in t for t in texts(home["blocks"]))


def test_long_blocker_lists_say_how_many_more() -> None:
    first = [f"Blocker {i}" for i in range(8)]
    text = roadmap_text(
        [("First", first), ("Second", ["Target"])], ["API"], order=["First", "Second"]
    )
    roadmap = parse(text)
    msg = module_card(roadmap, roadmap.modules[-1], "Target")
    assert_message(msg)
    line = next(t for t in texts(msg.blocks) if "*First* (8)" in t)
    assert "*First* (8): Blocker 0, Blocker 1, Blocker 2, Blocker 3, Blocker 4 and 3 more" in line


def test_overview_mentions_warnings_in_the_file(example_text: str) -> None:
    from bot.slack.blocks import check_message, overview

    text = example_text.replace("| Ingestion                  | [ ]", "| Ingestion | maybe", 1)
    message = overview(parse(text), "docs/roadmap.md", None)
    joined = json.dumps(message.blocks, ensure_ascii=False)
    assert "1 warning in the roadmap file" in joined and "maybe" in joined
    assert check_message(message.blocks) == []
    assert "warning" not in json.dumps(overview(parse(example_text), "x", None).blocks)


def test_column_card_and_routing(example: Roadmap, huge: Roadmap) -> None:
    from bot.slack.blocks import check_message, column_card
    from bot.slack.router import answer

    api = answer(example, "api")
    assert api.outcome == "column" and api.subject == "API"
    body = json.dumps(api.message.blocks, ensure_ascii=False)
    assert "1/37" in body and "1/4 · 25% *Host Modules*" in body
    assert body.index("Authentication") < body.index("Ingestion")  # dependency order
    # "Observability" is a module and a column: the module, named exactly, wins.
    assert answer(example, "observability").outcome == "module"
    assert answer(example, "Ingestion").outcome == "module"
    big = column_card(huge, huge.columns[0], huge.columns[0])
    assert check_message(big.blocks) == []


def test_overview_says_what_waits(example: Roadmap) -> None:
    from bot.slack.blocks import check_message
    from bot.slack.router import answer

    pr = "https://github.com/acme/docs/pull/7"
    waiting = answer(example, "", pending={"Compute Modules/Ingestion": {"API": pr, "Index": pr}})
    text = json.dumps(waiting.message.blocks, ensure_ascii=False)
    assert f"2 ticks waiting for review in the <{pr}|pull request>" in text
    applying = answer(example, "", pending={"Compute Modules/Ingestion": {"API": ""}})
    assert "1 tick being applied" in json.dumps(applying.message.blocks, ensure_ascii=False)
    assert "waiting" not in json.dumps(answer(example, "").message.blocks)
    for reply in (waiting, applying, answer(example, "")):
        assert check_message(reply.message.blocks) == []


def test_every_answer_on_the_reference_is_within_limits(example: Roadmap) -> None:
    from bot.slack.blocks import check_message
    from bot.slack.router import answer

    queries = ["", "help", "next", "blockers", "blockers ingestion", "zzz", "Action", "Catalg"]
    queries += [m.name for m in example.modules] + [g.name for g in example.groups]
    queries += list(example.columns)
    for query in queries:
        for location, commit_line in (("", None), ("docs/roadmap.md on main", "`abc1234`")):
            reply = answer(example, query, location, commit_line)
            assert reply.message.text, query
            assert check_message(reply.message.blocks) == [], query
