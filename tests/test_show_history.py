"""`roadmap-bot show` with the branch's history: the forecast in --json, and --at DATE (the
roadmap as it was then). Real git: a bare remote with dated commits."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from tests.support.git import PATH, Remote, make_remote
from tests.support.roadmaps import roadmap_text

GROUPS = [("Build", ["Compiler", "Linker"]), ("Ship", ["Deploy"])]
COLUMNS = ["API", "Docs"]


def text(*done: tuple[str, str]) -> bytes:
    return roadmap_text(GROUPS, COLUMNS, dict.fromkeys(done, "x")).encode()


def iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S+00:00")


@pytest.fixture
def remote(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Remote:
    """Added 2024-05-06; Compiler/API ticked 2024-06-01; two more ticks in the last 3 weeks
    (Build moves, Ship does not)."""
    r = make_remote(tmp_path, text())
    r.commit({PATH: text(("Compiler", "API"))}, "tick Compiler API", date="2024-06-01T10:00:00Z")
    now = datetime.now(UTC)
    two = (("Compiler", "API"), ("Compiler", "Docs"))
    r.commit({PATH: text(*two)}, "tick Compiler Docs", date=iso(now - timedelta(days=20)))
    three = (*two, ("Linker", "API"))
    r.commit({PATH: text(*three)}, "tick Linker API", date=iso(now - timedelta(days=10)))
    for name in ("ROADMAP_PATH", "ROADMAP_BRANCH", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ROADMAP_REPO", str(r.bare))
    monkeypatch.setenv("CACHE_DIR", str(tmp_path / "cache"))
    return r


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_show_json_says_the_forecast_per_group(
    remote: Remote, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "show", "--json")
    assert code == 0, err
    fc = json.loads(out)["forecast"]
    assert fc["weeks"] == 4 and fc["done"] == 3 and fc["total"] == 6
    assert fc["status"] == "on pace" and fc["done_by"] is not None
    groups = {g["name"]: g for g in fc["groups"]}
    assert groups["Build"]["status"] == "on pace" and groups["Build"]["per_week"] == 0.5
    assert groups["Ship"]["status"] == "no progress" and groups["Ship"]["done_by"] is None
    # The group's own JSON carries the same numbers.
    code, out, err = run(capsys, "show", "Build", "--json")
    assert code == 0, err
    mine = json.loads(out)["forecast"]
    assert mine == {"now": mine["now"], "weeks": 4, "name": "Build", **_bare(groups["Build"])}


def _bare(entry: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in entry.items() if k != "name"}


def test_without_git_there_is_no_forecast(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("ROADMAP_REPO", raising=False)
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "show", "--json")
    assert code == 0 and json.loads(out)["forecast"] is None


def test_show_at_a_date_reads_the_last_commit_before_it(
    remote: Remote, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "show", "Compiler", "--at", "2024-05-20", "--json")
    assert code == 0, err
    assert json.loads(out)["cells"] == {"API": "open", "Docs": "open"}
    assert remote.commits[0][:7] in err and "as of 2024-05-20" in err
    code, out, err = run(capsys, "show", "Compiler", "--at", "2024-06-02", "--json")
    assert code == 0, err
    assert json.loads(out)["cells"] == {"API": "done", "Docs": "open"}
    # The whole roadmap then: one cell done; a date and time are taken too.
    code, out, err = run(capsys, "show", "--at", "2024-06-01T10:00:01+00:00", "--json")
    assert code == 0, err
    assert json.loads(out)["done"] == 1


@pytest.mark.parametrize(
    ("at", "needle"),
    [
        ("2024-01-01", "did not exist on main yet (it was added on 2024-05-06)"),
        ("2024-13-01", "@2024-13-01: not a date; write it like 2026-10-01"),
        ("2999-01-01", "@2999-01-01: that date is still to come"),
    ],
)
def test_show_at_a_date_it_cannot_show_is_one_line(
    remote: Remote, capsys: pytest.CaptureFixture[str], at: str, needle: str
) -> None:
    code, out, err = run(capsys, "show", "Compiler", "--at", at)
    assert code == 2 and out == ""
    [line] = err.splitlines()
    assert needle in line


def test_show_at_needs_git(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("ROADMAP_REPO", raising=False)
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "show", "Ingestion", "--at", "2026-10-01")
    assert code == 2 and out == ""
    assert "set ROADMAP_REPO to look back in time" in err.splitlines()[-1]
