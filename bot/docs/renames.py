"""Renamed modules: a roadmap row whose section the nav now calls something else.

Without this a rename reads as two findings that do not know of each other: the row's
``module-missing`` and the new section's ``module-not-in-roadmap``. :func:`pair` joins them
into one ``module-renamed`` when the evidence is strong:

1. git (when drift reads a repository): a page under the module's old directory (a directory
   or page stem named ``slug(module)``) was renamed, maybe several times, to a page the nav
   module holds. :func:`history_renames` reads those renames with one ``git log``.
2. names (always): every distinctive word of one name is in the other (``Calendar`` and
   ``GDP Calendar``; the nav directory's slug counts as a name too). A word shared by two
   unrelated names (``Management``) is not enough: one side's words must all be in the other.

Either way a pair is made only when it is the only one for both sides, so two lost rows
and two new sections are never cross-paired on a guess. Pure, except
:func:`history_renames`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.errors import GitError
from bot.repo.git import Git

from .tree import GitTree, Tree, WorkTree

HISTORY = "1.year.ago"  # how far back git's renames are looked for (the walk stops there)
MAX_COMMITS = 200  # renaming commits read at most
TIMEOUT = 30.0
# Words that name no module in particular: sharing them proves nothing.
GENERIC = frozenset({"a", "an", "and", "of", "the", "for", "to", "in", "on", "module", "modules"})

_STATUS = re.compile(r"R\d*")


@dataclass(frozen=True, slots=True)
class Rename:
    """One file git saw renamed (repo-relative paths)."""

    commit: str
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class Lost:
    """A roadmap module with no nav item and no directory (what `module-missing` says)."""

    key: int
    name: str
    slug: str


@dataclass(frozen=True, slots=True)
class Unnamed:
    """A nav module no roadmap row names (what `module-not-in-roadmap` says)."""

    key: int
    title: str
    dir: str | None  # docs-relative directory of its pages
    pages: frozenset[str]  # docs-relative


@dataclass(frozen=True, slots=True)
class Pairing:
    lost: int
    unnamed: int
    commits: tuple[str, ...] = ()  # the renaming commits, oldest first; () from names alone
    old: str | None = None  # docs-relative directory (or page) the module was at
    new: str | None = None  # ... and is at now


def words(name: str) -> frozenset[str]:
    return frozenset(w for w in re.split(r"[\W_]+", name.casefold()) if w) - GENERIC


def _names_match(mine: frozenset[str], theirs: tuple[frozenset[str], ...]) -> bool:
    return bool(mine) and any(other and (mine <= other or other <= mine) for other in theirs)


def pair(
    lost: Sequence[Lost],
    unnamed: Sequence[Unnamed],
    renames: Sequence[Rename] = (),
    docs_dir: str = "",
) -> list[Pairing]:
    """Each lost module paired with the nav module it became, where only one fits."""
    found: dict[int, Pairing] = {}
    seen: set[int] = set()  # rows and nav modules git saw pages move between
    if renames:
        paired, seen = _by_git(lost, unnamed, renames, docs_dir)
        found = {p.lost: p for p in paired}
    # What git saw and could not pair (a split, a merge) is not for the names to guess at.
    free = [u for u in unnamed if u.key not in seen]
    rest = [x for x in lost if x.key not in found and x.key not in seen]
    theirs = [
        (u.key, (words(u.title), words(u.dir.rpartition("/")[2]) if u.dir else frozenset()))
        for u in free
    ]
    by_name: dict[int, list[int]] = {}
    for x in rest:
        mine = words(x.name)
        by_name[x.key] = [k for k, names in theirs if _names_match(mine, names)]
    wanted: dict[int, int] = {}
    for keys in by_name.values():
        for k in keys:
            wanted[k] = wanted.get(k, 0) + 1
    for x in rest:
        keys = by_name[x.key]
        if len(keys) == 1 and wanted[keys[0]] == 1:
            found[x.key] = Pairing(x.key, keys[0])
    return list(found.values())


def _by_git(
    lost: Sequence[Lost], unnamed: Sequence[Unnamed], renames: Sequence[Rename], docs_dir: str
) -> tuple[list[Pairing], set[int]]:
    """The pairs git's renames make, and the keys of every row and nav module they touch."""
    prefix = f"{docs_dir}/" if docs_dir else ""

    # docs-relative; a file moved into or out of docs_dir is no page renamed
    events = [
        (r.commit, r.old[len(prefix) :], r.new[len(prefix) :])
        for r in renames
        if r.old.startswith(prefix) and r.new.startswith(prefix)
    ]
    # Where each page ended up: a chain a -> b -> c followed to c (renames oldest first).
    later: dict[str, list[tuple[int, str, str]]] = {}
    for i, (commit, old, new) in enumerate(events):
        later.setdefault(old, []).append((i, commit, new))

    def follow(i: int, path: str) -> tuple[str, list[str]]:
        commits: list[str] = []
        while True:
            nxt = [e for e in later.get(path, ()) if e[0] > i]
            if not nxt:
                return path, commits
            i, commit, path = nxt[0]
            commits.append(commit)

    home: dict[str, int] = {}
    for u in unnamed:
        for p in u.pages:
            home[p] = u.key
    votes: dict[int, dict[int, list[tuple[str, str, str, list[str]]]]] = {}
    # Each renamed path under the names of its directories and its stem: a module's renames
    # are then looked up by its slug, not searched for in every rename.
    named: dict[str, list[tuple[int, str]]] = {}
    for i, (_, old, _) in enumerate(events):
        parts = old.split("/")
        done: set[str] = set()
        for n, part in enumerate(parts):
            name = part.casefold() if n < len(parts) - 1 else _stem(part)
            if name not in done:  # the outermost directory of that name
                done.add(name)
                named.setdefault(name, []).append((i, "/".join(parts[: n + 1])))
    for x in lost:
        for i, old_dir in named.get(x.slug, ()):
            commit, old, new = events[i]
            if new == old_dir or new.startswith(old_dir + "/"):
                continue  # a page renamed inside the module's directory: no module rename
            final, more = follow(i, new)
            key = home.get(final)
            if key is not None:
                votes.setdefault(x.key, {}).setdefault(key, []).append(
                    (old_dir, old, final, [commit, *more])
                )
    out: list[Pairing] = []
    claimed: dict[int, int] = {}
    for hits in votes.values():
        for k in hits:
            claimed[k] = claimed.get(k, 0) + 1
    by_key = {u.key: u for u in unnamed}
    seen = set(votes) | set(claimed)
    for lost_key, hits in votes.items():
        if len(hits) != 1:
            continue  # its pages went to several nav modules: a split, not a rename
        u_key, moves = next(iter(hits.items()))
        if claimed[u_key] != 1:
            continue
        old_dir, old, final, _ = moves[0]
        rest = old[len(old_dir) :]  # "/api.md", or "" for a single-page module
        if not rest:  # a page: where it is now
            new_dir: str | None = final
        elif final.endswith(rest):  # the directory, the same pages in it
            new_dir = final[: -len(rest)]
        else:
            new_dir = by_key[u_key].dir
        commits = tuple(dict.fromkeys(c for m in moves for c in m[3]))
        out.append(Pairing(lost_key, u_key, commits, old_dir, new_dir or final))
    return out, seen


def _stem(name: str) -> str:
    return name.rpartition(".")[0].casefold() if "." in name else name.casefold()


def history_renames(tree: Tree, docs_dir: str) -> tuple[Rename, ...]:
    """Renames under `docs_dir` in the history of the commit `tree` is (the work tree: HEAD),
    oldest first: one ``git log``. None when there is no repository or it cannot be read (a
    work tree outside git, a repository without commits): the names then decide alone."""
    if isinstance(tree, GitTree):
        cwd, rev = Path(tree.git_dir), tree.commit
    elif isinstance(tree, WorkTree) and (tree.root / ".git").exists():
        cwd, rev = tree.root, "HEAD"
    else:
        return ()
    try:
        out = Git(cwd, timeout=TIMEOUT).run(
            "log",
            "-M",
            "--diff-filter=R",
            "--name-status",
            "-z",
            "--format=%x00commit %H",
            f"--since={HISTORY}",
            f"--max-count={MAX_COMMITS}",
            rev,
            "--",
            docs_dir or ".",
        )
    except GitError:
        return ()
    return tuple(reversed(parse_log(out.decode("utf-8", "surrogateescape"))))


def parse_log(text: str) -> list[Rename]:
    """`git log -z --name-status --format=%x00commit %H` as renames, newest first."""
    out: list[Rename] = []
    tokens = text.split("\0")
    commit = ""
    i = 0
    while i < len(tokens):
        token = tokens[i].lstrip("\n")
        if token.startswith("commit "):
            commit = token[len("commit ") :]
        elif _STATUS.fullmatch(token) and i + 2 < len(tokens):
            # renames of one commit are newest-first too when the list is reversed as a whole
            out.append(Rename(commit, tokens[i + 1], tokens[i + 2]))
            i += 2
        i += 1
    return out
