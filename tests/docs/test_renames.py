"""Renamed modules: one `module-renamed` instead of a `module-missing` row and a
`module-not-in-roadmap` nav section, from git's renames or, without git, from the names."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from bot.docs import report as report_module
from bot.docs import tree as tree_module
from bot.docs.inputs import find_inputs, run_drift
from bot.docs.renames import Lost, Rename, Unnamed, pair, parse_log
from bot.docs.tree import GitTree, WorkTree

from .conftest import git_commit, write
from .sites import page
from .test_drift_cli import drift as run_cli

ROADMAP = """\
# Roadmap

| Module   | Index | Data Model | API |
|----------|-------|------------|-----|
| **Storage Modules** |  |       |     |
| Calendar | [x]   | [x]        | [ ] |
| Ledger   | [x]   | [ ]        | [ ] |
| **Data Store Modules** | |     |     |
| Raw Store | [x]  | [ ]        | [ ] |
| Archive  | [ ]   | [ ]        | [ ] |
"""


def mkdocs(calendar: str, ledger: str = "Ledger", extra: str = "") -> str:
    """The nav with the Calendar section given as YAML lines (already indented)."""
    return f"""\
site_name: Docs
site_url: https://docs.example.com/
nav:
  - Roadmap: roadmap.md
  - Modules:
      - Storage:
          - {ledger}:
              - modules/storage/ledger/index.md
{extra}      - Data Store:
          - Raw Store:
              - modules/data-store/raw-store/index.md
{calendar}"""


V1_CALENDAR_STORAGE = """\
          - Calendar:
              - modules/storage/calendar/index.md
              - Data Model: modules/storage/calendar/data-model.md
              - API: modules/storage/calendar/api.md
"""


def first_version() -> dict[str, str]:
    # Calendar under Storage (the v1 nav puts it after Data Store's modules, under Storage).
    nav = mkdocs("").replace(
        "      - Data Store:\n", V1_CALENDAR_STORAGE + "      - Data Store:\n", 1
    )
    return {
        "mkdocs.yml": nav,
        "docs/roadmap.md": ROADMAP,
        "docs/modules/storage/ledger/index.md": page("Ledger"),
        "docs/modules/storage/calendar/index.md": page("Calendar"),
        "docs/modules/storage/calendar/data-model.md": page("Data Model"),
        "docs/modules/storage/calendar/api.md": page("API"),
        "docs/modules/data-store/raw-store/index.md": page("Raw Store"),
    }


def renamed_nav(title: str, directory: str) -> str:
    """Calendar's section renamed `title` and moved under Data Store, in `directory`; an
    unrelated new module (Billing Exports) under Storage that no row names."""
    d = f"modules/data-store/{directory}"
    section = (
        f"          - {title}:\n"
        f"              - {d}/index.md\n"
        f"              - Data Model: {d}/data-model.md\n"
        f"              - API: {d}/api.md\n"
    )
    extra = "          - Billing Exports:\n              - modules/storage/billing/index.md\n"
    return mkdocs(section, extra=extra)


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(root), *args], check=True, capture_output=True, text=True
    ).stdout


def rename_in_git(root: Path, title: str, directory: str) -> str:
    """v1 committed, then Calendar's directory `git mv`ed and the nav changed: the commit."""
    write(root, first_version())
    git_commit(root)
    (root / "docs/modules/data-store").mkdir(parents=True, exist_ok=True)
    git(root, "mv", "docs/modules/storage/calendar", f"docs/modules/data-store/{directory}")
    write(
        root,
        {
            "mkdocs.yml": renamed_nav(title, directory),
            "docs/modules/storage/billing/index.md": page("Billing Exports"),
        },
    )
    return git_commit(root)


def the_work_tree(root: Path, title: str, directory: str) -> None:
    """The same site as after the rename, written into a directory that is no repository."""
    files = {k: v for k, v in first_version().items() if "/calendar/" not in k}
    d = f"docs/modules/data-store/{directory}"
    files |= {
        "mkdocs.yml": renamed_nav(title, directory),
        "docs/modules/storage/billing/index.md": page("Billing Exports"),
        f"{d}/index.md": page(title),
        f"{d}/data-model.md": page("Data Model"),
        f"{d}/api.md": page("API"),
    }
    write(root, files)


def findings(tree: GitTree | WorkTree) -> list[dict]:
    tree_module._LISTINGS.clear()
    r = run_drift(tree, find_inputs(tree, env={}), env={})
    return report_module.as_json(r)["findings"]


def about(found: list[dict], module: str) -> list[tuple[str, str]]:
    return [(f["kind"], f["severity"]) for f in found if f["module"] == module]


def kinds(found: list[dict]) -> list[str]:
    return sorted(f["kind"] for f in found)


def test_a_section_renamed_and_moved_in_git_is_one_error_naming_the_commit(
    tmp_path: Path,
) -> None:
    # "Scheduling" shares no word with "Calendar": only git's history can tell.
    sha = rename_in_git(tmp_path, "Scheduling", "scheduling")
    for tree in (WorkTree(tmp_path), GitTree(tmp_path, "HEAD")):
        found = findings(tree)
        assert about(found, "Calendar") == [
            ("module-renamed", "error"),
            ("open-but-ready", "warning"),  # API: open, its page written under the new name
        ], found
        f = next(f for f in found if f["kind"] == "module-renamed")
        assert f["message"] == (
            f"Calendar is 'Scheduling' under 'Data Store' in the nav now (renamed in {sha[:7]}: "
            "docs/modules/storage/calendar/ → docs/modules/data-store/scheduling/)"
        )
        assert f["suggestion"] == (
            "rename the row to 'Scheduling' and move it to 'Data Store Modules', "
            "or add drift.aliases.modules"
        )
        assert f["page"] == "docs/modules/data-store/scheduling/index.md"
        assert f["nav_line"] == 14 and f["roadmap_line"] == 6
        # The section the row became is no stray nav module; the ticked cells found their
        # pages under the new name (no ticked-missing), the open API cell is ready.
        nav_titles = [f["message"] for f in found if f["kind"] == "module-not-in-roadmap"]
        assert nav_titles == [
            "the nav has 'Billing Exports' under 'Storage', which no roadmap row names"
        ]
        # The unrelated pair is not joined: Archive stays missing, Billing Exports stray.
        assert about(found, "Archive") == [("module-missing", "warning")]
        assert kinds(found) == [
            "module-missing",
            "module-not-in-roadmap",
            "module-renamed",
            "open-but-ready",
        ]


def test_without_git_the_same_unrelated_names_stay_two_findings(tmp_path: Path) -> None:
    the_work_tree(tmp_path, "Scheduling", "scheduling")
    found = findings(WorkTree(tmp_path))
    assert about(found, "Calendar") == [("module-missing", "error")]
    strays = [f["message"] for f in found if f["kind"] == "module-not-in-roadmap"]
    assert len(strays) == 2 and "module-renamed" not in kinds(found)


def test_without_git_a_name_that_holds_the_old_one_is_a_rename(tmp_path: Path) -> None:
    the_work_tree(tmp_path, "GDP Calendar", "gdp-calendar")
    found = findings(WorkTree(tmp_path))
    assert about(found, "Calendar") == [
        ("module-renamed", "error"),
        ("open-but-ready", "warning"),
    ], found
    f = next(f for f in found if f["kind"] == "module-renamed")
    assert f["message"] == (
        "Calendar is 'GDP Calendar' under 'Data Store' in the nav now "
        "(no nav item is named 'Calendar' and no row names 'GDP Calendar')"
    )
    assert about(found, "Archive") == [("module-missing", "warning")]
    assert kinds(found).count("module-not-in-roadmap") == 1
    assert "ticked-missing" not in kinds(found)


def test_a_rename_with_nothing_ticked_is_a_warning(tmp_path: Path) -> None:
    the_work_tree(tmp_path, "GDP Calendar", "gdp-calendar")
    roadmap = tmp_path / "docs/roadmap.md"
    roadmap.write_text(
        roadmap.read_text().replace("| Calendar | [x]   | [x]", "| Calendar | [ ]   | [ ]")
    )
    found = findings(WorkTree(tmp_path))
    assert ("module-renamed", "warning") in about(found, "Calendar")


def test_a_near_miss_is_still_a_name_that_differs(tmp_path: Path) -> None:
    sha = rename_in_git(tmp_path, "Calendars", "calendars")
    assert sha
    found = findings(GitTree(tmp_path, "HEAD"))
    assert ("module-name-differs", "warning") in about(found, "Calendar")
    assert "module-renamed" not in kinds(found)


def test_the_cli_says_it_in_text_json_and_github(tmp_path: Path, capsys) -> None:
    sha = rename_in_git(tmp_path, "Scheduling", "scheduling")
    code, out, _ = run_cli(tmp_path, capsys=capsys)
    assert code == 1
    assert "error    module-renamed         docs/roadmap.md:6  mkdocs.yml:14" in out
    assert f"{sha[:7]}: docs/modules/storage/calendar/ →" in out
    code, out, _ = run_cli(tmp_path, "--json", capsys=capsys)
    assert json.loads(out)["findings"][0]["kind"] == "module-renamed"
    code, out, _ = run_cli(tmp_path, "--format", "github", capsys=capsys)
    assert "::error file=docs/roadmap.md,line=6,title=module-renamed::Calendar is" in out


def test_a_chain_of_renames_is_followed_to_the_last_name() -> None:
    renames = [
        Rename("c1", "docs/m/storage/calendar/index.md", "docs/m/storage/cal/index.md"),
        Rename("c2", "docs/m/storage/cal/index.md", "docs/m/data/dates/index.md"),
    ]
    lost = [Lost(0, "Calendar", "calendar")]
    unnamed = [
        Unnamed(1, "Dates", "m/data/dates", frozenset({"m/data/dates/index.md"})),
        Unnamed(2, "Other", "m/data/other", frozenset({"m/data/other/index.md"})),
    ]
    (found,) = pair(lost, unnamed, renames, "docs")
    assert (found.unnamed, found.commits) == (1, ("c1", "c2"))
    assert (found.old, found.new) == ("m/storage/calendar", "m/data/dates")


def test_names_pair_only_when_one_fits_each_side() -> None:
    lost = [Lost(0, "Calendar", "calendar"), Lost(1, "Tenant Management", "tenant-management")]
    unnamed = [
        Unnamed(10, "GDP Calendar", None, frozenset()),
        Unnamed(11, "Calendar Sync", None, frozenset()),  # two fit Calendar: no guess
        Unnamed(12, "User Management", None, frozenset()),  # one shared word is not enough
        Unnamed(13, "Lineage", "m/tenant-management-v2", frozenset()),  # its directory names it
    ]
    assert [(p.lost, p.unnamed) for p in pair(lost, unnamed)] == [(1, 13)]
    assert pair([Lost(0, "Lineage Obligations", "lineage-obligations")], unnamed[2:3]) == []


def test_git_log_output_is_parsed() -> None:
    text = (
        "\0commit aaa\0\nR100\0docs/a.md\0docs/b.md\0R087\0docs/c d.md\0docs/e.md\0"
        "\0commit bbb\0\nR100\0x\0y\0"
    )
    assert parse_log(text) == [
        Rename("aaa", "docs/a.md", "docs/b.md"),
        Rename("aaa", "docs/c d.md", "docs/e.md"),
        Rename("bbb", "x", "y"),
    ]


def test_git_is_read_only_when_a_row_and_a_nav_module_could_pair(
    tmp_path: Path, monkeypatch
) -> None:
    import bot.docs.inputs as inputs_module
    from bot.docs import renames

    calls: list[str] = []

    def counted(tree, docs_dir):  # type: ignore[no-untyped-def]
        calls.append(docs_dir)
        return renames.history_renames(tree, docs_dir)

    monkeypatch.setattr(inputs_module, "history_renames", counted)
    write(tmp_path, first_version())
    git_commit(tmp_path)
    assert "module-renamed" not in kinds(findings(GitTree(tmp_path, "HEAD")))
    assert calls == []  # Archive is missing, but no nav module is left over for it
    rename_in_git(tmp_path, "Scheduling", "scheduling")
    assert "module-renamed" in kinds(findings(GitTree(tmp_path, "HEAD")))
    assert calls == ["docs"]


def test_serve_reads_the_renames_from_a_bare_mirror(tmp_path: Path) -> None:
    site = tmp_path / "site"
    sha = rename_in_git(site, "Scheduling", "scheduling")
    mirror = tmp_path / "mirror.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(site), str(mirror)], check=True)
    found = findings(GitTree(mirror, sha))
    f = next(f for f in found if f["kind"] == "module-renamed")
    assert f"renamed in {sha[:7]}:" in f["message"]


def test_git_splits_and_merges_are_not_renames_and_not_left_to_the_names() -> None:
    unnamed = [
        Unnamed(10, "GDP Calendar", "m/gdp-calendar", frozenset({"m/gdp-calendar/index.md"})),
        Unnamed(11, "Dates", "m/dates", frozenset({"m/dates/api.md"})),
        Unnamed(12, "Agenda", "m/agenda", frozenset({"m/agenda/index.md"})),
    ]
    split = [
        Rename("c1", "docs/m/calendar/index.md", "docs/m/agenda/index.md"),
        Rename("c1", "docs/m/calendar/api.md", "docs/m/dates/api.md"),
    ]
    lost = [Lost(0, "Calendar", "calendar")]
    assert pair(lost, unnamed, split, "docs") == []  # the names alone would pair it with 10
    assert [p.unnamed for p in pair(lost, unnamed, (), "docs")] == [10]
    # A page renamed inside the module's own directory says nothing about the module.
    inside = [Rename("c1", "docs/m/calendar/api.md", "docs/m/calendar/dates-api.md")]
    odd = [*unnamed[:2], Unnamed(12, "Agenda", "m/agenda", frozenset({"m/calendar/dates-api.md"}))]
    assert [(p.unnamed, p.commits) for p in pair(lost, odd, inside, "docs")] == [(10, ())]
    merged = [
        Rename("c1", "docs/m/calendar/index.md", "docs/m/gdp-calendar/index.md"),
        Rename("c1", "docs/m/calendar-sync/index.md", "docs/m/gdp-calendar/sync.md"),
    ]
    both = [*lost, Lost(1, "Calendar Sync", "calendar-sync")]
    pages = frozenset({"m/gdp-calendar/index.md", "m/gdp-calendar/sync.md"})
    unnamed[0] = Unnamed(10, "GDP Calendar", "m/gdp-calendar", pages)
    assert pair(both, unnamed, merged, "docs") == []


def test_a_single_page_module_renamed_in_git() -> None:
    renames = [Rename("c1", "docs/m/storage/calendar.md", "docs/m/data/dates.md")]
    unnamed = [Unnamed(1, "Dates", "m/data/dates", frozenset({"m/data/dates.md"}))]
    (found,) = pair([Lost(0, "Calendar", "calendar")], unnamed, renames, "docs")
    assert (found.old, found.new) == ("m/storage/calendar.md", "m/data/dates.md")
    assert found.commits == ("c1",)
    # Outside docs_dir is no page of the site.
    assert pair([Lost(0, "Calendar", "calendar")], unnamed, renames, "site") == []
