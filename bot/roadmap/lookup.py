"""Find a module, group or column the way people type it.

Exact (case-insensitive, spaces normalized) beats a unique prefix, which beats word prefixes
("data contract", "contr reg"); a fuzzy match is never taken on its own, only suggested.
An Index answers in well under a millisecond on a 10,000-module roadmap: exact names by dict,
prefixes by bisection over sorted names and sorted words.
"""

from __future__ import annotations

import bisect
import difflib
import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from .model import Group, Module, Roadmap, normalize

T = TypeVar("T")

FUZZY_ALL = 500  # up to this many names, fuzzy matching compares them all


@dataclass(frozen=True)
class Found(Generic[T]):
    """`item` when the query names exactly one; else `candidates` (ambiguous) or
    `suggestions` (nothing matched; the closest names)."""

    query: str
    item: T | None = None
    candidates: tuple[T, ...] = ()
    suggestions: tuple[T, ...] = ()

    @property
    def ok(self) -> bool:
        return self.item is not None


class Index(Generic[T]):
    def __init__(self, items: Sequence[T], name: Callable[[T], str]) -> None:
        self.items = list(items)
        self.keys = [normalize(name(it)) for it in self.items]
        self.exact: dict[str, list[int]] = {}
        for i, k in enumerate(self.keys):
            self.exact.setdefault(k, []).append(i)
        self.sorted = sorted((k, i) for i, k in enumerate(self.keys))
        self.words = sorted((w, i) for i, k in enumerate(self.keys) for w in set(k.split(" ")))
        self._trigrams: dict[str, list[str]] | None = None  # built on the first fuzzy miss

    def find(self, query: str, limit: int = 5) -> Found[T]:
        q = normalize(query)
        if not q:
            return Found(query)
        for stage in (self.exact.get, self._prefix, self._word_prefix):
            hits = stage(q) or []
            if len(hits) == 1:
                return Found(query, item=self.items[hits[0]])
            if hits:
                return Found(query, candidates=tuple(self.items[i] for i in hits))
        close = difflib.get_close_matches(q, self._near(q), n=limit, cutoff=0.6)
        return Found(query, suggestions=tuple(self.items[i] for k in close for i in self.exact[k]))

    def _near(self, q: str) -> list[str]:
        """The names worth a fuzzy comparison. difflib over 10,000 names takes ~120 ms, so a
        big roadmap first keeps the names sharing the most three-letter pieces with `q`."""
        keys = list(self.exact)
        if len(keys) <= FUZZY_ALL:
            return keys
        if self._trigrams is None:
            self._trigrams = {}
            for k in keys:
                for t in _trigrams(k):
                    self._trigrams.setdefault(t, []).append(k)
        shared: dict[str, int] = {}
        for t in _trigrams(q):
            for k in self._trigrams.get(t, ()):
                shared[k] = shared.get(k, 0) + 1
        return heapq.nlargest(FUZZY_ALL, shared, key=shared.__getitem__)

    def _prefix(self, q: str) -> list[int]:
        return sorted(i for _, i in _starting(self.sorted, q))

    def _word_prefix(self, q: str) -> list[int]:
        parts = q.split(" ")
        # Seed from the rarest part: "mod 3333 eng" should not walk every "module".
        seeds = min((_starting(self.words, p) for p in parts), key=len)
        return sorted({i for _, i in seeds if _word_prefix(self.keys[i], parts)})


def _trigrams(key: str) -> set[str]:
    padded = f"  {key} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def _starting(pairs: list[tuple[str, int]], prefix: str) -> list[tuple[str, int]]:
    lo = bisect.bisect_left(pairs, (prefix, -1))
    hi = bisect.bisect_left(pairs, (prefix + "\U0010ffff", -1))
    return pairs[lo:hi]


def _word_prefix(key: str, parts: list[str]) -> bool:
    """Each query word starts a word of the name, in order ("contr reg")."""
    words = key.split(" ")
    i = 0
    for part in parts:
        while i < len(words) and not words[i].startswith(part):
            i += 1
        if i == len(words):
            return False
        i += 1
    return True


def find(items: Sequence[T], query: str, name: Callable[[T], str]) -> Found[T]:
    return Index(items, name).find(query)


def _index(roadmap: Roadmap, kind: str) -> Index[object]:
    index = roadmap.cache.get(kind)
    if index is None:
        items: Sequence[Any] = {
            "index:modules": roadmap.modules,
            "index:groups": roadmap.groups,
            "index:columns": roadmap.columns,
        }[kind]
        index = roadmap.cache[kind] = Index(items, lambda x: x if isinstance(x, str) else x.name)
    return index  # type: ignore[return-value]  # the cache is dict[str, object]; this key only ever holds this type


def find_module(roadmap: Roadmap, query: str) -> Found[Module]:
    """A module by name; `Group/Module` picks among modules of the same name."""
    found: Found[Module] = _index(roadmap, "index:modules").find(query)  # type: ignore[assignment]  # the cache is dict[str, object]; this key only ever holds this type
    if found.ok or "/" not in query:
        return found
    # Try each "/" as the group separator: module names may contain "/" themselves.
    for i, ch in enumerate(query):
        if ch != "/":
            continue
        group = find_group(roadmap, query[:i])
        if group.item is not None:
            inside = find(group.item.modules, query[i + 1 :], lambda m: m.name)
            if inside.ok or inside.candidates:
                return Found(query, inside.item, inside.candidates)
    return found


def find_group(roadmap: Roadmap, query: str) -> Found[Group]:
    return _index(roadmap, "index:groups").find(query)  # type: ignore[return-value]  # the cache is dict[str, object]; this key only ever holds this type


def find_column(roadmap: Roadmap, query: str) -> Found[str]:
    return _index(roadmap, "index:columns").find(query)  # type: ignore[return-value]  # the cache is dict[str, object]; this key only ever holds this type


def names_exactly(roadmap: Roadmap, query: str) -> bool:
    """Whether `query` is, as a whole, the name of a module, a group or a column (so
    "Storage @2" is that module, not the roadmap on a date)."""
    key = normalize(query)
    return (
        key in _index(roadmap, "index:modules").exact
        or key in _index(roadmap, "index:groups").exact
        or key in _index(roadmap, "index:columns").exact
    )


def find_any(roadmap: Roadmap, query: str) -> Found[Module | Group | str]:
    """What `/roadmap <words>` or `show <words>` names: a module, a group or a column.

    Named exactly beats named loosely; among exact names a module beats a group beats a
    column ("Observability" is a module and a column). Loosely, a module or a group is
    taken only when the other kind matches nothing. A column is only ever taken exactly.
    """
    module = find_module(roadmap, query)
    group = find_group(roadmap, query)
    key = normalize(query)
    if module.item is not None and (module.item.key == key or "/" in query):
        return Found(query, item=module.item)
    if group.item is not None and group.item.key == key:
        return Found(query, item=group.item)
    column = next((c for c in roadmap.columns if normalize(c) == key), None)
    if column is not None:
        return Found(query, item=column)
    if module.item is not None and not group.candidates and group.item is None:
        return Found(query, item=module.item)
    if group.item is not None and not module.candidates and module.item is None:
        return Found(query, item=group.item)
    candidates: tuple[Module | Group, ...] = (
        module.candidates
        + group.candidates
        + tuple(x for x in (module.item, group.item) if x is not None)
    )
    return Found(query, candidates=candidates, suggestions=module.suggestions + group.suggestions)
