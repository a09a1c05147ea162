"""Docs drift on a generated site of 10,000 pages with a 1,000-module roadmap.

(a) the floor: list the commit's tree with `git ls-tree -r -l` and read every page with one
    `git cat-file --batch` (what any reader of the docs at a commit must do);
(b) drift end to end from the same commit: the tree listed and read (GitTree, its cache
    cleared first), mkdocs.yml read safely, the nav built, every page's title and stub
    state, the roadmap parsed, every module x column mapped and compared. Target <= 3x (a).
Both in process, best of --repeat; timed by the wall clock and by CPU time (this process's
plus its git children's, as the kernel counts them): the machine is shared, and CPU time
leaves out the waits for a core that make the wall clock noisy.

    python -m bench.drift [--modules 1000] [--repeat 5] [--unique-pages]
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.timing import best
from bot.docs import tree as tree_module
from bot.docs.inputs import find_inputs, run_drift
from bot.docs.tree import GitTree
from tests.support.git import GIT_ENV
from tests.support.roadmaps import COLUMNS, big_roadmap

PAGE_COLUMNS = [c for c in COLUMNS if c != "Engineering Wiring"]
EXTRA = ["faq", "design", "glossary", "changelog"]  # pages that are no column
# A written page: a few paragraphs under headings, ~300 words.
BODY = "\n\n".join(
    f"## Part {p}\n\n" + " ".join(f"word{p}{i}," for i in range(75)) for p in range(4)
)


def slug(name: str) -> str:
    return name.lower().replace(" ", "-")


def make_site(root: Path, modules: int, seed: int = 3, unique: bool = False) -> int:
    """Writes the roadmap, mkdocs.yml and the pages; returns the number of pages. `unique`:
    every page's text differs (as on a real site), so git stores 10,000 blobs, not ~70."""
    rng = random.Random(seed)
    roadmap = big_roadmap(modules)
    (root / "docs").mkdir(parents=True)
    (root / "docs/roadmap.md").write_text(roadmap)
    (root / ".roadmap-bot.yml").write_text(
        "drift:\n  columns:\n    Engineering Wiring: {kind: track}\n"
    )
    nav = [
        "site_name: Bench",
        "site_url: https://docs.example.com/",
        "nav:",
        "  - Roadmap: roadmap.md",
        "  - Modules:",
    ]
    pages = 1
    group = None
    for line in roadmap.splitlines():
        if line.startswith("| **"):
            group = line.split("**")[1]
            gdir = slug(group.removesuffix(" Modules"))
            nav.append(f"      - {group.removesuffix(' Modules')}:")
            continue
        if not line.startswith("| Module ") or group is None:
            continue
        name = line.split("|")[1].strip()
        mdir = f"modules/{gdir}/{slug(name)}"
        (root / "docs" / mdir).mkdir(parents=True)
        nav.append(f"          - {name}:")
        for column in PAGE_COLUMNS:
            file = "index" if column == "Index" else slug(column)
            roll = rng.random()
            text = "Stub.\n" if 0.05 <= roll < 0.15 else BODY
            if unique:
                text = f"{text}\nSee {mdir}/{file}.\n" if text is BODY else f"Stub {mdir}.\n"
            (root / "docs" / mdir / f"{file}.md").write_text(f"# {column}\n\n{text}\n")
            title = "Overview" if column == "Index" else column
            if roll >= 0.05:  # else written but not in the nav
                nav.append(f"              - {title}: {mdir}/{file}.md")
            pages += 1
        for extra in EXTRA:
            note = f"\nSee {mdir}/{extra}.\n" if unique else ""
            (root / "docs" / mdir / f"{extra}.md").write_text(
                f"# {extra.title()}\n\n{BODY}\n{note}"
            )
            nav.append(f"              - {extra.title()}: {mdir}/{extra}.md")
            pages += 1
    (root / "mkdocs.yml").write_text("\n".join(nav) + "\n")
    git = ["git", "-c", "gc.auto=0", "-C", str(root)]  # no gc in the background: ours below
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True, env=GIT_ENV)
    subprocess.run([*git, "add", "-A"], check=True, env=GIT_ENV)
    subprocess.run([*git, "commit", "-q", "-m", "site"], check=True, env=GIT_ENV)
    subprocess.run([*git, "gc", "-q"], check=True, env=GIT_ENV)  # packed, like a mirror
    return pages


def floor(root: Path) -> int:
    out = subprocess.run(
        ["git", "-C", str(root), "ls-tree", "-r", "-l", "-z", "HEAD"],
        check=True,
        capture_output=True,
    ).stdout
    shas = [r.split()[2] for r in out.split(b"\0") if r and r.split(b"\t")[1].startswith(b"docs/")]
    blobs = subprocess.run(
        ["git", "-C", str(root), "cat-file", "--batch"],
        input=b"\n".join(shas) + b"\n",
        check=True,
        capture_output=True,
    ).stdout
    return len(blobs)


def drift(root: Path) -> int:
    tree_module._LISTINGS.clear()  # a cold tree every time: no cache across runs
    t = GitTree(root, "HEAD")
    report = run_drift(t, find_inputs(t, env={}), env={})
    return len(report.findings)


def best_total_cpu(fn: Callable[[], object], repeat: int) -> float:
    """The least CPU time of `repeat` runs of `fn`: this process's and its children's."""
    times = []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.process_time()
        fn()
        own = time.process_time() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        times.append(own + after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--modules", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument(
        "--unique-pages", action="store_true", help="every page's text differs (a real site)"
    )
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        pages = make_site(root, args.modules, unique=args.unique_pages)
        found = drift(root)
        a = best(lambda: floor(root), args.repeat)
        b = best(lambda: drift(root), args.repeat)
        ca = best_total_cpu(lambda: floor(root), args.repeat)
        cb = best_total_cpu(lambda: drift(root), args.repeat)
        kind = "distinct" if args.unique_pages else "repeating"
        print(f"site: {pages:,} {kind} pages, {args.modules:,} modules; {found:,} findings")
        print(f"(a) floor: git ls-tree -r + cat-file --batch of every page: {a * 1000:.0f} ms")
        print(
            f"(b) drift end to end from the commit: {b * 1000:.0f} ms = {b / a:.2f}x (a) "
            "(target <= 3x)"
        )
        print(
            f"CPU time (own + git children): floor {ca * 1000:.0f} ms, drift {cb * 1000:.0f} ms"
            f" = {cb / ca:.2f}x"
        )


if __name__ == "__main__":
    main()
