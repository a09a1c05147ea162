"""Escaping, bars, truncation, relative times, and the tick button values."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.blockkit import kit
from bot.blockkit.kit import sections
from bot.blockkit.text import (
    ago,
    fit,
    join_names,
    label,
    link,
    mrkdwn_from_markdown,
    slack_len,
    truncate,
    unformat,
)
from bot.roadmap.model import Roadmap
from bot.slack.blocks import (
    TickRequest,
    check_message,
    escape,
    parse_tick_value,
    progress_bar,
    tick_value,
)

LITERAL = re.compile(r"<!date\^00000000\^\{_\}\|[*_~`]>")


def test_escape() -> None:
    assert escape("<!channel> & co") == "&lt;!channel&gt; &amp; co"
    assert escape("a &amp; b") == "a &amp;amp; b"  # literal text stays literal
    assert escape('it\'s "fine"') == 'it\'s "fine"'  # no other entities


def test_escape_keeps_mrkdwn_formatting_literal() -> None:
    star = "<!date^00000000^{_}|*>"
    assert escape("*bold*") == f"{star}bold{star}"
    assert escape("_x_ ~y~ `z`") == (
        "<!date^00000000^{_}|_>x<!date^00000000^{_}|_> "
        "<!date^00000000^{_}|~>y<!date^00000000^{_}|~> "
        "<!date^00000000^{_}|`>z<!date^00000000^{_}|`>"
    )
    # Between two letters or digits nothing formats: kept as typed (and short).
    assert escape("snake_case 2*3 a~b") == "snake_case 2*3 a~b"
    assert escape("> quoted") == "\u00ad&gt; quoted"  # a line starting with > is a quote
    assert escape("a > b") == "a &gt; b"
    # plain_text shows no mrkdwn: the wrappers are undone there; a link label takes look-alikes.
    hostile = "*bold* _x_ ~y~ <!channel> <https://evil|click> a/b"
    assert unformat(escape(hostile)) == (
        "*bold* _x_ ~y~ &lt;!channel&gt; &lt;https://evil|click&gt; a/b"
    )
    assert label(escape("*b*")) == "\u2217b\u2217"
    assert link("https://x.test/?a=1|2", "*PR* _t_") == (
        "<https://x.test/?a=1%7C2|\u2217PR\u2217 \u02cdt\u02cd>"
    )
    assert kit.plain(escape("*b*"), 75)["text"] == "*b*"


@pytest.mark.parametrize(
    ("done", "total", "expected"),
    [
        (3, 7, "▓▓▓▓░░░░░░ 3/7 · 42%"),
        (0, 7, "░░░░░░░░░░ 0/7 · 0%"),
        (7, 7, "▓▓▓▓▓▓▓▓▓▓ 7/7 · 100%"),
        (1, 100, "▓░░░░░░░░░ 1/100 · 1%"),  # any progress shows
        (99, 100, "▓▓▓▓▓▓▓▓▓░ 99/100 · 99%"),  # not done never looks done
        (0, 0, "▓▓▓▓▓▓▓▓▓▓ 0/0 · 100%"),  # nothing to do is done
    ],
)
def test_progress_bar(done: int, total: int, expected: str) -> None:
    assert progress_bar(done, total) == expected


def test_progress_bar_width() -> None:
    assert progress_bar(1, 2, width=4) == "▓▓░░ 1/2 · 50%"


@given(st.text(), st.integers(min_value=1, max_value=60))
def test_fit_escapes_and_never_cuts_an_entity(raw: str, limit: int) -> None:
    out = fit(raw, limit)
    assert slack_len(out) <= max(limit, 1)
    body = out.removesuffix("…")
    # Unescaping what is left gives a prefix of the raw text: no half "&amp;" nor wrapper.
    shown = unformat(body).replace("\u00ad&gt;", "&gt;")
    unescaped = shown.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert raw.startswith(unescaped) or raw.rstrip().startswith(unescaped)
    bare = LITERAL.sub("", body)
    assert "<" not in bare and ">" not in bare
    # No formatting character is left where it could format.
    assert not re.search(r"`|(?<![A-Za-z0-9])[*_~]|[*_~](?![A-Za-z0-9])", LITERAL.sub("x", body))


def test_truncate_backs_off_links_and_entities() -> None:
    assert truncate("short", 10) == "short"
    assert truncate("see <https://example.com/long|here> now", 20) == "see…"
    assert truncate("a &amp; b &amp; c", 9) == "a &amp;…"
    assert truncate("ab &amp;", 6) == "ab…"


def test_join_names() -> None:
    names = [f"N{i}" for i in range(8)]
    assert join_names(names, 500) == "N0, N1, N2, N3, N4 and 3 more"
    assert join_names(["a <b>"], 100) == "a &lt;b&gt;"
    assert slack_len(join_names(["x" * 400] * 5, 100)) <= 100


def test_markdown_rules_become_mrkdwn() -> None:
    assert mrkdwn_from_markdown("Enforce [Guard](https://e.com/g?a=1&b=2) now") == (
        "Enforce <https://e.com/g?a=1&amp;b=2|Guard> now"
    )
    # A path next to the roadmap means nothing in Slack: keep the words.
    assert mrkdwn_from_markdown("Enforce [Dependency Guard](../references/dg.md) first") == (
        "Enforce Dependency Guard first"
    )
    assert mrkdwn_from_markdown("**Host** & `x<y>` _first_") == "*Host* &amp; `x&lt;y&gt;` _first_"


def test_ago() -> None:
    now = datetime(2025, 10, 5, 12, 0, tzinfo=UTC)
    assert ago(now - timedelta(seconds=5), now) == "just now"
    assert ago(now + timedelta(minutes=5), now) == "just now"  # clock skew
    assert ago(now - timedelta(minutes=1), now) == "1 minute ago"
    assert ago(now - timedelta(hours=5), now) == "5 hours ago"
    assert ago(now - timedelta(days=1, hours=3), now) == "yesterday"
    assert ago(now - timedelta(days=3, hours=2), now) == "3 days ago"
    assert ago(now - timedelta(days=20), now) == "2 weeks ago"
    assert ago(now - timedelta(days=100), now) == "3 months ago"
    assert ago(now - timedelta(days=800), now) == "2 years ago"
    assert ago(datetime(2025, 10, 2, 12, 0), now) == "3 days ago"  # naive = UTC


def test_tick_value_round_trip(example: Roadmap) -> None:
    m = example.modules[4]
    value = tick_value(m, "API", True)
    assert json.loads(value) == {"m": m.qualified, "c": "API", "l": m.line, "d": 1}
    assert " " not in value.replace(m.qualified, "")  # compact
    assert parse_tick_value(value) == TickRequest(m.qualified, "API", m.line, True)
    assert parse_tick_value(tick_value(m, "API", False)) == TickRequest(
        m.qualified, "API", m.line, False
    )


def test_tick_value_keeps_unicode_compact(example: Roadmap) -> None:
    m = example.modules[0]
    value = tick_value(m, "Qualité", True)
    assert "Qualité" in value
    assert parse_tick_value(value).column == "Qualité"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "not json",
        "{",
        "[]",
        "1",
        '"s"',
        '{"m":"G/M","c":"API","l":3}',
        '{"m":"G/M","c":"API","l":3,"d":1,"x":0}',
        '{"m":"","c":"API","l":3,"d":1}',
        '{"m":"G/M","c":"  ","l":3,"d":1}',
        '{"m":1,"c":"API","l":3,"d":1}',
        '{"m":"G/M","c":"API","l":0,"d":1}',
        '{"m":"G/M","c":"API","l":"3","d":1}',
        '{"m":"G/M","c":"API","l":true,"d":1}',
        '{"m":"G/M","c":"API","l":3.0,"d":1}',
        '{"m":"G/M","c":"API","l":3,"d":2}',
        '{"m":"G/M","c":"API","l":3,"d":true}',
        '{"m":"G/M","c":"API","l":3,"d":"1"}',
        pytest.param('{"m":"' + "x" * 2000 + '","c":"API","l":3,"d":1}', id="too-long"),
        pytest.param("[" * 100_000, id="deep-nesting"),
    ],
)
def test_parse_tick_value_rejects_malformed(value: object) -> None:
    assert parse_tick_value(value) is None


_LINE = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp", "Zs")), min_size=1
).flatmap(lambda head: st.text(max_size=1500).map(lambda rest: head + rest.replace("\n", " ")))


@given(
    st.lists(_LINE, max_size=60),
    st.integers(min_value=1, max_value=5),
    st.one_of(st.none(), st.integers(min_value=0, max_value=40)),
)
def test_sections_pack_within_limits_and_count_what_is_left_out(
    lines: list[str], max_blocks: int, max_lines: int | None
) -> None:
    lines = [escape(line) for line in lines]
    blocks = sections(lines, max_blocks, more=lambda n: f"[{n} more]", max_lines=max_lines)
    assert len(blocks) <= max_blocks
    assert check_message(blocks) == []
    shown = [line for b in blocks for line in b["text"]["text"].split("\n")]
    left = 0
    if shown and shown[-1].startswith("[") and shown[-1].endswith(" more]"):
        left = int(shown.pop()[1:].split()[0])
    assert len(shown) + left == len(lines)
