"""`roadmap-bot history --json` against the parser itself: on a file laid out as real ones are
(the name column last, a Notes column of free text, emoji statuses explained by a legend),
every commit's changes are what parsing the file before and after it and diffing gives."""

from __future__ import annotations

import json
import random
import subprocess
from pathlib import Path

import pytest

from bot.cli import main
from bot.errors import RoadmapFileError
from bot.roadmap.model import CellState
from bot.roadmap.parse import parse

from .conftest import BASE_ENV, PATH, Repo

Event = tuple[str, str, str | None, str | None, str, str]  # commit, module, group, column, …

LEGEND = {"✅": "Ready", "⚪": "Pending", "🟡": "In progress"}
GROUPS = ["Host Modules", "Compute Modules"]


class File:
    """The roadmap as a test edits it: a legend, then a table whose name column (Page) is
    last and found by its cells (Page is no name header), with a Notes column of text."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.legend = dict(LEGEND)
        self.owner = False  # an Owner column (text) added midway
        # Per group: rows of [Started, Notes, Review, page name].
        self.rows: dict[str, list[list[str]]] = {
            "Host Modules": [
                ["✅", "first pass by Ada", "⚪", "Tenant Management"],
                ["⚪", "blocked on the API", "⚪", "Ingestion"],
                ["🟡", "", "⚪", "Publish"],
            ],
            "Compute Modules": [
                ["⚪", "needs an owner", "⚪", "Scheduler"],
                ["✅", "", "✅", "Billing"],
                ["🟡", "✅ reviewed by Bo", "🟡", "Quotas"],
            ],
        }
        # A second table, planned: no status cell yet, so not a checklist (no modules).
        self.planned = [["-", "", "-", "Search"], ["-", "later", "-", "Exports"]]

    def text(self) -> str:
        out = ["# Docs readiness", "", "**Documentation Status**"]
        out += [f"{symbol} = {meaning}" for symbol, meaning in self.legend.items()]
        header = ["Started", "Notes", "Review", "Page"]
        if self.owner:
            header.insert(2, "Owner")
        out += ["", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for group, rows in self.rows.items():
            out.append("| " + " | " * (len(header) - 1) + f"**{group}** |")
            for row in rows:
                cells = [*row[:2], "Ada", *row[2:]] if self.owner else row
                out.append("| " + " | ".join(cells) + " |")
        out += [
            "",
            "## Next quarter",
            "",
            "| Started | Notes | Review | Page |",
            "|---|---|---|---|",
        ]
        out += ["| " + " | ".join(row) + " |" for row in self.planned]
        return "\n".join(out) + "\n"

    def step(self) -> str:
        """One random edit of cells; what it did, for the commit message."""
        rows = [r for g in self.rows.values() for r in g]
        row = self.rng.choice(rows)
        col = self.rng.choice([0, 2])
        kind = self.rng.random()
        if kind < 0.15:
            row[1] = self.rng.choice(["", "see #12", "✅ checked", "waiting on review"])
            return f"notes of {row[3]}"
        nxt = {"⚪": ["✅", "🟡"], "🟡": ["✅", "⚪"], "✅": ["⚪", "🟡"]}[row[col]]
        row[col] = self.rng.choice(nxt)
        return f"{row[3]} {row[col]}"


def configure(repo: Repo, monkeypatch: pytest.MonkeyPatch, tmp: Path) -> None:
    """The command's settings: this repo, a fresh SQLite cache, no stray .env file."""
    monkeypatch.setenv("ROADMAP_REPO", str(repo.path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp / 'state.db'}")
    monkeypatch.setenv("CACHE_DIR", str(tmp / "cache"))
    monkeypatch.delenv("ROADMAP_PATH", raising=False)
    monkeypatch.delenv("ROADMAP_BRANCH", raising=False)
    monkeypatch.chdir(tmp)


def parsed(repo: Repo, sha: str) -> dict[tuple[str, str], tuple[str, dict[str, CellState]]]:
    """(group, module key) -> (module name, state per column) of the file at `sha`."""
    done = subprocess.run(
        ["git", "show", f"{sha}:{PATH}"], cwd=repo.path, env=BASE_ENV, capture_output=True
    )
    if done.returncode != 0:
        return {}
    try:
        roadmap = parse(done.stdout.decode())
    except RoadmapFileError:
        return {}
    return {
        (m.group, m.key): (m.name, {c.column: c.state for c in m.cells}) for m in roadmap.modules
    }


def diff(sha: str, before: dict, after: dict) -> list[Event]:  # type: ignore[type-arg]
    """The changes parse() sees between two versions, in history's terms."""
    out: list[Event] = []
    done = CellState.DONE
    for key, (name, cells) in after.items():
        if key not in before:
            out.append((sha, name, key[0], None, "added", "module_added"))
            continue
        old = before[key][1]
        for column, state in cells.items():
            was = old.get(column)
            if state is done and was is not done:
                out.append((sha, name, key[0], column, state.value, "tick"))
            elif was is done and state is not done:
                out.append((sha, name, key[0], column, state.value, "untick"))
    for key, (name, _) in before.items():
        if key not in after:
            out.append((sha, name, key[0], None, "removed", "module_removed"))
    return sorted(out, key=str)


def test_history_agrees_with_parsing_every_commit(
    repo: Repo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(7)
    f = File(rng)
    shas = [repo.commit(f.text(), "roadmap")]
    for n in range(30):
        if n == 6:
            f.rows["Compute Modules"].append(["⚪", "new this week", "⚪", "Autoscaling"])
            message = "add Autoscaling"
        elif n == 12:
            f.rows["Host Modules"].pop(1)
            message = "drop Ingestion"
        elif n == 16:
            # The legend now calls 🟡 ready: every 🟡 cell becomes done, lines untouched.
            f.legend["🟡"] = "Ready"
            message = "legend: 🟡 means ready"
        elif n == 20:
            f.owner = True  # a text column: no cell changes
            message = "add an Owner column"
        elif n == 24:
            f.legend["🟡"] = "In progress"
            message = "legend: 🟡 back to in progress"
        elif n == 27:
            # One cell of the planned table becomes a status: the table is now a checklist,
            # and all its rows, untouched, are modules.
            f.planned[1][0] = "⚪"
            message = "Exports: started column"
        elif n == 28:
            f.planned[0][2] = "✅"
            message = "Search reviewed"
        else:
            message = f.step()
        shas.append(repo.commit(f.text(), message))

    # Ground truth: the parser's view of each commit against the one before.
    truth: list[Event] = []
    before: dict = {}  # type: ignore[type-arg]
    for sha in shas:
        after = parsed(repo, sha)
        truth += diff(sha, before, after)
        before = after

    configure(repo, monkeypatch, tmp_path)
    assert main(["history", "--json"]) == 0
    events = json.loads(capsys.readouterr().out)
    got = [
        (e["commit"], e["module"], e["group"], e["column"], e["state"], e["kind"]) for e in events
    ]
    by_commit = {sha: n for n, sha in enumerate(shas)}
    assert sorted(got, key=lambda e: (by_commit[e[0]], str(e))) == sorted(
        truth, key=lambda e: (by_commit[e[0]], str(e))
    )
    # The history is one worth comparing: every kind of change is in it, and the legend
    # commits change cells whose lines they do not touch.
    kinds = {e[5] for e in truth}
    assert kinds == {"module_added", "module_removed", "tick", "untick"}
    assert {e[0] for e in truth} >= {shas[17], shas[25]}
    assert [(e[1], e[5]) for e in truth if e[0] == shas[28]] == [
        ("Exports", "module_added"),
        ("Search", "module_added"),
    ]
    assert all(e[1] != "Ada" and e[3] not in ("Notes", "Owner") for e in truth)
