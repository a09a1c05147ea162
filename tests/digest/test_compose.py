"""compose, to_blocks and to_text on hand-built roadmaps and Change lists."""

from __future__ import annotations

import json
import time
from datetime import timedelta

from bot.blockkit.limits import check_message
from bot.digest.blocks import to_blocks
from bot.digest.compose import OpenPR, compose, revert
from bot.digest.text import to_text
from bot.roadmap.parse import parse
from tests.slack.helpers import all_text, assert_message, texts
from tests.support.roadmaps import roadmap_text

from .conftest import change as ch
from .conftest import dt, roadmap

START = dt("2024-05-06T09:00:00+02:00")
END = dt("2024-05-13T09:00:00+02:00")

BEFORE = {("Login", "Doc"): "x", ("Roles", "Doc"): "x"}
NOW = {
    **BEFORE,
    ("Login", "API"): "x",
    ("Roles", "API"): "x",
    ("Compiler", "Doc"): "x",
}
OLD = [
    ch(m, None, "module_added", "2024-03-01T10:00:00+01:00", group=g)
    for g, m in [
        ("Access Modules", "Login"),
        ("Access Modules", "Roles"),
        ("Build Modules", "Compiler"),
        ("Build Modules", "Linker"),
    ]
] + [
    ch("Login", "Doc", "tick", "2024-03-01T10:00:00+01:00", group="Access Modules"),
    ch("Roles", "Doc", "tick", "2024-04-20T10:00:00+02:00", "bob", group="Access Modules"),
]
WEEK = [
    ch("Login", "API", "tick", "2024-05-07T11:00:00+02:00", "ada", "Access Modules"),
    ch("Roles", "API", "tick", "2024-05-08T12:00:00+02:00", "bob", "Access Modules"),
    ch("Compiler", "Doc", "tick", "2024-05-10T13:00:00+02:00", "cy", "Build Modules"),
    ch("Compiler", "API", "tick", "2024-05-10T13:00:00+02:00", "cy", "Build Modules"),
    ch("Compiler", "API", "untick", "2024-05-11T14:00:00+02:00", "ada", "Build Modules"),
]


def digest(start_known: bool = True, **kw: object):  # type: ignore[no-untyped-def]
    return compose(
        roadmap(NOW),
        roadmap(BEFORE) if start_known else None,
        WEEK,
        OLD + WEEK,
        START,
        END,
        commit_url=lambda sha: f"https://github.com/acme/roadmap/commit/{sha}",
        **kw,  # type: ignore[arg-type]
    )


def test_headline_numbers() -> None:
    d = digest()
    assert (d.done, d.total, d.percent) == (5, 8, 62)
    assert (d.done_before, d.total_before, d.percent_before) == (2, 8, 25)
    assert d.has_history
    assert (d.ticks, d.unticks) == (4, 1)
    assert d.authors == (("Ada Lovelace", 2), ("Cy Young", 2), ("Bob Builder", 1))


def test_what_changed_newest_first_with_links_and_merged_commits() -> None:
    d = digest()
    lines = [(c.kind, c.module, c.columns, c.author) for c in d.changes]
    assert lines == [
        ("untick", "Compiler", ("API",), "Ada Lovelace"),
        ("tick", "Compiler", ("Doc", "API"), "Cy Young"),  # one commit, one line
        ("tick", "Roles", ("API",), "Bob Builder"),
        ("tick", "Login", ("API",), "Ada Lovelace"),
    ]
    assert all(c.url == f"https://github.com/acme/roadmap/commit/{c.commit}" for c in d.changes)


def test_newly_done_and_newly_unblocked() -> None:
    d = digest()
    assert [m.name for m in d.newly_done] == ["Login", "Roles"]
    # Access was not done at period start, so Build was blocked; it is not any more.
    assert [m.name for m in d.newly_unblocked] == ["Compiler", "Linker"]
    assert [m.name for m in d.next] == ["Compiler", "Linker"]


def test_groups_in_dependency_order_with_change() -> None:
    d = digest()
    assert [(g.name, g.done, g.total, g.done_before) for g in d.groups] == [
        ("Access Modules", 4, 4, 2),
        ("Build Modules", 1, 4, 0),
    ]


def test_stalled_modules() -> None:
    d = digest()
    # Linker: added in March, untouched since; Compiler changed this week; Access is done.
    assert d.stalled_known
    assert [(s.name, s.last_change) for s in d.stalled] == [
        ("Linker", dt("2024-03-01T10:00:00+01:00"))
    ]


def test_never_changed_module_is_stalled_first() -> None:
    changes = [c for c in OLD if c.module != "Linker"] + WEEK
    d = compose(roadmap(NOW), roadmap(BEFORE), WEEK, changes, START, END)
    assert [(s.name, s.last_change) for s in d.stalled] == [("Linker", None)]


def test_stalled_boundary_is_four_weeks_before_period_end() -> None:
    recent = ch("Linker", "Doc", "untick", "2024-04-16T09:00:01+02:00", group="Build Modules")
    d = compose(roadmap(NOW), roadmap(BEFORE), WEEK, [*OLD, recent, *WEEK], START, END)
    assert d.stalled == ()
    older = ch("Linker", "Doc", "untick", "2024-04-15T09:00:00+02:00", group="Build Modules")
    d = compose(roadmap(NOW), roadmap(BEFORE), WEEK, [*OLD, older, *WEEK], START, END)
    assert [s.name for s in d.stalled] == ["Linker"]


def test_start_rebuilt_from_changes_matches_the_real_start() -> None:
    assert revert(roadmap(NOW), WEEK).done == roadmap(BEFORE).done
    known, rebuilt = digest(True), digest(False)
    assert rebuilt.done_before == known.done_before == 2
    assert rebuilt.newly_done == known.newly_done
    assert rebuilt.newly_unblocked == known.newly_unblocked
    assert rebuilt.groups == known.groups


def test_module_added_in_the_period_is_not_in_the_start() -> None:
    now = parse(
        roadmap_text([("Access Modules", ["Login", "Audit"])], ["Doc"], {("Audit", "Doc"): "x"})
    )
    added = ch("Audit", None, "module_added", "2024-05-09T10:00:00+02:00", group="Access Modules")
    start = revert(now, [added])
    assert [m.name for m in start.modules] == ["Login"]
    d = compose(now, None, [added], [added], START, END)
    assert d.modules_added == ("Audit",)
    assert [m.name for m in d.newly_done] == ["Audit"]


def test_no_history() -> None:
    d = compose(roadmap(NOW), None, [], [], START, END)
    assert not d.has_history
    assert d.done_before is None and d.percent_before is None
    assert d.stalled == () and not d.stalled_known
    assert d.newly_done == () and d.newly_unblocked == ()
    assert any("No history" in n for n in d.notes)
    text = to_text(d)
    assert "No history" in text and "unknown" in text
    msg = to_blocks(d)
    assert_message(msg)
    assert "no history" in all_text(msg).casefold()
    assert "What changed" not in all_text(msg)


def test_open_prs_from_dicts() -> None:
    prs = [
        {
            "number": 12,
            "title": "roadmap-bot: 3 ticks",
            "html_url": "https://github.com/acme/roadmap/pull/12",
            "user": {"login": "roadmap-bot"},
            "created_at": "2024-05-09T10:00:00Z",
        },
        OpenPR("Another", None),
    ]
    d = digest(open_prs=prs)
    assert d.open_prs[0] == OpenPR(
        "roadmap-bot: 3 ticks",
        "https://github.com/acme/roadmap/pull/12",
        12,
        "roadmap-bot",
        dt("2024-05-09T10:00:00+00:00"),
    )
    body = all_text(to_blocks(d))
    assert "<https://github.com/acme/roadmap/pull/12|#12 roadmap-bot: 3 ticks>" in body
    assert "#12 roadmap-bot: 3 ticks https://github.com/acme/roadmap/pull/12" in to_text(d)


def test_blocks_say_it_all() -> None:
    msg = to_blocks(digest())
    assert_message(msg)
    body = all_text(msg)
    assert "5/8 · 62%" in body
    assert "*+37 percentage points* (+3 cells done)" in body
    assert "4 ticks and 1 untick by 3 people" in body
    assert "*Done this period* (2)" in body and "Login, Roles" in body
    assert "*Newly unblocked* (2)" in body
    assert "*Stalled* (1)" in body and "Linker" in body
    sha = WEEK[0].commit
    assert f"<https://github.com/acme/roadmap/commit/{sha}|{sha[:7]}>" in body
    assert "Ada Lovelace (2), Cy Young (2), Bob Builder (1)" in body
    assert msg.text == "Team roadmap digest: 5/8 done (62%, +37 percentage points)"


def test_text_for_the_terminal() -> None:
    text = to_text(digest())
    assert "Overall ▓▓▓▓▓▓░░░░ 5/8 · 62%" in text
    assert "+37 percentage points (+3 cells done)" in text
    assert "  - Compiler (Build Modules): API by Ada Lovelace" in text
    assert "  + Compiler (Build Modules): Doc, API by Cy Young" in text
    assert "Stalled (not done, not blocked, no change in 4+ weeks) (1):" in text


def test_everything_from_the_file_or_git_is_escaped() -> None:
    evil = "<!channel> & <@U0001>"
    now = parse(
        roadmap_text([(evil, ["<!here>", "a|b"])], ["<b>Col</b>"], {("<!here>", "<b>Col</b>"): "x"})
    )
    changes = [
        ch("<!here>", "<b>Col</b>", "tick", "2024-05-07T10:00:00+02:00", "<!everyone>", evil),
        ch("a|b", None, "module_added", "2024-01-07T10:00:00+02:00", "<script>", evil),
    ]
    prs = [{"title": "<!subteam^S1> fix", "number": 3, "html_url": "https://x.test/pr/3?a=1&b=2"}]
    d = compose(now, None, changes[:1], changes, START, END, open_prs=prs)
    msg = to_blocks(d)
    assert_message(msg)
    body = "\n".join(texts(msg.blocks)) + msg.text
    for raw in ("<!channel>", "<!here>", "<@U0001>", "<!everyone>", "<b>", "<!subteam", "<script>"):
        assert raw not in body
    assert "&lt;!channel&gt; &amp; &lt;@U0001&gt;" in body
    assert "&lt;!everyone&gt;" in body
    assert "<https://x.test/pr/3?a=1&amp;b=2|#3 &lt;!subteam^S1&gt; fix>" in body


def huge_case() -> tuple[object, object, list[object]]:
    columns = ["Index", "Data Model", "API", "Observability", "Runbook", "Security", "Wiring"]
    groups = []
    for g in range(100):
        mods = [
            f"Module {g:03d}-{i:02d} {'m' * ((g * 20 + i) * 7 % 260)}".strip() for i in range(20)
        ]
        groups.append((f"Group {g:03d} {'G' * (g * 3 % 250)}".strip(), mods))
    names = [(gn, m) for gn, ms in groups for m in ms]
    before_states = {(m, c): "x" for k, (_, m) in enumerate(names) for c in columns[: k % 3]}
    now_states = {(m, c): "x" for k, (_, m) in enumerate(names) for c in columns[: k % 5]}
    order = [g for g, _ in groups]
    before = parse(roadmap_text(groups, columns, before_states, order))
    now = parse(roadmap_text(groups, columns, now_states, order))
    changes = []
    for i in range(5000):
        gname, module = names[(i * 7) % len(names)]
        kind = "tick" if i % 4 else "untick"
        when = (START + timedelta(seconds=100 * i)).isoformat()
        changes.append(
            ch(module, columns[i % 7], kind, when, f"person {'x' * (i % 50)}{i % 30}", gname)
        )
    return before, now, changes


def test_blocks_within_limits_for_a_huge_roadmap() -> None:
    before, now, changes = huge_case()
    t = time.perf_counter()
    d = compose(now, before, changes, changes, START, END)  # type: ignore[arg-type]
    msg = to_blocks(d)
    elapsed = time.perf_counter() - t
    assert len(now.modules) == 2000 and len(changes) == 5000  # type: ignore[attr-defined]
    assert_message(msg)
    assert check_message(msg.blocks) == []
    assert len(msg.blocks) <= 50
    assert len(json.dumps(msg.blocks)) < 40_000  # a message, not a dump of the roadmap
    body = all_text(msg)
    assert "more update" in body and "more group" in body and "more module" in body
    assert elapsed < 5, elapsed
    text = to_text(d)
    assert "…and" in text and len(text.splitlines()) < 500


def test_a_roadmap_newer_than_the_period_was_not_100_percent_done_before_it() -> None:
    from bot.roadmap.model import Roadmap

    added = [c for c in OLD if c.kind == "module_added"]
    d = compose(roadmap(NOW), Roadmap(columns=(), groups=()), added, added, START, END)
    assert d.is_new and d.percent_change is None
    msg = to_blocks(d)
    headline = texts(msg.blocks)[2]
    assert "new this period: +5 cells done since Mon 6 May" in headline
    assert "-" not in headline.split("done since")[0]  # never "-38 percentage points"
    assert msg.text == "Team roadmap digest: 5/8 done (62%, new this period)"
    assert "New this period: +5 cells done since Mon 6 May" in to_text(d)


def test_one_percentage_point_is_singular() -> None:
    wide = [(f"Group {i}", [f"M{i}"]) for i in range(50)]  # 100 cells: one cell, one point
    now = parse(roadmap_text(wide, COLUMNS2, {("M0", "Doc"): "x"}))
    before = parse(roadmap_text(wide, COLUMNS2))
    d = compose(now, before, [], [], START, END)
    assert "*+1 percentage point* (+1 cell done)" in texts(to_blocks(d).blocks)[2]


COLUMNS2 = ["Doc", "API"]
# Access (first in the order) untouched since March: stalled. Build waits for it: blocked.
STUCK = {("Login", "Doc"): "x"}


def test_a_blocked_module_is_waiting_not_stalled() -> None:
    d = compose(roadmap(STUCK), roadmap(STUCK), [], OLD[:5], START, END)
    assert [s.name for s in d.stalled] == ["Login", "Roles"]  # Compiler, Linker: blocked
    assert "*Stalled* (2): not done, not blocked, no change in 4 weeks or more" in all_text(
        to_blocks(d)
    )


def test_the_stalled_list_is_capped_and_says_how_many_more() -> None:
    many = [("Open Modules", [f"Module {i:02d}" for i in range(23)])]
    now = parse(roadmap_text(many, COLUMNS2))
    old = [
        ch(
            f"Module {i:02d}",
            None,
            "module_added",
            "2024-03-01T10:00:00+01:00",
            group="Open Modules",
        )
        for i in range(23)
    ]
    d = compose(now, now, [], old, START, END)
    assert len(d.stalled) == 23
    body = all_text(to_blocks(d))
    assert "*Stalled* (23)" in body and "…and 13 more modules" in body
    assert "*Module 09* · Open Modules" in body and "*Module 10* · Open Modules" not in body
    text = to_text(d)
    assert "Module 09 (Open Modules) 0/2, last" in text and "  …and 13 more" in text
    assert "Module 10 (Open Modules) 0/2, last" not in text


def test_the_forecast_line_says_when_at_this_pace() -> None:
    d = digest()
    assert d.forecast is not None and d.forecast.now == END
    # Build: 1 cell net in 4 weeks, 3 left: 12 weeks. The roadmap is not done before it.
    line = "At this pace (last 4 weeks): Build Modules by 5 Aug, the roadmap by 5 Aug."
    assert line in all_text(to_blocks(d))
    assert line in to_text(d)


def test_a_flat_line_gets_no_forecast() -> None:
    d = compose(roadmap(STUCK), roadmap(STUCK), [], OLD[:5], START, END)
    assert "No progress in 4 weeks: no forecast." in all_text(to_blocks(d))
    assert "No progress in 4 weeks: no forecast." in to_text(d)
    assert compose(roadmap(NOW), None, [], [], START, END).forecast is None  # no history


IN_PROGRESS = """\
# Team

| Module | Doc | API |
|---|---|---|
| **Access Modules** | | |
| Login | [x] | [~] |
| Roles | 🟡 | [ ] |
| **Build Modules** | | |
| Compiler | [x] | [x] |
"""


def test_cells_in_progress_are_counted_beside_done() -> None:
    now = parse(IN_PROGRESS)
    d = compose(now, now, [], [], START, END)
    assert (d.done, d.total, d.progress) == (3, 6, 2)  # in progress is not done
    assert [(g.name, g.progress) for g in d.groups] == [("Access Modules", 2), ("Build Modules", 0)]
    body = all_text(to_blocks(d))
    assert "3/6 · 50% · 2 in progress" in body
    assert "*Access Modules* · 2 in progress" in body
    assert "*Build Modules* · " not in body
    text = to_text(d)
    assert "Overall ▓▓▓▓▓░░░░░ 3/6 · 50% · 2 in progress" in text
    assert "Access Modules · 2 in progress" in text and "Build Modules ·" not in text
