"""`roadmap-bot history` as a person or a script uses it: real git, a SQLite cache."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import EXIT_FAILED, EXIT_USAGE, main
from bot.cli.history import describe, text_lines
from bot.cli.since import since_time
from bot.errors import UserInputError
from bot.repo.history import Change

from .conftest import PATH, ROADMAP, Repo

KEYS = {"commit", "date", "author", "email", "module", "group", "column", "state", "kind"}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["history", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> list[dict[str, object]]:
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert isinstance(data, list)
    return data


@pytest.fixture(autouse=True)
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in ("ROADMAP_REPO", "ROADMAP_PATH", "ROADMAP_BRANCH", "GITHUB_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    db = tmp_path / "state.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)  # no stray .env file
    return db


@pytest.fixture
def ticked(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> Repo:
    repo.commit(ROADMAP, date="2026-01-01T09:00:00+00:00")
    repo.tick("Ingestion", "Docs", author="bo")  # 10:00
    repo.tick("Policy Engine", "Docs", done=False, author="cy")  # 11:00
    repo.tick("Publish", "Tests", author="ada")  # 12:00
    monkeypatch.setenv("ROADMAP_REPO", str(repo.path))
    return repo


def test_json_events(capsys: pytest.CaptureFixture[str], ticked: Repo) -> None:
    events = run_json(capsys)
    assert all(set(e) == KEYS for e in events)
    assert [e["kind"] for e in events] == ["module_added"] * 4 + ["tick", "untick", "tick"]
    tick = events[4]
    assert tick == {
        "commit": ticked.commits[1],
        "date": "2026-01-01T10:00:00+00:00",
        "author": "Bo Tiller",
        "email": "bo@example.com",
        "module": "Ingestion",
        "group": "Compute Modules",
        "column": "Docs",
        "state": "done",
        "kind": "tick",
    }
    assert events[5]["state"] == "open"
    assert events[0]["column"] is None
    assert events[0]["state"] == "added"
    assert datetime.fromisoformat(str(tick["date"])).tzinfo is not None


def test_since_a_date_and_a_module(capsys: pytest.CaptureFixture[str], ticked: Repo) -> None:
    since = run_json(capsys, "--since", "2026-01-01T11:00")
    assert [(e["module"], e["kind"]) for e in since] == [
        ("Policy Engine", "untick"),
        ("Publish", "tick"),
    ]
    assert run_json(capsys, "--since", "2026-01-02") == []
    module = run_json(capsys, "--module", "ingest", "--since", "2026-01-01")
    assert [(e["module"], e["column"]) for e in module] == [
        ("Ingestion", None),
        ("Ingestion", "Docs"),
    ]


def test_since_days_ago(capsys: pytest.CaptureFixture[str], repo: Repo) -> None:
    now = datetime.now(UTC)
    repo.commit(ROADMAP, date=(now - timedelta(days=10)).isoformat(timespec="seconds"))
    recent = repo.commit(
        ROADMAP.replace("| Ingestion | [ ] |", "| Ingestion | [x] |"),
        date=(now - timedelta(days=2)).isoformat(timespec="seconds"),
    )
    events = run_json(capsys, "--since", "7d", "--roadmap-repo", str(repo.path))
    assert [(e["commit"], e["kind"]) for e in events] == [(recent, "tick")]
    assert len(run_json(capsys, "--since", "2w", "--roadmap-repo", str(repo.path))) == 5


def test_text_output(capsys: pytest.CaptureFixture[str], ticked: Repo) -> None:
    code, out, err = run(capsys, "--since", "2026-01-01T10:00")
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("2026-01-01 10:00  Bo Tiller ")
    assert "✔ Ingestion / Docs" in lines[0]
    assert lines[0].endswith(ticked.commits[1][:7])
    assert "✗ Policy Engine / Docs" in lines[1]
    assert "Cy Merger" in lines[1]
    code, out, _ = run(capsys, "--since", "2026-02-01")
    assert code == 0
    assert out.startswith("no changes to docs/roadmap.md on main of ")


def test_text_lines_fit_80_columns() -> None:
    when = datetime(2026, 1, 1, tzinfo=UTC)
    long = Change(
        "c" * 40,
        when,
        "roadmap-bot (for Ada Lovelace-Byron)",
        "a@x",
        "Subscription Enforcement",
        "Access Modules",
        "Engineering Wiring",
        "ticked",
        "tick",
    )
    short = Change("d" * 40, when, "Bo", "b@x", "Raw Store", "Data", "API", "ticked", "tick")
    lines = text_lines([long, short], columns=80)
    assert all(len(line) <= 80 for line in lines), lines
    assert lines[0].endswith("c" * 7) and lines[1].endswith("d" * 7)
    assert "roadmap-bot (for …" in lines[0] and "✔ Subscription Enforcement / Eng…" in lines[0]
    assert "✔ Raw Store / API" in lines[1]
    wide = text_lines([long], columns=200)[0]
    assert "✔ Subscription Enforcement / Engineering Wiring" in wide


def test_module_added_and_removed_read_well() -> None:
    when = datetime(2026, 1, 1, tzinfo=UTC)
    added = Change("a" * 40, when, "A", "a@x", "Calendar", "Data", None, "added", "module_added")
    removed = Change(
        "b" * 40, when, "A", "a@x", "Calendar", "Data", None, "removed", "module_removed"
    )
    assert describe(added) == "+ Calendar (added to Data)"
    assert describe(removed) == "- Calendar (removed from Data)"


def test_the_cache_makes_the_second_run_read_nothing_old(
    capsys: pytest.CaptureFixture[str], ticked: Repo, env: Path
) -> None:
    first = run_json(capsys)
    assert env.exists()
    ticked.tick("Tenant Management", "API", author="bo")
    second = run_json(capsys)
    assert second[:-1] == first
    assert (second[-1]["module"], second[-1]["kind"]) == ("Tenant Management", "tick")


def test_roadmap_path_and_branch_from_the_environment(
    capsys: pytest.CaptureFixture[str], repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.commit(ROADMAP, path="plans/status.md")
    repo.git("branch", "-m", "main", "trunk")
    monkeypatch.setenv("ROADMAP_PATH", "plans/status.md")
    monkeypatch.setenv("ROADMAP_BRANCH", "trunk")
    assert len(run_json(capsys, "--roadmap-repo", str(repo.path))) == 4


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--since", "yesterday"], "--since 'yesterday': expected"),
        (["--since", "99999999999d"], "--since '99999999999d': expected"),
        (["--module", "nothing like it"], "no module 'nothing like it' in the history"),
        (["--module", "p"], "'p' matches several modules in the history"),
    ],
)
def test_user_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], ticked: Repo, argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == EXIT_USAGE
    assert out == ""
    assert err.startswith(f"roadmap-bot: {message}")
    assert err.count("\n") == 1


def test_a_bad_since_is_refused_before_any_work(
    capsys: pytest.CaptureFixture[str], env: Path, ticked: Repo
) -> None:
    assert run(capsys, "--since", "soon")[0] == EXIT_USAGE
    assert not env.exists()  # no database opened, nothing fetched


def test_no_repository_configured(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys)
    assert code == EXIT_USAGE
    assert err == (
        "roadmap-bot: history needs a git repository: set ROADMAP_REPO or pass "
        "--roadmap-repo URL_OR_PATH (the bundled example has no history)\n"
    )


def test_a_path_never_in_the_branch(
    capsys: pytest.CaptureFixture[str], repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.commit(ROADMAP, path="elsewhere.md")
    monkeypatch.setenv("ROADMAP_PATH", "docs/roadmap.md")
    code, _, err = run(capsys, "--roadmap-repo", str(repo.path))
    assert code == EXIT_USAGE
    assert err.startswith(f"roadmap-bot: {PATH} has no history on main of ")


def test_a_branch_git_cannot_fetch_exits_1_in_one_line(
    capsys: pytest.CaptureFixture[str], ticked: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROADMAP_BRANCH", "nope")
    code, out, err = run(capsys, "--roadmap-repo", str(ticked.path))
    assert code == EXIT_FAILED  # git refused: not the person's typing (that is exit 2)
    assert out == ""
    assert err.startswith("roadmap-bot: ROADMAP_REPO ") and "cannot fetch branch 'nope'" in err
    assert err.count("\n") == 1


def test_a_repository_that_is_not_there(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "--roadmap-repo", str(tmp_path / "nowhere"))
    assert code == EXIT_USAGE
    assert "no such repository" in err


def test_since_time() -> None:
    now = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    assert since_time("7d", now) == datetime(2026, 3, 3, 12, 0, tzinfo=UTC)
    assert since_time("12h", now) == datetime(2026, 3, 10, 0, 0, tzinfo=UTC)
    assert since_time("2W", now) == datetime(2026, 2, 24, 12, 0, tzinfo=UTC)
    assert since_time("2026-01-01") == datetime(2026, 1, 1, tzinfo=UTC)
    assert since_time("2026-01-01T10:00+02:00") == datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
    with pytest.raises(UserInputError):
        since_time("7 days")
