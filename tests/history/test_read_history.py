"""read_history against real git: dated commits by several authors, merges, CRLF."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.repo.history import Change, FileModel, on_first_parent_history, read_history
from bot.roadmap.parse import parse

from .conftest import PATH, ROADMAP, Repo, make_repo, tick


def summary(changes: list[Change]) -> list[tuple[str, str | None, str | None, str, str]]:
    return [(c.module, c.group, c.column, c.state, c.kind) for c in changes]


def history(repo: Repo, since: str | None = None, path: str = PATH) -> list[Change]:
    changes, _ = read_history(repo.path, "main", path, since)
    return changes


def test_ticks_and_unticks_with_commit_author_and_date(repo: Repo) -> None:
    created = repo.commit(ROADMAP, "Add the roadmap", date="2026-01-01T09:00:00+00:00")
    t1 = repo.tick("Ingestion", "Docs", author="bo")
    t2 = repo.tick("Policy Engine", "Docs", done=False, author="cy")
    t3 = repo.tick("Publish", "Tests", author="ada")

    changes = [c for c in history(repo) if c.commit != created]
    assert summary(changes) == [
        ("Ingestion", "Compute Modules", "Docs", "done", "tick"),
        ("Policy Engine", "Host Modules", "Docs", "open", "untick"),
        ("Publish", "Compute Modules", "Tests", "done", "tick"),
    ]
    assert [c.commit for c in changes] == [t1, t2, t3]
    assert [c.author for c in changes] == ["Bo Tiller", "Cy Merger", "Ada Lovelace"]
    assert [c.email for c in changes] == ["bo@example.com", "cy@example.com", "ada@example.com"]
    assert changes[0].date == datetime(2026, 1, 1, 10, 0, tzinfo=UTC)
    assert changes[2].date == datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def test_the_first_commit_adds_every_module(repo: Repo) -> None:
    sha = repo.commit(ROADMAP)
    changes = history(repo)
    assert {c.commit for c in changes} == {sha}
    assert [(c.module, c.group) for c in changes] == [
        ("Policy Engine", "Host Modules"),
        ("Tenant Management", "Host Modules"),
        ("Ingestion", "Compute Modules"),
        ("Publish", "Compute Modules"),
    ]
    assert {c.kind for c in changes} == {"module_added"}


def test_modules_added_and_removed(repo: Repo) -> None:
    repo.commit(ROADMAP)
    text = ROADMAP.replace(
        "| Publish | [ ] | [x] | [ ] |\n",
        "| Publish | [ ] | [x] | [ ] |\n| Orchestration | [ ] | [ ] | [ ] |\n",
    )
    added = repo.commit(text, author="bo")
    removed = repo.commit(text.replace("| Tenant Management | [ ] | [ ] | - |\n", ""))
    changes = history(repo, since=repo.commits[0])
    assert [(c.commit, c.module, c.group, c.kind, c.state) for c in changes] == [
        (added, "Orchestration", "Compute Modules", "module_added", "added"),
        (removed, "Tenant Management", "Host Modules", "module_removed", "removed"),
    ]
    assert changes[0].column is None


def test_a_group_moved_brings_no_events(repo: Repo) -> None:
    repo.commit(ROADMAP)
    lines = ROADMAP.split("\n")
    host, compute = lines[10:13], lines[13:16]
    moved = "\n".join(lines[:10] + compute + host) + "\n"
    repo.commit(moved)
    assert history(repo, since=repo.commits[0]) == []
    ticked = repo.tick("Policy Engine", "API")
    assert summary(history(repo, since=repo.commits[1])) == [
        ("Policy Engine", "Host Modules", "API", "done", "tick")
    ]
    assert history(repo)[-1].commit == ticked


def test_a_merged_pull_request_counts_once_at_the_merge(repo: Repo) -> None:
    repo.commit(ROADMAP)
    repo.git("checkout", "-q", "-b", "feature")
    f1 = repo.tick("Ingestion", "Docs", author="bo")
    f2 = repo.tick("Ingestion", "API", author="bo")
    f3 = repo.tick("Tenant Management", "Docs", author="bo")
    f4 = repo.tick("Tenant Management", "Docs", done=False, author="bo")  # net: no change
    repo.git("checkout", "-q", "main")
    # Two lines away from the feature's net change: no conflict (adjacent rows would be).
    on_main = repo.tick("Policy Engine", "API", author="ada")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge feature", "feature", author="cy")
    merge = repo.git("rev-parse", "HEAD")

    changes = history(repo, since=repo.commits[0])
    assert [(c.commit, c.module, c.column, c.kind, c.author) for c in changes] == [
        (on_main, "Policy Engine", "API", "tick", "Ada Lovelace"),
        (merge, "Ingestion", "Docs", "tick", "Cy Merger"),
        (merge, "Ingestion", "API", "tick", "Cy Merger"),
    ]
    assert not {f1, f2, f3, f4} & {c.commit for c in history(repo)}
    assert changes[1].date == datetime(2026, 1, 1, 16, 0, tzinfo=UTC)  # when it landed
    # The branch's own history still has them, one by one.
    feature, _ = read_history(repo.path, "feature", PATH, repo.commits[0])
    assert [c.commit for c in feature] == [f1, f2, f3, f4]


def test_crlf_roadmap(repo: Repo) -> None:
    crlf = ROADMAP.replace("\n", "\r\n")
    repo.commit(crlf)
    repo.commit(tick(crlf, "Ingestion", "Tests"), author="bo")
    changes, model = read_history(repo.path, "main", PATH)
    assert summary(changes)[-1] == ("Ingestion", "Compute Modules", "Tests", "done", "tick")
    assert {c.group for c in changes} == {"Host Modules", "Compute Modules"}
    assert model.text() == repo.read()  # \r kept: the model is the file as git has it


def test_file_created_midway_deleted_and_created_again(repo: Repo) -> None:
    repo.commit("# Readme\n", path="README.md")
    created = repo.commit(ROADMAP)
    repo.commit("# Readme, longer\n", path="README.md")
    deleted = repo.commit(None, "Drop the roadmap")
    again = repo.commit(ROADMAP.replace("| Publish | [ ] | [x] | [ ] |\n", ""), author="bo")
    changes, model = read_history(repo.path, "main", PATH)
    assert [(c.commit, c.kind) for c in changes] == [
        *[(created, "module_added")] * 4,
        *[(deleted, "module_removed")] * 4,
        *[(again, "module_added")] * 3,
    ]
    assert model.commits_read == 3  # the README commits are not read
    assert model.head == repo.commits[-1]


def test_a_renamed_column(repo: Repo) -> None:
    repo.commit(ROADMAP)
    repo.commit(ROADMAP.replace("| Module | Docs | API | Tests |", "| Module | Docs | API | QA |"))
    repo.tick("Ingestion", "QA", author="bo")
    assert summary(history(repo, since=repo.commits[0])) == [
        ("Ingestion", "Compute Modules", "QA", "done", "tick")
    ]


def test_a_path_with_glob_characters_is_taken_literally(repo: Repo) -> None:
    odd = "docs/road[map] *.md"
    repo.commit(ROADMAP, path=odd)
    repo.commit(ROADMAP.replace("# Roadmap", "# Other"), path="docs/roadm.md")
    changes = history(repo, path=odd)
    assert len(changes) == 4
    assert history(repo, path="docs/road*.md") == []


def build_history(repo: Repo) -> None:
    repo.commit("# Readme\n", path="README.md")
    repo.commit(ROADMAP)
    repo.tick("Ingestion", "Docs", author="bo")
    repo.commit(
        ROADMAP.replace("| Module | Docs | API | Tests |", "| Module | Docs | API | QA |")
        .replace("| Ingestion | [ ] |", "| Ingestion | [x] |")
        .replace("| **Compute Modules** |", "| **Compute** |"),
        author="cy",
    )
    repo.tick("Publish", "QA", author="ada")
    repo.commit(repo.read().replace("| Tenant Management | [ ] | [ ] | - |\n", ""))
    repo.git("checkout", "-q", "-b", "side")
    repo.tick("Policy Engine", "API", author="bo")
    repo.git("checkout", "-q", "main")
    repo.tick("Publish", "Docs", author="ada")
    repo.git("merge", "-q", "--no-ff", "-m", "merge", "side", author="cy")
    repo.commits.append(repo.git("rev-parse", "HEAD"))
    repo.tick("Ingestion", "API", author="bo")


def test_reading_in_steps_gives_the_same_as_reading_at_once(repo: Repo) -> None:
    build_history(repo)
    full, final = read_history(repo.path, "main", PATH)
    main_line = repo.git("rev-list", "--first-parent", "--reverse", "main").split()
    for k, since in enumerate(main_line):
        # With the model from the blob at `since`, and with the model carried over.
        head, state = read_history(repo.path, since, PATH)
        rest, model = read_history(repo.path, "main", PATH, since)
        again, model2 = read_history(repo.path, "main", PATH, since, state)
        assert head + rest == full, k
        assert again == rest, k
        assert model.lines == final.lines == model2.lines


def test_the_model_agrees_with_parse_at_the_end(repo: Repo) -> None:
    build_history(repo)
    _, model = read_history(repo.path, "main", PATH)
    roadmap = parse(repo.read())
    assert model.text() == repo.read()
    for module in roadmap.modules:
        row = model.row(module.line - 1)
        assert row is not None, module.name
        assert (row.name, row.group, row.columns) == (module.name, module.group, roadmap.columns)
        assert row.states == tuple(c.state for c in module.cells)
    rows = [i for i in range(len(model.lines)) if model.row(i) is not None]
    assert len(rows) == len(roadmap.modules)


def test_nothing_new_reads_nothing(repo: Repo) -> None:
    repo.commit(ROADMAP)
    repo.commit("x\n", path="README.md")  # the tip moved, not the roadmap
    changes, model = read_history(repo.path, "main", PATH, repo.commits[-1])
    assert changes == []
    assert model.commits_read == 0
    assert model.head == repo.commits[-1]
    changes, model = read_history(repo.path, "main", PATH, repo.commits[0])
    assert changes == []
    assert model.commits_read == 0  # git log found no commit touching the file
    assert model.head == repo.commits[-1]


def test_on_first_parent_history(repo: Repo) -> None:
    build_history(repo)
    side = repo.git("rev-parse", "side")
    tip = repo.git("rev-parse", "main")
    main_line = repo.git("rev-list", "--first-parent", "main").split()
    assert all(on_first_parent_history(repo.path, c, tip) for c in main_line)
    assert not on_first_parent_history(repo.path, side, tip)
    assert not on_first_parent_history(repo.path, "0" * 40, tip)
    assert not on_first_parent_history(repo.path, tip, main_line[1])  # the branch went back


def test_a_bare_mirror_and_a_missing_branch(tmp_path: Path) -> None:
    from bot.repo.mirror import GitFailed

    work = make_repo(tmp_path / "w")
    work.commit(ROADMAP)
    bare = tmp_path / "bare.git"
    work.git("clone", "-q", "--bare", str(work.path), str(bare))
    changes, _ = read_history(bare, "main", PATH)
    assert len(changes) == 4
    with pytest.raises(GitFailed):
        read_history(bare, "nope", PATH)


def test_model_from_text_numbers_lines_like_git() -> None:
    assert FileModel.from_text("a\nb\n").lines == ["a", "b"]
    assert FileModel.from_text("a\nb").lines == ["a", "b"]
    assert FileModel.from_text("").lines == []


LEGEND_ROADMAP = """\
# Docs status

**Documentation Status**
🟢 = Ready
🔴 = Pending
⚪ = Not applicable

| Module | Index | API |
|---|---|---|
| **Host Modules** | | |
| Tenant Management | 🟢 | 🔴 |
| Ingestion | 🔴 | ⚪ |
"""


def test_history_reads_cells_with_the_files_own_legend(repo: Repo) -> None:
    # 🟢/🔴 mean nothing by default and ⚪ is open by default; here the legend says.
    repo.commit(LEGEND_ROADMAP)
    ticked = LEGEND_ROADMAP.replace("| Ingestion | 🔴 | ⚪ |", "| Ingestion | 🟢 | ⚪ |")
    t1 = repo.commit(ticked, "Ingestion index ready")
    # The legend grows a symbol, and the next commit uses it: 🟣 was not a status before.
    grown = ticked.replace("🔴 = Pending\n", "🔴 = Pending\n🟣 = Done\n")
    repo.commit(grown, "legend: 🟣")
    done = grown.replace("| Tenant Management | 🟢 | 🔴 |", "| Tenant Management | 🟢 | 🟣 |")
    t2 = repo.commit(done, "Tenant Management API done")
    # n/a by the legend: ⚪ -> 🔴 is neither a tick nor an untick (open <-> n/a).
    repo.commit(done.replace("| Ingestion | 🟢 | ⚪ |", "| Ingestion | 🟢 | 🔴 |"))

    changes = [c for c in history(repo) if c.kind in ("tick", "untick")]
    assert summary(changes) == [
        ("Ingestion", "Host Modules", "Index", "done", "tick"),
        ("Tenant Management", "Host Modules", "API", "done", "tick"),
    ]
    assert [c.commit for c in changes] == [t1, t2]

    _, model = read_history(repo.path, "main", PATH)
    roadmap = parse(repo.read())
    assert model.vocabulary == roadmap.vocabulary
    for module in roadmap.modules:
        row = model.row(module.line - 1)
        assert row is not None and row.states == tuple(c.state for c in module.cells)
