"""The drift card and the module card's page marks, rendered from hand-built reports: within
Block Kit's limits for any report, and read as a person would."""

from __future__ import annotations

import json

from bot.docs.drift import ERROR, INFO, WARNING, CellPage, DriftReport, Finding
from bot.roadmap.parse import parse
from bot.slack.blocks import module_card
from bot.slack.blocks.drift import (
    drift_card,
    parse_tick_all,
    ready_cells,
    tick_all_button,
    with_result,
)
from tests.slack.helpers import all_text, assert_message

COMMIT = "a" * 40


def roadmap_of(rows: list[str], columns: str = "| Module | Index | API |") -> str:
    return "\n".join(["# R", "", columns, "|---|---|---|", "| **G Modules** | | |", *rows, ""])


def test_a_clean_report_says_so_and_offers_nothing() -> None:
    roadmap = parse(roadmap_of(["| Login | [x] | [ ] |"]))
    report = DriftReport("docs/roadmap.md", "mkdocs.yml", "docs", "Modules", (), {}, COMMIT)
    card = drift_card(roadmap, report, None)
    assert_message(card)
    assert "The roadmap and the docs agree: nothing to fix." in all_text(card)
    assert "button" not in json.dumps(card.blocks)


def test_a_huge_report_with_hostile_names_stays_within_limits() -> None:
    names = [f"<!channel> *M{i}* " + "x" * 300 for i in range(400)]
    roadmap = parse(roadmap_of([f"| {n} | [ ] | [x] |" for n in names]))
    findings = []
    for m in roadmap.modules:
        findings.append(
            Finding(
                "open-but-ready",
                WARNING,
                f"{m.name} / Index is open",
                m.group,
                m.name,
                "Index",
                m.line,
                "docs/p.md",
                url="https://d.example/p/|x",
                suggestion="tick it",
            )
        )
        findings.append(
            Finding(
                "ticked-missing",
                ERROR,
                f"{m.name} / API has no page",
                m.group,
                m.name,
                "API",
                m.line,
                suggestion="untick",
            )
        )
    findings.append(Finding("config-env", INFO, "<@U123> & friends"))
    report = DriftReport("r.md", "mkdocs.yml", "docs", None, tuple(findings), {}, COMMIT)
    card = drift_card(roadmap, report, "r.md · `abc`")
    assert_message(card)
    text = all_text(card)
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text
    assert "…and 791 more findings" in text
    assert "Tick all 400 ready" in text


def test_a_ready_cell_links_its_page_and_carries_a_tick_button() -> None:
    roadmap = parse(roadmap_of(["| Login | [ ] | [ ] |"]))
    m = roadmap.modules[0]
    ready = Finding(
        "open-but-ready",
        WARNING,
        "Login / Index is open, but its page is written",
        m.group,
        m.name,
        "Index",
        m.line,
        "docs/login.md",
        url="https://d.example/a|b/",
        suggestion="tick it",
    )
    report = DriftReport("r.md", "mkdocs.yml", "docs", None, (ready,), {}, COMMIT)
    card = drift_card(roadmap, report, None)
    assert_message(card)
    [section] = [b for b in card.blocks if "accessory" in b]
    assert section["accessory"]["text"]["text"] == "Tick Index"
    # A | in a URL would end the link early: it is encoded.
    assert "→ tick it · <https://d.example/a%7Cb/|page> · roadmap line 6" in section["text"]["text"]


def test_a_cell_with_a_tick_on_its_way_shows_it_instead_of_a_button() -> None:
    roadmap = parse(roadmap_of(["| Login | [ ] | [ ] |", "| Audit | [ ] | [x] |"]))
    login, audit = roadmap.modules
    findings = (
        *(
            Finding(
                "open-but-ready",
                WARNING,
                f"{m.name} / Index is open",
                m.group,
                m.name,
                "Index",
                suggestion="tick it",
            )
            for m in (login, audit)
        ),
        Finding("ticked-missing", ERROR, "Audit / API has no page", audit.group, "Audit", "API"),
    )
    report = DriftReport("r.md", "mkdocs.yml", "docs", None, findings, {}, COMMIT)
    pr = "https://github.example/acme/docs/pull/7"
    pending = {login.qualified: {"Index": ""}, audit.qualified: {"API": pr}}
    card = drift_card(roadmap, report, None, pending)
    assert_message(card)
    rows = {b["text"]["text"].split("\n")[0]: b for b in card.blocks if b.get("block_id")}
    assert rows["🟡 Login / Index is open"]["text"]["text"].endswith("⏳ ticking…")
    assert "accessory" not in rows["🟡 Login / Index is open"]
    assert "→" not in rows["🟡 Login / Index is open"]["text"]["text"]  # no "tick it" now
    assert f"⏳ <{pr}|pending review>" in rows["🔴 Audit / API has no page"]["text"]["text"]
    assert "accessory" not in rows["🔴 Audit / API has no page"]
    assert rows["🟡 Audit / Index is open"]["accessory"]["text"]["text"] == "Tick Index"
    assert "→ tick it" in rows["🟡 Audit / Index is open"]["text"]["text"]
    # Only the cell with nothing on its way is offered in Tick all.
    assert [(m.name, c) for m, c in ready_cells(roadmap, report, pending)] == [("Audit", "Index")]
    assert "Tick all 1 ready" in all_text(card)
    # The tally still counts what the branch says, and says how many of those are ticked.
    assert "2 open cells ready to tick (1 of them ticked and on their way)" in all_text(card)
    told = with_result(card, "✅ Ticked *Login* / Index: commit `abc1234`")
    assert_message(told)
    assert told.blocks[:2] == card.blocks[:2] and told.blocks[3:] == card.blocks[2:]
    assert told.blocks[2]["elements"][0]["text"] == "✅ Ticked *Login* / Index: commit `abc1234`"


def test_tick_all_values_round_trip_and_refuse_anything_else() -> None:
    button = tick_all_button(3, COMMIT)
    assert button is not None and parse_tick_all(button["value"]) == (COMMIT, 3)
    for bad in (
        None,
        "",
        "{}",
        '{"c":"x","n":1}',
        json.dumps({"c": COMMIT, "n": 0}),
        json.dumps({"c": COMMIT, "n": True}),
        json.dumps({"c": COMMIT, "n": 1, "x": 1}),
    ):
        assert parse_tick_all(bad) is None


def test_module_card_marks_each_column_and_links_written_pages() -> None:
    roadmap = parse(roadmap_of(["| Login | [x] | [ ] |"], "| Module | Index | API |"))
    login = roadmap.modules[0]
    docs = {
        "Index": CellPage("page", "docs/login/index.md", "https://d.example/login/"),
        "API": CellPage("stub", "docs/login/api.md", None, "fewer than 25 words"),
    }
    card = module_card(roadmap, login, "Login", None, docs)
    assert_message(card)
    text = all_text(card)
    assert "✅ Index  ·  <https://d.example/login/|📄 page>" in text
    assert "⬜ API  ·  📝 stub" in text
    missing = module_card(roadmap, login, "Login", None, {"API": CellPage("missing")})
    assert "⬜ API  ·  ❓ no page" in all_text(missing)
    plain = all_text(module_card(roadmap, login, "Login"))
    assert "📄" not in plain and "Docs:" not in plain  # drift not known: the card as before


def test_the_tally_counts_kinds_in_words() -> None:
    from bot.slack.blocks.drift import KIND_WORDS, kind_count

    assert kind_count("module-missing", 2) == "2 modules without pages"
    assert kind_count("open-but-ready", 1) == "1 open cell ready to tick"
    assert kind_count("module-renamed", 2) == "2 modules renamed in the nav"
    assert kind_count("some-new-kind", 3) == "3 some new kind"
    # Every kind check() can report has its words (a new kind must be given them too).
    import re
    from pathlib import Path

    import bot.docs.drift as drift

    source = Path(drift.__file__).read_text()
    reported = set(re.findall(r'Finding\(\s*"([a-z-]+)"', source))
    reported |= set(re.findall(r'kind="([a-z-]+)"', source))
    assert reported and reported <= set(KIND_WORDS), reported - set(KIND_WORDS)
