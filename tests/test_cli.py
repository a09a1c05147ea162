"""The command line as a person or a script uses it: real files, real git, exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import COMMANDS, main, parser

ENV_NAMES = ("ROADMAP_REPO", "ROADMAP_PATH", "ROADMAP_BRANCH", "PORT", "DATABASE_URL")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env file


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


@pytest.fixture
def roadmap_file(tmp_path: Path, example_text: str) -> Path:
    path = tmp_path / "docs" / "roadmap.md"
    path.parent.mkdir()
    path.write_text(example_text, encoding="utf-8", newline="")
    return path


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture
def work_tree(roadmap_file: Path) -> Path:
    root = roadmap_file.parent.parent
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Dana Docs")
    git(root, "config", "user.email", "dana@example.com")
    git(root, "add", "docs/roadmap.md")
    git(root, "commit", "-q", "-m", "roadmap")
    return root


# --- reading the bundled example -----------------------------------------------------------


def test_show_module_json_on_the_bundled_example(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "show", "Ingestion", "--json")
    assert code == 0
    assert "bundled example" in err
    data = json.loads(out)
    assert data["name"] == "Ingestion"
    assert data["group"] == "Compute Modules"
    assert (data["done"], data["total"]) == (0, 7)
    assert set(data["cells"].values()) == {"open"}
    assert [b["group"] for b in data["blockers"]] == [
        "Access Modules",
        "Security Modules",
        "Host Modules",
        "Data Utilities Modules",
        "Data Storage Modules",
        "Runtime Modules",
    ]
    access = data["blockers"][0]["modules"]
    assert access == ["Authentication", "Authorization", "Subscription Enforcement"]
    assert "Policy Engine" not in data["blockers"][2]["modules"]  # done: blocks nothing


def test_show_whole_roadmap_json(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "show")
    assert isinstance(data, dict)
    assert data["columns"][0] == "Index" and len(data["columns"]) == 7
    assert data["dependency_order"][0] == "Access Modules"
    assert len(data["groups"]) == 10
    host = data["groups"][0]
    assert host["name"] == "Host Modules"
    assert host["modules"][0] == {
        "name": "Policy Engine",
        "cells": dict.fromkeys(data["columns"], "done"),
        "done": 7,
        "total": 7,
    }
    assert data["warnings"] == []


def test_policy_engine_is_done(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "show", "policy engine")
    assert isinstance(data, dict)
    assert (data["done"], data["total"]) == (7, 7)
    # Done, yet its group (Host, third in the order) is still behind Access and Security.
    assert [b["group"] for b in data["blockers"]] == ["Access Modules", "Security Modules"]


def test_next_json(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "next")
    assert data == {
        "modules": [
            {"name": n, "group": "Access Modules", "done": 0, "total": 7}
            for n in ("Authentication", "Authorization", "Subscription Enforcement")
        ]
    }


def test_blockers_text_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "blockers", "ingestion")
    assert code == 0
    assert "Runtime Modules" in out and "Authentication" in out
    data = run_json(capsys, "blockers", "Authentication")
    assert data == {"name": "Authentication", "group": "Access Modules", "blockers": []}


def test_show_a_group(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "show", "Host Modules")
    assert isinstance(data, dict)
    assert data["name"] == "Host Modules" and (data["done"], data["total"]) == (7, 28)
    assert [b["group"] for b in data["blockers"]] == ["Access Modules", "Security Modules"]


def test_terminal_rendering(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "show", "Ingestion")
    assert code == 0
    assert "Ingestion" in out and "0/7" in out and "Blocked by" in out
    assert "Establish Host and Utilities before Compute." in out
    code, out, _ = run(capsys, "show")
    assert code == 0 and "Policy Engine" in out and "7/259" in out


# --- failed lookups and bad input: exit 2, one line, nothing written --------------------------


def test_unknown_module_suggests(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "show", "Catalg")
    assert code == 2 and out == ""
    line = err.strip().splitlines()[-1]
    assert "no module 'Catalg'" in line and "Catalog" in line


def test_ambiguous_module_lists_candidates(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "blockers", "Action")
    assert code == 2
    line = err.strip().splitlines()[-1]
    for name in ("Action Engine", "Action Catalog", "Action Delivery"):
        assert name in line


def test_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "show", "--roadmap", str(tmp_path / "nope.md"))
    assert code == 2
    assert "nope.md" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_not_utf8_names_file_and_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"# Roadmap\n\n| a | b |\n|---|---|\n| x\xff | [ ] |\n")
    code, _, err = run(capsys, "check", "--roadmap", str(bad))
    assert code == 2
    assert "bad.md:5" in err and "UTF-8" in err


def test_no_checklist_table(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "plain.md"
    path.write_text("# Notes\n\n```\n| a | b |\n|---|---|\n| x | [ ] |\n```\n")
    code, _, err = run(capsys, "show", "--roadmap", str(path))
    assert code == 2 and "plain.md" in err and "no checklist table" in err


def test_bad_setting_names_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROADMAP_REFRESH_SECONDS", "soon")
    code, _, err = run(capsys, "show")
    assert code == 2 and "ROADMAP_REFRESH_SECONDS" in err


# --- check --------------------------------------------------------------------------------------


def test_check_clean_and_strict(capsys: pytest.CaptureFixture[str], roadmap_file: Path) -> None:
    assert run(capsys, "check", "--roadmap", str(roadmap_file), "--strict")[0] == 0
    text = roadmap_file.read_text(encoding="utf-8")
    roadmap_file.write_text(
        text.replace("| Ingestion                  | [ ]", "| Ingestion | maybe")
    )
    code, out, _ = run(capsys, "check", "--roadmap", str(roadmap_file))
    assert code == 0
    assert f"{roadmap_file}:29: warning: Ingestion / Index: unknown cell text 'maybe'" in out
    assert run(capsys, "check", "--roadmap", str(roadmap_file), "--strict")[0] == 1


# --- tick -----------------------------------------------------------------------------------


def test_tick_changes_one_byte_and_untick_restores(
    capsys: pytest.CaptureFixture[str], roadmap_file: Path
) -> None:
    before = roadmap_file.read_bytes()
    code, out, _ = run(capsys, "tick", "Ingestion", "api", "--roadmap", str(roadmap_file))
    assert code == 0 and "ticked Ingestion / API" in out
    after = roadmap_file.read_bytes()
    assert len(after) == len(before)
    assert sum(a != b for a, b in zip(before, after, strict=True)) == 1
    data = run_json(capsys, "show", "Ingestion", "--roadmap", str(roadmap_file))
    assert isinstance(data, dict) and data["cells"]["API"] == "done" and data["done"] == 1

    code, out, _ = run(capsys, "tick", "Ingestion", "API", "--roadmap", str(roadmap_file))
    assert code == 0 and "already done" in out
    assert roadmap_file.read_bytes() == after

    code, _, _ = run(capsys, "tick", "Ingestion", "API", "--untick", "--roadmap", str(roadmap_file))
    assert code == 0
    assert roadmap_file.read_bytes() == before


def test_tick_crlf_file_keeps_line_endings(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, example_text: str
) -> None:
    path = tmp_path / "crlf.md"
    original = ("\ufeff" + example_text.replace("\n", "\r\n")).encode()
    path.write_bytes(original)
    assert run(capsys, "tick", "Policy", "obs", "--untick", "--roadmap", str(path))[0] == 0
    changed = path.read_bytes()
    assert changed.count(b"\r\n") == original.count(b"\r\n")
    assert changed.startswith(b"\xef\xbb\xbf")
    assert sum(a != b for a, b in zip(original, changed, strict=True)) == 1


def test_tick_refuses_bad_names_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], roadmap_file: Path
) -> None:
    before = roadmap_file.read_bytes()
    code, _, err = run(capsys, "tick", "Ingestion", "Docs", "--roadmap", str(roadmap_file))
    assert code == 2 and "no column 'Docs'" in err
    code, _, err = run(capsys, "tick", "Ingestoin", "API", "--roadmap", str(roadmap_file))
    assert code == 2 and "Ingestion" in err
    assert roadmap_file.read_bytes() == before
    assert sorted(p.name for p in roadmap_file.parent.iterdir()) == ["roadmap.md"]


def test_tick_not_applicable_cell(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "r.md"
    path.write_text("| Module | API | Docs |\n|---|---|---|\n| Gate | [ ] | n/a |\n")
    before = path.read_bytes()
    code, _, err = run(capsys, "tick", "Gate", "Docs", "--roadmap", str(path))
    assert code == 2 and "Gate / Docs" in err and "line 3" in err
    assert path.read_bytes() == before


def test_tick_bundled_example_is_read_only(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "tick", "Ingestion", "API")
    assert code == 2 and "--roadmap" in err


def test_tick_commits_in_a_work_tree(
    capsys: pytest.CaptureFixture[str], work_tree: Path, roadmap_file: Path
) -> None:
    (work_tree / "other.txt").write_text("staged, not part of the tick\n")
    git(work_tree, "add", "other.txt")
    code, out, _ = run(capsys, "tick", "Ingestion", "Runbook", "--roadmap", str(roadmap_file))
    assert code == 0 and "committed" in out
    assert (
        git(work_tree, "log", "-1", "--format=%s").strip() == "roadmap: ticked Ingestion / Runbook"
    )
    files = git(work_tree, "show", "--name-only", "--format=", "HEAD").split()
    assert files == ["docs/roadmap.md"]
    diff = git(work_tree, "show", "--format=", "-U0", "HEAD").splitlines()
    changed = [ln for ln in diff if ln[:1] in "+-" and not ln.startswith(("+++", "---"))]
    assert len(changed) == 2 and changed[0].replace("[ ]", "[x]", 5) != changed[1]
    assert git(work_tree, "status", "--porcelain", "--", "docs").strip() == ""
    assert "A  other.txt" in git(work_tree, "status", "--porcelain")


def test_tick_no_commit_leaves_the_change_uncommitted(
    capsys: pytest.CaptureFixture[str], work_tree: Path, roadmap_file: Path
) -> None:
    head = git(work_tree, "rev-parse", "HEAD")
    code, _, _ = run(
        capsys, "tick", "Ingestion", "API", "--roadmap", str(roadmap_file), "--no-commit"
    )
    assert code == 0
    assert git(work_tree, "rev-parse", "HEAD") == head
    assert "docs/roadmap.md" in git(work_tree, "status", "--porcelain")


def test_tick_refuses_a_dirty_file(
    capsys: pytest.CaptureFixture[str], work_tree: Path, roadmap_file: Path
) -> None:
    with roadmap_file.open("a", encoding="utf-8") as f:
        f.write("- a note being written\n")
    before = roadmap_file.read_bytes()
    code, _, err = run(capsys, "tick", "Ingestion", "API", "--roadmap", str(roadmap_file))
    assert code == 2 and "uncommitted changes" in err
    assert roadmap_file.read_bytes() == before


# --- entry points -----------------------------------------------------------------------------


@pytest.mark.parametrize("cmd", [["roadmap-bot"], [sys.executable, "-m", "bot"]])
def test_entry_points(cmd: list[str], tmp_path: Path) -> None:
    if cmd[0] == "roadmap-bot" and shutil.which("roadmap-bot") is None:
        pytest.fail("the roadmap-bot console script is not installed")
    proc = subprocess.run([*cmd, "next", "--json"], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["modules"][0]["name"] == "Authentication"
    proc = subprocess.run([*cmd, "show", "Nope"], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


LISTED = """
import sys
from bot import cli
try:
    cli.main(sys.argv[1:])
except SystemExit:
    pass
print(" ".join(sorted(m for m in sys.modules if m.startswith("bot.cli."))))
"""


def test_help_lists_every_command_without_importing_them(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", LISTED, "--help"], capture_output=True, text=True, cwd=tmp_path
    )
    for name in COMMANDS:
        assert f"    {name} " in proc.stdout
    assert proc.stdout.splitlines()[-1] == ""  # no subcommand module was imported


def test_a_command_imports_its_own_module_only(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", LISTED, "blockers", "--help"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert "--roadmap FILE" in proc.stdout
    loaded = set(proc.stdout.splitlines()[-1].split())
    assert "bot.cli.blockers" in loaded
    assert not loaded & {COMMANDS[n].module for n in COMMANDS if n != "blockers"}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_builds_its_parser(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        parser([name]).parse_args([name, "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: roadmap-bot {name} ")


def test_column_readiness(capsys: pytest.CaptureFixture[str], roadmap_file: Path) -> None:
    run(capsys, "tick", "Ingestion", "API", "--roadmap", str(roadmap_file), "--no-commit")
    data = run_json(capsys, "show", "--roadmap", str(roadmap_file))
    assert isinstance(data, dict)
    assert data["column_readiness"]["API"] == {"done": 2, "total": 37}
    assert data["column_readiness"]["Runbook"] == {"done": 1, "total": 37}


def test_tick_on_roadmap_repo_commits_there(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    work_tree: Path,
    tmp_path: Path,
) -> None:
    bare = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(work_tree), str(bare))
    monkeypatch.setenv("ROADMAP_REPO", str(bare))
    monkeypatch.setenv("ROADMAP_PATH", "docs/roadmap.md")
    monkeypatch.setenv("CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/state.db")
    code, out, err = run(capsys, "tick", "Ingestion", "obs")
    assert code == 0, err
    assert "ticked Ingestion / Observability" in out and "applied" in out
    message = git(bare, "log", "-1", "--format=%an%n%B", "main")
    assert message.startswith("roadmap-bot\n") and "on the command line" in message
    code, out, _ = run(capsys, "tick", "Ingestion", "obs")
    assert code == 0 and "already done" in out
    assert len(git(bare, "log", "--format=%H", "main").split()) == 2


def test_show_a_column(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "show", "api")
    assert isinstance(data, dict)
    assert (data["column"], data["done"], data["total"]) == ("API", 1, 37)
    assert {"name": "Host Modules", "done": 1, "total": 4} in data["groups"]
    assert "Ingestion" in data["open"] and "Policy Engine" not in data["open"]
    # Observability is a module and a column: the module wins.
    assert run_json(capsys, "show", "observability")["group"] == "Runtime Modules"  # type: ignore[index]
