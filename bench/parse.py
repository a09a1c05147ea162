"""Parse speed of a 10,000-module roadmap against markdown-it-py's full parse of the same
file in the same run, and lookup latency.

(a) end to end: `roadmap-bot show --roadmap BIG --json` as a process, beyond start-up (the
    same command on a one-module roadmap), against markdown-it-py's full parse (target
    <= 0.25x);
(b) in process: parse() alone, and parse + JSON.

Times are CPU times (this process's, or the child's), the best of --repeat runs: on a shared
machine the wall clock mostly measures the other users.

    python -m bench.parse [--modules 10000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from markdown_it import MarkdownIt

from bot.roadmap.export import dumps, roadmap_json
from bot.roadmap.lookup import find_column, find_module
from bot.roadmap.parse import parse
from tests.support.roadmaps import big_roadmap

from .timing import best_child_cpu, best_cpu


def show_json_process(text: str, repeat: int) -> tuple[float, float]:
    """Best CPU times of `python -m bot show --roadmap F --json` on `text` and on a
    one-module roadmap (start-up), output discarded."""
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root)}
    with tempfile.TemporaryDirectory(prefix="bench-parse-") as tmp:
        big = Path(tmp, "big.md")
        big.write_text(text, newline="")
        tiny = Path(tmp, "tiny.md")
        tiny.write_text("| Module | A |\n|---|---|\n| M | [x] |\n")

        def run(path: Path) -> None:
            argv = [sys.executable, "-m", "bot", "show", "--roadmap", str(path), "--json"]
            subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, check=True, cwd=tmp)

        return best_child_cpu(lambda: run(big), repeat), best_child_cpu(lambda: run(tiny), repeat)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--modules", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    text = big_roadmap(args.modules)
    md = MarkdownIt("commonmark").enable("table")

    floor = best_cpu(lambda: [line.split("|") for line in text.splitlines()], args.repeat)
    full = best_cpu(lambda: md.parse(text), args.repeat)
    ours = best_cpu(lambda: parse(text), args.repeat)
    print(f"roadmap: {args.modules} modules, {len(text.splitlines())} lines, {len(text)} chars")
    print("times: the best of each, in CPU time (the machine is shared; waiting is not work)")
    print(f"plain split of every line (floor): {floor * 1000:8.1f} ms")
    print(f"markdown-it-py full parse:         {full * 1000:8.1f} ms")
    print(
        f"roadmap-bot parse (model + cells): {ours * 1000:8.1f} ms  "
        f"= {ours / full:.2f}x markdown-it, {ours / floor:.0f}x the floor"
    )
    as_json = best_cpu(lambda: dumps(roadmap_json(parse(text))), args.repeat)
    print(f"parse + show --json encoding:      {as_json * 1000:8.1f} ms  = {as_json / full:.2f}x")
    big, start_up = show_json_process(text, args.repeat)
    print(
        f"(a) show --roadmap BIG --json, process: {big * 1000:.0f} ms, start-up (one-module "
        f"roadmap) {start_up * 1000:.0f} ms; beyond start-up {(big - start_up) * 1000:.0f} ms "
        f"= {(big - start_up) / full:.2f}x markdown-it's full parse (target <= 0.25x)"
    )

    roadmap = parse(text)
    find_module(roadmap, "warm the index up")
    names = [m.name for m in roadmap.modules]
    queries = {
        "exact": names[len(names) // 2].upper(),
        "prefix": names[-1][:-2],
        "word prefix": "mod " + " ".join(w[:2] for w in names[len(names) // 3].split()[1:]),
        "ambiguous": "Module 12",
        "column": "obs",
    }
    for label, q in queries.items():
        fn = (
            (lambda q=q: find_column(roadmap, q))
            if label == "column"
            else (lambda q=q: find_module(roadmap, q))
        )
        samples = []
        for _ in range(200):
            t = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - t)
        print(
            f"lookup {label:12s} median {statistics.median(samples) * 1e3:.3f} ms "
            f"max {max(samples) * 1e3:.3f} ms"
        )
    t = time.perf_counter()
    find_module(roadmap, "Modulx 5 Stroe")
    first = time.perf_counter() - t
    misses = []
    for typo in ("Modle 77 Engin", "Mdule 1234 Gaet", "Moduel 42 API", "Modul 999 Stor"):
        t = time.perf_counter()
        find_module(roadmap, typo)
        misses.append(time.perf_counter() - t)
    print(
        f"lookup miss (fuzzy suggestions over {args.modules} names): first {first * 1e3:.1f} ms "
        f"(builds the trigram index), then median {statistics.median(misses) * 1e3:.1f} ms"
    )


if __name__ == "__main__":
    main()
