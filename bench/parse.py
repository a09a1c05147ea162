"""Parse speed of a 10,000-module roadmap against markdown-it-py's full parse (the target,
<= 1.0x) and a plain split of every line (the floor), in the same run; and lookup latency.

    python -m bench.parse [--modules 10000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import time

from markdown_it import MarkdownIt

from bot.roadmap.lookup import find_column, find_module
from bot.roadmap.parse import parse
from tests.support.roadmaps import big_roadmap

from .timing import best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--modules", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    text = big_roadmap(args.modules)
    md = MarkdownIt("commonmark").enable("table")

    floor = best(lambda: [line.split("|") for line in text.splitlines()], args.repeat)
    full = best(lambda: md.parse(text), args.repeat)
    ours = best(lambda: parse(text), args.repeat)
    print(f"roadmap: {args.modules} modules, {len(text.splitlines())} lines, {len(text)} chars")
    print(f"plain split of every line (floor): {floor * 1000:8.1f} ms")
    print(f"markdown-it-py full parse:         {full * 1000:8.1f} ms")
    print(
        f"roadmap-bot parse (model + cells): {ours * 1000:8.1f} ms  "
        f"= {ours / full:.2f}x markdown-it (target <= 1.0x), {ours / floor:.0f}x the floor"
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
