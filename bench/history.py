"""History speed on a roadmap with 2,000 commits, each ticking or unticking cells.

(a) raw `git log -p --first-parent -- path` into /dev/null: the floor;
(b) the first, uncached history run (one `git log -p -U0` and the parse), target <= 3x (a);
    also the same with the cache written (SQLite);
(c) the incremental run after one new commit with a warm cache: fetch into the mirror, read
    the one commit, store it, read every cached event back; target <= 0.2 s. Measured in
    process, so interpreter start-up is not in it.
(d) end to end: `roadmap-bot history --json` as a process, first run (fresh cache and
    database), over 2,000 one-cell commits, beyond the same command on a one-commit
    history, against the raw `git log -p` of those commits; target <= 2x. In CPU time (the
    command's and its git children's): the machine is shared.

    python -m bench.history [--commits 2000] [--modules 1000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot.repo.history import read_history
from bot.repo.mirror import Mirror
from bot.store.db import engine
from bot.store.history import cached_history, query_history, update_history
from tests.support.git import GIT_ENV
from tests.support.roadmaps import big_roadmap

from .timing import best, best_child_cpu

PATH = "docs/roadmap.md"
AUTHORS = [("Ada", "ada@example.com"), ("Bo", "bo@example.com"), ("Cy", "cy@example.com")]
_BOX = re.compile(r"\[[ x]\]")


class Roadmap:
    """The generated roadmap's lines and where its boxes are, ticked at random."""

    def __init__(self, modules: int, seed: int = 11) -> None:
        self.lines = big_roadmap(modules).split("\n")
        self.rows = [i for i, line in enumerate(self.lines) if _BOX.search(line)]
        self.rng = random.Random(seed)

    def toggle(self, cells: int) -> None:
        for _ in range(cells):
            i = self.rng.choice(self.rows)
            line = self.lines[i]
            boxes = list(_BOX.finditer(line))
            m = self.rng.choice(boxes)
            flipped = "[ ]" if m[0] == "[x]" else "[x]"
            self.lines[i] = line[: m.start()] + flipped + line[m.end() :]

    def data(self) -> bytes:
        return "\n".join(self.lines).encode()


def fast_import(
    repo: Path, roadmap: Roadmap, commits: int, start: int, parent: bool, cells: int = 0
) -> None:
    """`commits` commits on main, each ticking or unticking `cells` cells (0: one to three
    at random), through git fast-import (a process per commit would take minutes)."""
    proc = subprocess.Popen(
        ["git", "fast-import", "--quiet"], cwd=repo, stdin=subprocess.PIPE, env=GIT_ENV
    )
    assert proc.stdin is not None
    for n in range(commits):
        if n or start:
            roadmap.toggle(cells or roadmap.rng.randint(1, 3))
        name, email = AUTHORS[(start + n) % len(AUTHORS)]
        when = 1_700_000_000 + (start + n) * 3600
        data = roadmap.data()
        message = f"roadmap: commit {start + n}".encode()
        head = f"commit refs/heads/main\nauthor {name} <{email}> {when} +0000\n"
        head += f"committer {name} <{email}> {when} +0000\n"
        chunks = [head.encode(), b"data %d\n" % len(message), message, b"\n"]
        if n == 0 and parent:
            chunks.append(b"from refs/heads/main^0\n")
        chunks += [f"M 100644 inline {PATH}\n".encode(), b"data %d\n" % len(data), data, b"\n"]
        proc.stdin.write(b"".join(chunks))
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--commits", type=int, default=2000)
    ap.add_argument("--modules", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--only-end-to-end", action="store_true", help="just (d)")
    args = ap.parse_args()
    if args.only_end_to_end:
        with tempfile.TemporaryDirectory(prefix="bench-history-") as tmp:
            end_to_end(Path(tmp), args.modules, args.commits, args.repeat)
        return

    with tempfile.TemporaryDirectory(prefix="bench-history-") as tmp:
        root = Path(tmp)
        repo = root / "roadmap.git"
        subprocess.run(["git", "init", "-q", "--bare", str(repo)], check=True, env=GIT_ENV)
        roadmap = Roadmap(args.modules)
        t = time.perf_counter()
        fast_import(repo, roadmap, args.commits, 0, parent=False)
        built = time.perf_counter() - t
        print(
            f"repo: {args.commits} commits of a {args.modules}-module roadmap "
            f"({len(roadmap.lines)} lines), built with fast-import in {built:.1f} s"
        )

        def raw() -> None:
            subprocess.run(
                ["git", "log", "-p", "--first-parent", "main", "--", PATH],
                cwd=repo,
                env=GIT_ENV,
                stdout=subprocess.DEVNULL,
                check=True,
            )

        floor = best(raw, args.repeat)
        events: list[int] = []

        def first() -> None:
            changes, _ = read_history(repo, "main", PATH)
            events.append(len(changes))

        ours = best(first, args.repeat)
        print(f"(a) raw git log -p --first-parent (floor): {floor * 1000:8.1f} ms")
        print(
            f"(b) first history run, uncached:          {ours * 1000:8.1f} ms"
            f"  = {ours / floor:.2f}x the floor (target <= 3x); {events[0]} events"
        )

        mirror = Mirror(str(repo), cache_root=root / "cache")
        mirror.fetch("main")

        def stored() -> None:
            db = root / f"cache-{time.perf_counter_ns()}.db"
            update_history(engine(f"sqlite:///{db}"), mirror, "main", PATH, fetch=False)

        with_db = best(stored, args.repeat)
        print(
            f"    the same, cache written (SQLite):     {with_db * 1000:8.1f} ms"
            f"  = {with_db / floor:.2f}x the floor"
        )

        db = engine(f"sqlite:///{root / 'warm.db'}")
        cached_history(db, mirror, "main", PATH)  # warm: every commit cached
        rounds = []
        fetches = []
        for n in range(args.repeat):
            fast_import(repo, roadmap, 1, args.commits + n, parent=True)
            t = time.perf_counter()
            done = update_history(db, mirror, "main", PATH)
            changes = query_history(db, done.key)
            rounds.append(time.perf_counter() - t)
            assert done.commits_read == 1, done
            fetches.append(best(lambda: mirror.fetch("main"), 1))
        print(
            f"(c) incremental run after one new commit:  {statistics.median(rounds) * 1000:8.1f} ms"
            f" median of {args.repeat} (min {min(rounds) * 1000:.1f}; target <= 200 ms);"
            f" 1 commit read, {len(changes)} events returned;"
            f" of which a no-op fetch ~{statistics.median(fetches) * 1000:.0f} ms"
        )
        end_to_end(root, args.modules, args.commits, args.repeat)


def end_to_end(root: Path, modules: int, commits: int, repeat: int) -> None:
    """(d): the command over `commits` one-cell commits and over one, and the raw log."""
    repos = {}
    for n in (1, commits):
        repo = root / f"e2e-{n}.git"
        subprocess.run(["git", "init", "-q", "--bare", str(repo)], check=True, env=GIT_ENV)
        fast_import(repo, Roadmap(modules), n, 0, parent=False, cells=1)
        repos[n] = repo
    bench_root = Path(__file__).resolve().parent.parent
    runs = iter(range(1_000_000))

    def command(repo: Path) -> None:
        n = next(runs)  # a fresh cache and database each run: the first, uncached read
        env = {
            **GIT_ENV,
            "PYTHONPATH": str(bench_root),
            "ROADMAP_REPO": str(repo),
            "ROADMAP_BRANCH": "main",
            "ROADMAP_PATH": PATH,
            "CACHE_DIR": str(root / f"e2e-cache-{n}"),
            "DATABASE_URL": f"sqlite:///{root / f'e2e-{n}.db'}",
        }
        argv = [sys.executable, "-m", "bot", "history", "--json"]
        subprocess.run(argv, env=env, cwd=root, stdout=subprocess.DEVNULL, check=True)

    def raw() -> None:
        subprocess.run(
            ["git", "log", "-p", "--first-parent", "main", "--", PATH],
            cwd=repos[commits],
            env=GIT_ENV,
            stdout=subprocess.DEVNULL,
            check=True,
        )

    floor = best_child_cpu(raw, repeat)
    big = best_child_cpu(lambda: command(repos[commits]), repeat)
    one = best_child_cpu(lambda: command(repos[1]), repeat)
    print(
        f"(d) roadmap-bot history --json, first run, CPU: {commits} one-cell commits "
        f"{big * 1000:.0f} ms, one commit {one * 1000:.0f} ms; beyond it {(big - one) * 1000:.0f}"
        f" ms = {(big - one) / floor:.2f}x raw git log -p ({floor * 1000:.0f} ms; target <= 2x)"
    )


if __name__ == "__main__":
    main()
