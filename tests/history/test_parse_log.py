"""The pure history parser on literal `git log -p -U0` text: no git involved."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.repo.history import Change, FileModel, HistoryError, parse_log

from .conftest import ROADMAP

LINES = ROADMAP.split("\n")[:-1]
SHA1 = "1" * 40
SHA2 = "2" * 40
SHA3 = "3" * 40


def line_no(start: str) -> int:
    """1-based number of the first line of ROADMAP starting with `start`."""
    return next(n for n, line in enumerate(LINES, 1) if line.startswith(start))


def commit(
    sha: str, *hunks: str, author: str = "Ada", date: str = "2026-01-02T10:00:00+01:00"
) -> str:
    head = f"\x01{sha}\x00{date}\x00{author}\x00{author.lower()}@example.com\n\n"
    diff = (
        "diff --git a/docs/roadmap.md b/docs/roadmap.md\n"
        "--- a/docs/roadmap.md\n+++ b/docs/roadmap.md\n"
    )
    return head + (diff + "".join(hunks) if hunks else "")


def hunk(old: int, removed: list[str], new: int, added: list[str]) -> str:
    """A -U0 hunk: `old`/`new` as git numbers them (the line before, for an empty side)."""
    head = f"@@ -{old},{len(removed)} +{new},{len(added)} @@\n"
    return head + "".join(f"-{r}\n" for r in removed) + "".join(f"+{a}\n" for a in added)


def replace(row: str, new_row: str) -> str:
    n = line_no(row)
    return hunk(n, [LINES[n - 1]], n, [new_row])


def start() -> FileModel:
    return FileModel(LINES.copy(), head=SHA1)


def summary(changes: list[Change]) -> list[tuple[str, str | None, str | None, str, str]]:
    return [(c.module, c.group, c.column, c.state, c.kind) for c in changes]


def test_a_created_file_adds_every_module_with_its_group() -> None:
    changes, model = parse_log(commit(SHA1, hunk(0, [], 1, LINES)))
    assert summary(changes) == [
        ("Policy Engine", "Host Modules", None, "added", "module_added"),
        ("Tenant Management", "Host Modules", None, "added", "module_added"),
        ("Ingestion", "Compute Modules", None, "added", "module_added"),
        ("Publish", "Compute Modules", None, "added", "module_added"),
    ]
    assert model.lines == LINES
    assert model.head == SHA1
    assert model.commits_read == 1
    first = changes[0]
    assert first.commit == SHA1
    assert first.author == "Ada"
    assert first.email == "ada@example.com"
    assert first.date == datetime(2026, 1, 2, 9, 0, tzinfo=UTC)


def test_tick_and_untick_in_one_row() -> None:
    log = commit(
        SHA2,
        replace("| Policy Engine", "| Policy Engine | [ ] | [ ] | [ ] |"),
        replace("| Ingestion", "| Ingestion | [x] | [ ] | [ ] |"),
        author="Bo",
    ) + commit(SHA3, replace("| Publish", "| Publish | [ ] | [x] | [X] |"))
    changes, model = parse_log(log, start())
    assert summary(changes) == [
        ("Policy Engine", "Host Modules", "Docs", "open", "untick"),
        ("Ingestion", "Compute Modules", "Docs", "done", "tick"),
        ("Publish", "Compute Modules", "Tests", "done", "tick"),
    ]
    assert [c.author for c in changes] == ["Bo", "Bo", "Ada"]
    assert [c.commit for c in changes] == [SHA2, SHA2, SHA3]
    assert model.commits_read == 2
    assert model.head == SHA3


def test_not_applicable_cells() -> None:
    log = commit(
        SHA2,
        replace("| Policy Engine", "| Policy Engine | n/a | [ ] | [ ] |"),  # done -> n/a
        replace("| Tenant Management", "| Tenant Management | [ ] | [ ] | [x] |"),  # n/a -> done
        replace("| Ingestion", "| Ingestion | - | [ ] | [ ] |"),  # open -> n/a: no event
    )
    changes, _ = parse_log(log, start())
    assert summary(changes) == [
        ("Policy Engine", "Host Modules", "Docs", "n/a", "untick"),
        ("Tenant Management", "Host Modules", "Tests", "done", "tick"),
    ]


def test_module_added_removed_and_renamed() -> None:
    n = line_no("| Tenant Management")
    log = commit(
        SHA2,
        hunk(n, [LINES[n - 1]], n, ["| Tenancy | [ ] | [ ] | - |"]),  # renamed
        hunk(
            line_no("| Publish"),
            [],
            line_no("| Publish") + 1,
            ["| Orchestration | [ ] | [ ] | [ ] |"],
        ),
    ) + commit(
        SHA3,
        hunk(
            line_no("| Ingestion"),
            [LINES[line_no("| Ingestion") - 1]],
            line_no("| Ingestion") - 1,
            [],
        ),
    )
    changes, model = parse_log(log, start())
    assert summary(changes) == [
        ("Tenancy", "Host Modules", None, "added", "module_added"),
        ("Orchestration", "Compute Modules", None, "added", "module_added"),
        ("Tenant Management", "Host Modules", None, "removed", "module_removed"),
        ("Ingestion", "Compute Modules", None, "removed", "module_removed"),
    ]
    assert "| Ingestion | [ ] | [ ] | [ ] |" not in model.lines
    assert model.lines[-1] == "| Orchestration | [ ] | [ ] | [ ] |"


def test_a_group_moved_whole_is_no_change() -> None:
    a, b = line_no("| **Host Modules**"), line_no("| **Compute Modules**")
    host, compute = LINES[a - 1 : b - 1], LINES[b - 1 :]
    # Compute moved above Host: git shows Host removed and added again below.
    log = commit(SHA2, hunk(a, host, a - 1, []), hunk(len(LINES), [], a + len(compute), host))
    changes, model = parse_log(log, start())
    assert changes == []
    assert model.lines == LINES[: a - 1] + compute + host


def test_a_module_moved_to_another_group_keeps_its_ticks_and_gets_the_new_group() -> None:
    n = line_no("| Ingestion")
    log = commit(
        SHA2,
        hunk(
            line_no("| Tenant Management"),
            [],
            line_no("| Tenant Management") + 1,
            ["| Ingestion | [x] | [ ] | [ ] |"],
        ),
        hunk(n, [LINES[n - 1]], n, []),
    )
    changes, _ = parse_log(log, start())
    assert summary(changes) == [("Ingestion", "Host Modules", "Docs", "done", "tick")]


def test_a_renamed_column_names_later_ticks() -> None:
    header = line_no("| Module")
    log = commit(
        SHA2, hunk(header, [LINES[header - 1]], header, ["| Module | Docs | API | Test Plan |"])
    )
    log += commit(SHA3, replace("| Ingestion", "| Ingestion | [ ] | [ ] | [x] |"))
    changes, _ = parse_log(log, start())
    assert summary(changes) == [("Ingestion", "Compute Modules", "Test Plan", "done", "tick")]


def test_a_column_renamed_and_ticked_in_one_commit_pairs_by_position() -> None:
    header = line_no("| Module")
    log = commit(
        SHA2,
        hunk(header, [LINES[header - 1]], header, ["| Module | Docs | APIs | Tests |"]),
        replace("| Publish", "| Publish | [ ] | [ ] | [ ] |"),
    )
    changes, _ = parse_log(log, start())
    assert summary(changes) == [("Publish", "Compute Modules", "APIs", "open", "untick")]


def test_a_group_renamed_with_a_module_removed_below_it() -> None:
    g, p = line_no("| **Compute Modules**"), line_no("| Publish")
    log = commit(
        SHA2,
        hunk(g, [LINES[g - 1]], g, ["| **Batch Modules** | | | |"]),
        replace("| Ingestion", "| Ingestion | [x] | [ ] | [ ] |"),
        hunk(p, [LINES[p - 1]], p - 1, []),
    )
    changes, _ = parse_log(log, start())
    # Each side is read in its own version of the file: the removed module was in Compute.
    assert summary(changes) == [
        ("Ingestion", "Batch Modules", "Docs", "done", "tick"),
        ("Publish", "Compute Modules", None, "removed", "module_removed"),
    ]


def test_crlf_lines() -> None:
    crlf = [line + "\r" for line in LINES]
    log = commit(SHA1, hunk(0, [], 1, crlf)) + commit(
        SHA2,
        hunk(
            line_no("| Ingestion"),
            [crlf[line_no("| Ingestion") - 1]],
            line_no("| Ingestion"),
            ["| Ingestion | [ ] | [x] | [ ] |\r"],
        ),
    )
    changes, model = parse_log(log)
    assert summary(changes)[-1] == ("Ingestion", "Compute Modules", "API", "done", "tick")
    assert {c.group for c in changes} == {"Host Modules", "Compute Modules"}
    assert model.lines == [*crlf[:14], "| Ingestion | [ ] | [x] | [ ] |\r", crlf[15]]


def test_no_newline_at_end_of_file_marker() -> None:
    last = len(LINES)
    log = commit(
        SHA2,
        f"@@ -{last} +{last} @@\n-{LINES[-1]}\n+| Publish | [x] | [x] | [ ] |\n"
        "\\ No newline at end of file\n",
    )
    changes, _ = parse_log(log, start())
    assert summary(changes) == [("Publish", "Compute Modules", "Docs", "done", "tick")]


def test_context_lines_of_merged_hunks_are_understood() -> None:
    # diff.interHunkContext can join two hunks with the unchanged lines between them.
    a = line_no("| Ingestion")
    log = commit(
        SHA2,
        f"@@ -{a},2 +{a},2 @@\n-{LINES[a - 1]}\n+| Ingestion | [x] | [ ] | [ ] |\n {LINES[a]}\n",
    )
    changes, model = parse_log(log, start())
    assert summary(changes) == [("Ingestion", "Compute Modules", "Docs", "done", "tick")]
    assert model.lines[a] == LINES[a]


def test_rows_outside_a_checklist_are_not_modules() -> None:
    text = (
        "# Roadmap\n\n## Legend\n\n| Mark | Meaning |\n|---|---|\n| x | done |\n\n"
        "```\n| Module | Docs |\n|---|---|\n| Example | [ ] |\n```\n\n"
        "## Checklist\n\n| Module | Docs |\n|---|---|\n| Real | [ ] |\n| Not Yet Started | - |\n"
        "\nStray | [ ] | after the table\n"
    )
    lines = text.split("\n")[:-1]
    changes, model = parse_log(commit(SHA1, hunk(0, [], 1, lines)))
    # Rows before any group row are in the group named by the heading over the table.
    assert summary(changes) == [
        ("Real", "Checklist", None, "added", "module_added"),
        ("Not Yet Started", "Checklist", None, "added", "module_added"),
    ]
    legend = lines.index("| x | done |") + 1
    changes, _ = parse_log(
        commit(SHA2, hunk(legend, [lines[legend - 1]], legend, ["| x | ready |"])), model
    )
    assert changes == []


def test_the_input_model_is_left_untouched() -> None:
    model = start()
    parse_log(commit(SHA2, replace("| Ingestion", "| Ingestion | [x] | [ ] | [ ] |")), model)
    assert model.lines == LINES
    assert model.head == SHA1


def test_a_commit_with_no_row_changes_is_still_counted() -> None:
    changes, model = parse_log(
        commit(SHA2, hunk(1, ["# Roadmap"], 1, ["# Our roadmap"])) + commit(SHA3), start()
    )
    assert changes == []
    assert model.commits_read == 2
    assert model.head == SHA3


def test_a_log_that_does_not_fit_the_model_is_an_error() -> None:
    log = commit(
        SHA2, hunk(12, ["| Somebody Else | [ ] | [ ] | [ ] |"], 12, ["| X | [x] | [ ] | [ ] |"])
    )
    with pytest.raises(HistoryError, match="out of step"):
        parse_log(log, start())


def test_an_unreadable_hunk_is_an_error() -> None:
    with pytest.raises(HistoryError):
        parse_log(commit(SHA2, "@@ -1,2 +1,2 @@\n-# Roadmap\nsurprise\n"), start())


def test_deleted_and_created_again() -> None:
    log = commit(SHA2, hunk(1, LINES, 0, [])) + commit(SHA3, hunk(0, [], 1, LINES[:13]))
    changes, model = parse_log(log, start())
    kinds = [(c.commit, c.kind) for c in changes]
    assert kinds.count((SHA2, "module_removed")) == 4
    assert kinds.count((SHA3, "module_added")) == 2
    assert model.lines == LINES[:13]


def test_the_same_module_name_in_two_groups_pairs_within_its_group() -> None:
    lines = [*LINES, "| **Edge Modules** | | | |", "| Ingestion | [ ] | [ ] | [ ] |"]
    n = len(lines)
    log = commit(SHA2, hunk(n, [lines[-1]], n, ["| Ingestion | [ ] | [x] | [ ] |"]))
    changes, _ = parse_log(log, FileModel(lines, head=SHA1))
    assert summary(changes) == [("Ingestion", "Edge Modules", "API", "done", "tick")]
    # One removed and the other ticked in one commit: the tick pairs within its group.
    a = line_no("| Ingestion")
    log = commit(
        SHA2,
        hunk(a, [lines[a - 1]], a - 1, []),
        hunk(n, [lines[-1]], n - 1, ["| Ingestion | [ ] | [ ] | [x] |"]),
    )
    changes, _ = parse_log(log, FileModel(lines, head=SHA1))
    assert summary(changes) == [
        ("Ingestion", "Edge Modules", "Tests", "done", "tick"),
        ("Ingestion", "Compute Modules", None, "removed", "module_removed"),
    ]


def test_hunks_that_change_the_line_count_land_where_git_says() -> None:
    p, i = line_no("| Policy Engine"), line_no("| Ingestion")
    log = commit(
        SHA2,
        hunk(p, [LINES[p - 1]], p - 1, []),
        hunk(
            i, [LINES[i - 1]], i - 1, ["| Ingestion | [x] | [ ] | [ ] |", "| New | [ ] | - | - |"]
        ),
    )
    changes, model = parse_log(log, start())
    assert summary(changes) == [
        ("Ingestion", "Compute Modules", "Docs", "done", "tick"),
        ("New", "Compute Modules", None, "added", "module_added"),
        ("Policy Engine", "Host Modules", None, "removed", "module_removed"),
    ]
    expected = LINES.copy()
    expected[i - 1 : i] = ["| Ingestion | [x] | [ ] | [ ] |", "| New | [ ] | - | - |"]
    del expected[p - 1]
    assert model.lines == expected
