"""`roadmap-bot drift` end to end on generated sites in temp git repositories."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import pytest

from bot.docs import command
from bot.docs.inputs import find_inputs, run_drift
from bot.docs.tree import GitTree, WorkTree

from .conftest import git_commit, write
from .sites import clean_site, drifted_site, page

ALL_KINDS = {
    "ticked-missing",
    "ticked-stub",
    "module-missing",
    "broken-link",
    "ticked-not-in-nav",
    "open-but-ready",
    "nav-target-missing",
    "module-not-in-nav",
    "module-not-in-roadmap",
    "module-wrong-group",
    "group-not-in-nav",
    "group-not-in-roadmap",
    "group-name-differs",
    "module-name-differs",
    "link-outside-docs",
    "roadmap-not-in-nav",
    "nav-plugin",
    "nav-include",
    "config-env",
    "open-not-in-nav",
    "na-but-page",
}


def drift(cwd: Path, *argv: str, capsys) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="roadmap-bot")
    command.add_parser(parser.add_subparsers())
    args = parser.parse_args(["drift", *argv])
    old = Path.cwd()
    os.chdir(cwd)
    try:
        code = args.run(args)
    finally:
        os.chdir(old)
    out = capsys.readouterr()
    return code, out.out, out.err


def findings(cwd: Path, capsys, *argv: str) -> tuple[int, list[dict]]:
    code, out, err = drift(cwd, "--json", *argv, capsys=capsys)
    assert not err, err
    return code, json.loads(out)["findings"]


def by_kind(found: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for f in found:
        out.setdefault(f["kind"], []).append(f)
    return out


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    write(tmp_path, clean_site())
    git_commit(tmp_path)
    return tmp_path


@pytest.fixture
def drifted(tmp_path: Path) -> Path:
    write(tmp_path, drifted_site())
    git_commit(tmp_path)
    return tmp_path


def test_default_layout_works_from_the_repo_root_with_no_config(clean: Path, capsys) -> None:
    code, found = findings(clean, capsys)
    kinds = by_kind(found)
    # Tenant Management's Data Model page is a stub and its box is open: consistent.
    # Engineering Wiring has no pages anywhere, and no box there is ticked but Policy Engine's.
    assert [f["column"] for f in kinds.pop("ticked-missing")] == ["Engineering Wiring"]
    assert kinds == {}
    assert code == 1


def test_default_layout_is_clean_once_tracks_are_configured(clean: Path, capsys) -> None:
    write(
        clean, {".roadmap-bot.yml": "drift:\n  columns:\n    Engineering Wiring: {kind: track}\n"}
    )
    code, out, _err = drift(clean, capsys=capsys)
    assert code == 0, out
    assert out.splitlines()[-1] == "0 errors, 0 warnings, 0 info"
    assert "nav root 'Modules'" in out


def test_every_finding_kind_on_a_drifted_site(drifted: Path, capsys) -> None:
    code, out, _ = drift(drifted, "--json", capsys=capsys)
    data = json.loads(out)
    assert set(data) == {
        "roadmap",
        "mkdocs",
        "docs_dir",
        "nav_root",
        "commit",
        "counts",
        "findings",
    }
    assert data["counts"] == {"error": 4, "warning": 17, "info": 3}
    assert set(data["findings"][0]) >= {
        "kind",
        "severity",
        "group",
        "module",
        "column",
        "roadmap_line",
        "page",
        "nav_line",
        "url",
        "message",
        "suggestion",
    }
    found = data["findings"]
    kinds = by_kind(found)
    assert code == 1

    def one(kind: str, **where: object) -> dict:
        hits = [f for f in kinds.get(kind, []) if all(f[k] == v for k, v in where.items())]
        assert len(hits) == 1, (kind, where, kinds.get(kind))
        return hits[0]

    f = one("ticked-missing", module="Policy Engine", column="Runbook")
    assert f["severity"] == "error" and f["nav_line"] == 14 and f["roadmap_line"] == 9
    assert f["page"] == "docs/modules/host/policy-engine/runbook.md"
    f = one("ticked-stub", module="Policy Engine", column="Data Model")
    assert "1 word" in f["message"]
    f = one("broken-link")
    assert f["roadmap_line"] == 3
    assert f["suggestion"] == "did you mean ../policies/dependency-guard.md?"
    f = one("module-missing", module="Lineage Obligations")
    assert f["severity"] == "error" and "ticked: Index" in f["message"]
    f = one("module-missing", module="Secrets")
    assert f["severity"] == "warning"
    f = one("open-but-ready", module="Tenant Management", column="API")
    assert f["page"] == "docs/modules/host/tenant-management/tenant-management-apis.md"
    assert (
        f["url"]
        == "https://docs.example.com/modules/host/tenant-management/tenant-management-apis/"
    )
    f = one("nav-target-missing", module="Ingestion", column="API")
    assert "case-sensitive" in f["suggestion"]
    one("nav-target-missing", module="Ingestion", column="Runbook")
    one("module-not-in-nav", module="Scheduler")
    one("module-not-in-roadmap")["message"].index("Legacy Gateway")
    f = one("module-wrong-group", module="Normalization")
    assert "'Host'" in f["message"]
    one("group-not-in-nav", group="Trust Modules")
    assert "Experimental" in one("group-not-in-roadmap")["message"]
    one("group-name-differs", group="Data Storage Modules")
    f = one("module-name-differs", module="KPI Build")
    assert "KPI Builds" in f["message"]
    one("link-outside-docs")
    one("roadmap-not-in-nav")
    one("nav-include")
    one("config-env")
    one("open-not-in-nav", module="Tenant Management", column="Data Model")
    one("na-but-page", module="Ingestion", column="Data Model")
    f = one("ticked-not-in-nav", module="Tenant Management", column="Runbook")
    assert f["severity"] == "warning"
    # A stub behind a near-miss name, and a page with 'TBD': consistent while the box is open.
    assert not [x for x in found if x["module"] in ("KPI Build", "Raw Store") and x["column"]]

    # and nav-plugin, on the same site built by a plugin drift does not read
    write(drifted, {"mkdocs.yml": "plugins: [awesome-nav]\n" + drifted_site()["mkdocs.yml"]})
    _, plugin_found = findings(drifted, capsys)
    assert {f["kind"] for f in found} | {f["kind"] for f in plugin_found} == ALL_KINDS


def test_order_is_worst_first_and_text_fits_80_columns(drifted: Path, capsys) -> None:
    code, out, _ = drift(drifted, capsys=capsys)
    lines = out.splitlines()
    assert code == 1
    assert max(len(line) for line in lines) <= 80
    assert lines[0].startswith("error")
    assert lines[-1] == "4 errors, 17 warnings, 3 info"
    severities = [ln.split()[0] for ln in lines[:-2] if not ln.startswith(" ")]
    order = {"error": 0, "warning": 1, "info": 2}
    assert severities == sorted(severities, key=order.__getitem__)


def test_github_annotations(drifted: Path, capsys) -> None:
    code, out, err = drift(drifted, "--format", "github", capsys=capsys)
    assert code == 1
    assert (
        "::error file=docs/engineering/roadmap.md,line=9,title=ticked-missing::"
        "Policy Engine / Runbook is ticked" in out
    )
    assert "::warning file=mkdocs.yml,line=6,title=link-outside-docs::" in out
    assert "::notice " in out
    assert "errors" in err


def test_exit_codes_and_strict(clean: Path, capsys) -> None:
    write(
        clean, {".roadmap-bot.yml": "drift:\n  columns:\n    Engineering Wiring: {kind: track}\n"}
    )
    write(clean, {"docs/modules/host/tenant-management/api.md": page("API")})
    code, found = findings(clean, capsys)
    assert code == 0 and [f["kind"] for f in found] == ["open-not-in-nav"]
    assert findings(clean, capsys, "--strict")[0] == 0
    write(
        clean,
        {
            "mkdocs.yml": clean_site()["mkdocs.yml"].replace(
                "              - Overview: modules/host/tenant-management/index.md\n",
                "              - Overview: modules/host/tenant-management/index.md\n"
                "              - API: modules/host/tenant-management/api.md\n",
            )
        },
    )
    code, found = findings(clean, capsys)
    assert code == 0 and [f["kind"] for f in found] == ["open-but-ready"]
    assert findings(clean, capsys, "--strict")[0] == 1


def test_a_config_for_a_different_layout(tmp_path: Path, capsys) -> None:
    write(
        tmp_path,
        {
            ".roadmap-bot.yml": "drift:\n"
            "  roadmap: handbook/plan.md\n"
            "  nav_root: Components\n"
            "  path: 'components/{group}/{module}/{column}.md'\n"
            "  group_slug_strip: [' Area']\n"
            "  columns:\n"
            "    Index: {file: readme, titles: [Summary]}\n"
            "    UI: {file: ui, titles: [User Interface]}\n"
            "    Engineering Wiring: {kind: track}\n"
            "  aliases:\n"
            "    modules: {Calendar: components/storage/gdp-calendar}\n"
            "    groups: {Data Storage Area: Data Store}\n"
            "  stub: {min_words: 3}\n"
            "  ignore: ['components/drafts/**']\n",
            "mkdocs.yml": "docs_dir: site\nnav:\n  - Components:\n"
            "      - Data Store:\n"
            "          - GDP Calendar:\n"
            "              - Summary: components/storage/gdp-calendar/readme.md\n"
            "              - User Interface: components/storage/gdp-calendar/screens.md\n"
            "      - Drafts:\n          - components/drafts/x.md\n",
            "handbook/plan.md": "| Module | Index | UI | Engineering Wiring |\n|---|---|---|---|\n"
            "| **Data Storage Area** | | | |\n| Calendar | [x] | [ ] | [x] |\n",
            "site/components/storage/gdp-calendar/readme.md": "# GDP Calendar\n\nShort but done.\n",
            "site/components/storage/gdp-calendar/screens.md": "# Screens\n\nThree words here.\n",
            "site/components/drafts/x.md": "# X\n",
        },
    )
    git_commit(tmp_path)
    code, found = findings(tmp_path, capsys)
    assert [(f["kind"], f["module"], f["column"]) for f in found] == [
        ("open-but-ready", "Calendar", "UI")
    ]
    assert code == 0


def test_python_object_apply_in_the_config_runs_nothing(clean: Path, capsys) -> None:
    marker = clean / "owned"
    evil = (
        f"hooks: !!python/object/apply:os.system ['touch {marker}']\n"
        f"x: !!python/object/new:os.system ['touch {marker}']\n"
        f"y: !!python/name:os.system\n"
    )
    write(clean, {"mkdocs.yml": evil + clean_site()["mkdocs.yml"]})
    write(clean, {".roadmap-bot.yml": f"z: !!python/object/apply:os.system ['touch {marker}']\n"})
    _code, found = findings(clean, capsys)
    assert not marker.exists()
    assert {f["kind"] for f in found} == {"ticked-missing"}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"mkdocs.yml": None}, "no mkdocs.yml, mkdocs.yaml or zensical.toml"),
        ({"mkdocs.yml": "docs_dir: nowhere\n"}, "docs_dir nowhere/ does not exist"),
        ({"mkdocs.yml": "nav:\n  - [a\n"}, "mkdocs.yml:3:"),
        ({"mkdocs.yml": "a: " + "x" * (1 << 20)}, "the limit is 1,048,576"),
        ({"mkdocs.yml": "INHERIT: mkdocs.yml\n"}, "INHERIT cycle"),
        ({".roadmap-bot.yml": "drift:\n  stub: {min_words: -1}\n"}, ".roadmap-bot.yml:2:"),
        ({"docs/engineering/roadmap.md": "# nothing\n"}, "no checklist table"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(clean: Path, capsys, change, expected) -> None:
    for rel, text in change.items():
        if text is None:
            (clean / rel).unlink()
        else:
            write(clean, {rel: text})
    code, out, err = drift(clean, capsys=capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and expected in err, err


def test_an_alias_bomb_is_an_error_not_a_hang(clean: Path, capsys) -> None:
    lines = ["a0: &a0 [x.md, x.md, x.md, x.md, x.md, x.md, x.md, x.md, x.md, x.md]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    write(clean, {"mkdocs.yml": "\n".join(lines) + "\nnav: [*a8]\n"})
    code, _, err = drift(clean, capsys=capsys)
    assert code == 2 and "alias bomb" in err


def test_nav_outside_docs_dir_is_a_warning(clean: Path, capsys) -> None:
    write(
        clean,
        {
            ".roadmap-bot.yml": "drift:\n  columns:\n    Engineering Wiring: {kind: track}\n",
            "mkdocs.yml": clean_site()["mkdocs.yml"] + "  - Outside: ../../etc/passwd\n",
        },
    )
    code, found = findings(clean, capsys)
    assert [f["kind"] for f in found] == ["link-outside-docs"] and code == 0


def test_explicit_paths_and_docs_dir_override(clean: Path, capsys, tmp_path: Path) -> None:
    elsewhere = clean / "sub"
    elsewhere.mkdir()
    code, out, _err = drift(
        elsewhere,
        "--roadmap",
        "../docs/engineering/roadmap.md",
        "--mkdocs",
        "../mkdocs.yml",
        "--docs-dir",
        "../docs",
        "--json",
        capsys=capsys,
    )
    assert code == 1 and json.loads(out)["docs_dir"] == "docs"


def test_git_tree_gives_the_same_findings_as_the_work_tree(drifted: Path) -> None:
    commit = git_commit(drifted)
    work = WorkTree(drifted)
    git = GitTree(drifted, commit)
    assert git.paths() == work.paths()
    (drifted / "docs/index.md").unlink()  # the work tree moves on; the commit does not
    env: dict[str, str] = {}
    a = run_drift(git, find_inputs(git, env=env), env=env, commit=commit)
    write(drifted, {"docs/index.md": page("Home")})
    b = run_drift(work, find_inputs(work, env=env), env=env)
    assert a.findings == b.findings and a.findings
    assert a.commit == commit
    again = GitTree(drifted, "HEAD")
    assert again._listing is git._listing  # cached per tree SHA
