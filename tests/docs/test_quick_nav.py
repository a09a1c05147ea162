"""The quick nav reader gives what the YAML reader gives, for any mkdocs.yml.

A big nav is read line by line when it is plain `- Title: path.md` items; anything else goes
to the YAML reader. Both ways are run here on the same files and must agree exactly: the
settings, the nav entries with their lines, the notes, or the one-line error.
"""

from __future__ import annotations

import random
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.docs import config
from bot.docs.config import DocsConfigError, load_site_config
from bot.docs.tree import WorkTree


@contextmanager
def quick_nav(on: bool) -> Iterator[None]:
    was = config._QUICK_NAV
    config._QUICK_NAV = on
    try:
        yield
    finally:
        config._QUICK_NAV = was


def read(root: Path, on: bool) -> object:
    with quick_nav(on):
        try:
            return load_site_config(WorkTree(root), "mkdocs.yml", {})
        except DocsConfigError as err:
            return f"error: {err}"


def both(root: Path, text: str) -> tuple[object, object]:
    (root / "mkdocs.yml").write_bytes(text.encode("utf-8", "surrogatepass"))
    return read(root, True), read(root, False)


PLAIN_NAV = """\
site_name: Docs
nav:
  - Home: index.md
  # a comment line
  - Modules:
      - Host:

          - Policy Engine:
              - Overview: modules/host/policy-engine/index.md
              - modules/host/policy-engine/api.md
          - Empty:
          - Nothing: ~
      - External: https://example.com/a#b
theme: {name: material}
"""


def test_a_plain_nav_is_read_the_quick_way_and_agrees(tmp_path: Path) -> None:
    text = PLAIN_NAV
    assert config._read_config_yaml(text, "mkdocs.yml", {})[2] is not None
    fast, slow = both(tmp_path, text)
    assert fast == slow
    assert not isinstance(fast, str)
    assert fast.nav[1].children[0].children[0].children[1].target == (
        "modules/host/policy-engine/api.md"
    )
    assert fast.nav[1].children[0].children[0].line == 8


@pytest.mark.parametrize(
    "change",
    [
        lambda t: t,
        # a sequence at column 0 after an indented one: YAML's error
        lambda t: t.replace("theme:", "- not: reached\ntheme:"),
        lambda t: t.replace("\n", "\r\n"),
        lambda t: t.replace("Home: index.md", "Home: index.md # a comment"),
        lambda t: t.replace("Home: index.md", "'Home': index.md"),
        lambda t: t.replace("Home: index.md", "Home: !ENV [X, index.md]"),
        lambda t: t.replace("Home: index.md", "Home: &a index.md"),
        lambda t: t.replace("  - Home", "  -   Home"),
        lambda t: t.replace("      - Host:", "     - Host:"),
        lambda t: t.replace("Overview: modules", "Overview:\tmodules"),
        lambda t: t.replace("theme:", "nav: []\ntheme:"),
        lambda t: t.replace("theme:", "extra: |\n  nav:\ntheme:"),
        lambda t: t.replace("- Empty:", "- Empty:\n              more: x"),
        lambda t: t.replace("- Empty:", "- Empty:\n               - one.md"),
        lambda t: t.replace("- Empty:", "- Empty:\n           - one.md"),
        lambda t: t.replace("Home: index.md", "Home: a\u2028b.md"),
        lambda t: t.replace("Home: index.md", "Home\x85: index.md"),
        lambda t: t.replace("Home: index.md", "Home: \ufeffindex.md"),
        # keys YAML types (MkDocs' titles 1.1, True, 8, a date): the YAML reader's reading
        lambda t: t.replace("- Home:", "- 1.10:"),
        lambda t: t.replace("- Home:", "- Yes:"),
        lambda t: t.replace("- Empty:", "- 010:"),
        lambda t: t.replace("- Empty:", "- 2024-01-02:"),
    ],
)
def test_odd_navs_agree(tmp_path: Path, change) -> None:
    fast, slow = both(tmp_path, change(PLAIN_NAV))
    assert fast == slow


PLAIN = ["Overview", "API", "a.md", "b/c.md", "Data Model", "x.md"] * 4
TOKENS = [
    "Data Model",
    "a.md",
    "modules/x/api.md",
    "~",
    "null",
    "NULL",
    "yes",
    "1.5",
    "<<",
    "R&D",
    "x: y",
    "x:y",
    "x:",
    ":x",
    "#c",
    "a #b",
    "a#b",
    "'q'",
    "it's",
    '"q"',
    "!tag",
    "!!python/name:x",
    "&a",
    "*a",
    "-x",
    "- x",
    "? k",
    "?k",
    "@x",
    "`x",
    "%x",
    "|",
    ">",
    "[a]",
    "a[b]",
    "{a}",
    "a,b",
    "http://x.example/a?b=c",
    "é ü 中",
    "a\tb",
    "a\u2028b",
    "a\x85b",
    "a\ufeffb",
    "a\x7fb",
    "a  b",
    "a ",
    "",
    "x" * 1030,
    "1.10",
    "On",
    "2024-01-02",
]


@st.composite
def navs(draw: st.DrawFn) -> str:
    lines: list[str] = []

    def items(col: int, depth: int) -> None:
        for _ in range(draw(st.integers(1, 3))):
            key = draw(st.sampled_from(PLAIN + TOKENS))
            value = draw(st.sampled_from(PLAIN + TOKENS))
            form = draw(st.sampled_from(["page", "page", "bare", "section", "section", "null"]))
            pad = " " * col
            space = draw(st.sampled_from(["", "", "", " ", "  "]))
            if form == "page":
                lines.append(f"{pad}- {key}: {value}{space}")
            elif form == "bare":
                lines.append(f"{pad}- {value}{space}")
            elif form == "null":
                lines.append(f"{pad}- {key}:{space}")
            else:
                lines.append(f"{pad}- {key}:{space}")
                if depth < 3:
                    items(col + draw(st.sampled_from([2, 2, 4, 1, 3, 0])), depth + 1)
            extra = draw(st.sampled_from(["", "", "", "", "blank", "comment", "deep", "shallow"]))
            if extra == "blank":
                lines.append("")
            elif extra == "comment":
                lines.append(" " * draw(st.integers(0, 6)) + "# note")
            elif extra == "deep":
                lines.append(" " * (col + 2) + draw(st.sampled_from(TOKENS)))
            elif extra == "shallow":
                lines.append(" " * max(col - 1, 0) + "- " + draw(st.sampled_from(TOKENS)))

    head = draw(st.sampled_from(["nav:", "nav:", "nav:  ", "nav: # c", '"nav":']))
    items(draw(st.sampled_from([2, 2, 0, 4])), 0)
    tail = draw(st.sampled_from(["", "theme: material\n", "nav: []\n", "- stray\n", "---\n"]))
    text = "site_name: S\n" + head + "\n" + "\n".join(lines) + "\n" + tail
    if draw(st.booleans()) and draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    return text


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(navs())
def test_any_nav_reads_the_same_both_ways(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        fast, slow = both(Path(tmp), text)
    assert fast == slow


def test_keys_yaml_types_are_titled_as_mkdocs_titles_them(tmp_path: Path) -> None:
    text = PLAIN_NAV.replace("- Home:", "- 1.10:").replace("- Empty:", "- Off:")
    assert config._read_config_yaml(text, "mkdocs.yml", {})[2] is None  # not the quick way
    fast, slow = both(tmp_path, text)
    assert fast == slow
    assert not isinstance(fast, str)
    assert fast.nav[0].title == "1.1"
    assert fast.nav[1].children[0].children[1].title == "False"


def test_plain_navs_take_the_quick_way_and_the_rest_do_not() -> None:
    # The property above means something only if both ways are taken: plain titles go the
    # quick way, and each odd one (quotes, comments, aliases, nulls) is told apart.
    rng = random.Random(5)
    quick = 0
    for _ in range(200):
        lines = ["site_name: S", "nav:"]
        odd = False
        for g in range(rng.randint(1, 4)):
            lines.append(f"  - Group {g}:")
            for _ in range(rng.randint(0, 3)):
                title = rng.choice(["Data Model", "API", "R&D", "it's", "x:y", "a #b"])
                target = rng.choice(["a.md", "b/c.md", "null", "*a"])
                odd = odd or title in ("x:y", "a #b") or target == "*a"
                lines.append(f"      - {title}: {target}")
        try:
            found = config._read_config_yaml("\n".join(lines) + "\n", "mkdocs.yml", {})[2]
        except DocsConfigError:  # an alias to no anchor: the YAML reader's error
            found = None
        assert (found is None) == odd
        quick += found is not None
    assert quick > 20
