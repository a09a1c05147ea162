"""Drift as `serve` asks for it: the first ask at a commit, then the asks after it.

On the generated site of bench.drift (10,000 pages, 1,000 modules):
(a) the floor: `git ls-tree -r` + one `git cat-file --batch` of every page (as bench.drift);
(b) the first `/roadmap drift` at a commit: DriftCache.get, cold (tree listed and read);
(c) a repeated ask at the same commit (what every later card, App Home and the digest pay);
(d) an ask at a new commit with the same tree (a commit that changed nothing drift reads:
    one rev-parse, the listing and the key's blobs from the tree cache).
Best of --repeat; (c) and (d) as fractions of (a).

    python -m bench.drift_serve [--modules 1000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

from bench.drift import floor, make_site
from bench.timing import best
from bot.docs import tree as tree_module
from bot.docs.cache import DriftCache
from tests.support.git import GIT_ENV


def head(root: Path) -> str:
    out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True)
    return out.stdout.decode().strip()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--modules", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        pages = make_site(root, args.modules)
        commit = head(root)
        a = best(lambda: floor(root), args.repeat)

        def cold() -> None:
            tree_module._LISTINGS.clear()
            DriftCache(str(root), "docs/roadmap.md").get(commit)

        b = best(cold, args.repeat)
        warm = DriftCache(str(root), "docs/roadmap.md")
        warm.get(commit)
        c = best(lambda: warm.get(commit), args.repeat * 20)
        git = ["git", "-C", str(root)]
        subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "x"], check=True, env=GIT_ENV)
        same_tree = head(root)

        def new_commit() -> None:
            warm._by_commit.pop(same_tree, None)  # as if first asked at this commit
            warm.get(same_tree)

        d = best(new_commit, args.repeat)
        assert warm.computed == 1
        print(f"site: {pages:,} pages, {args.modules:,} modules")
        print(f"(a) floor: ls-tree + cat-file --batch of every page: {a * 1000:.0f} ms")
        print(f"(b) first ask at a commit (cold): {b * 1000:.0f} ms = {b / a:.2f}x (a)")
        print(f"(c) repeated ask, same commit: {c * 1e6:.1f} µs = {c / a:.5f}x (a)")
        print(f"(d) new commit, same tree: {d * 1000:.1f} ms = {d / a:.3f}x (a)")


if __name__ == "__main__":
    main()
