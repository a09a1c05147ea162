"""Drift's full report on generated sites, against golden JSON written by the code before the
speed work: making drift faster must change no finding, no cell, no word of a message.

    PYTHONPATH=$PWD python -m tests.docs.test_drift_golden   # rewrite the golden files
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from bench.drift import make_site
from bot.docs import report as report_module
from bot.docs import tree as tree_module
from bot.docs.inputs import find_inputs, run_drift
from bot.docs.tree import GitTree, WorkTree

from .conftest import git_commit, write
from .sites import drifted_site

GOLDEN = Path(__file__).parent / "golden"
LONG = " ".join(f"word{i}" for i in range(40))
# Page texts that take every branch of the page reader: front matter, comments, setext and
# ATX titles with markup, fences, tables, punctuation tokens, markers, snippets, CRLF, BOM.
VARIANTS = [
    "# {t}\n\nStub.\n",
    "---\ntitle: Front {t}\nstatus: wip\n---\n# {t}\n\n" + LONG + "\n",
    "---\nstatus: complete\n---\n# {t}\n\nNo persistent state.\n",
    "---\n: [\n---\n# {t}\n\n" + LONG + "\n",
    "{t}\n====\n\n" + LONG + "\n",
    "{t} *emph* [link](x.md)\n----\n\nshort text here\n",
    "# {t} `code` #\n\n<!-- " + LONG + " -->\nTBD\n",
    "# {t}\n\n" + " ".join(["text"] * 60) + "\n\nTODO: to be written\n",
    "# {t}\n\n" + " ".join(["text"] * 160) + " TODO\n",
    "# {t}\n\n```\n" + LONG + "\n```\n— - | don't global-db.md\n",
    "# {t}\n\n| a | b |\n|---|---|\n| " + " | ".join(LONG.split()[:30]) + " |\n",
    '# {t}\n\n--8<-- "includes/api.md"\n',
    "\ufeff# {t}\r\n\r\n" + LONG.replace(" ", "\r\n") + "\r\n",
    "## Not a title\n\n" + LONG + " coming soon\n",
    "   # {t}\n\nLorem ipsum " + " ".join(["dolor"] * 30) + "\n",
    "",
    "# {t}\n\n[a](https://x.example/one/two/three/four/five/six) " + LONG + "\n",
    "words " * 24 + "\nunderline\n---\n" + "more " * 5 + "\n",
]


def _varied(root: Path, seed: int) -> None:
    """Rewrites a third of the bench site's pages with the variants above."""
    rng = random.Random(seed)
    for path in sorted((root / "docs/modules").rglob("*.md")):
        if rng.random() < 0.35:
            text = rng.choice(VARIANTS).format(t=path.stem.replace("-", " ").title())
            path.write_bytes(text.encode())


def _drifted(root: Path) -> None:
    write(root, drifted_site())


SITES = {
    # name: (build(root), git: read from a commit, else the work tree)
    "bench-40": (lambda r: make_site(r, 40), True),
    "bench-150-unique": (lambda r: make_site(r, 150, seed=5, unique=True), True),
    "bench-60-varied": (lambda r: (make_site(r, 60, seed=9), _varied(r, 4), git_commit(r)), True),
    "bench-60-varied-work": (lambda r: (make_site(r, 60, seed=9), _varied(r, 4)), False),
    "drifted": (_drifted, False),
}


def report(name: str, root: Path) -> dict[str, Any]:
    build, git = SITES[name]
    build(root)
    if git:
        tree_module._LISTINGS.clear()
        tree: GitTree | WorkTree = GitTree(root, "HEAD")
    else:
        tree = WorkTree(root)
    r = run_drift(tree, find_inputs(tree, env={}), env={})
    out = report_module.as_json(r)
    out["cells"] = [
        [q, col, c.state, c.page, c.url, c.reason] for (q, col), c in sorted(r.cells.items())
    ]
    return out


@pytest.mark.parametrize("name", sorted(SITES))
def test_report_matches_golden(name: str, tmp_path: Path) -> None:
    want = json.loads((GOLDEN / f"{name}.json").read_text())
    got = json.loads(json.dumps(report(name, tmp_path)))
    assert got["counts"] == want["counts"]
    assert got["findings"] == want["findings"]
    assert got["cells"] == want["cells"]
    assert got == want


def test_the_golden_sites_show_many_kinds() -> None:
    kinds = set()
    for name in SITES:
        data = json.loads((GOLDEN / f"{name}.json").read_text())
        kinds |= {f["kind"] for f in data["findings"]}
    assert len(kinds) >= 15, kinds


if __name__ == "__main__":
    for name in sys.argv[1:] or sorted(SITES):
        with tempfile.TemporaryDirectory() as tmp:
            data = report(name, Path(tmp))
        (GOLDEN / f"{name}.json").write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
        print(name, data["counts"], len(data["cells"]), "cells")
