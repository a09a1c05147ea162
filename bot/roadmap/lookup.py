"""Find a module, group or column the way people type it.

Exact (case-insensitive, spaces normalized) beats a unique prefix, which beats word prefixes
("data contract", "contr reg"); a fuzzy match is never taken on its own, only suggested.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from .model import Group, Module, Roadmap, normalize

T = TypeVar("T")


@dataclass(frozen=True)
class Found(Generic[T]):
    """`item` when the query names exactly one; else `candidates` (ambiguous) or
    `suggestions` (nothing matched; the closest names)."""

    query: str
    item: T | None = None
    candidates: tuple[T, ...] = ()
    suggestions: tuple[T, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.item is not None


def find(items: Sequence[T], query: str, name: Callable[[T], str], limit: int = 5) -> Found[T]:
    q = normalize(query)
    if not q:
        return Found(query)
    keys = [normalize(name(it)) for it in items]
    for stage in (_exact, _prefix, _word_prefix):
        hits = [it for it, k in zip(items, keys, strict=True) if stage(k, q)]
        if len(hits) == 1:
            return Found(query, item=hits[0])
        if hits:
            return Found(query, candidates=tuple(hits))
    close = difflib.get_close_matches(q, keys, n=limit, cutoff=0.6)
    by_key: dict[str, list[T]] = {}
    for it, k in zip(items, keys, strict=True):
        by_key.setdefault(k, []).append(it)
    return Found(query, suggestions=tuple(it for k in dict.fromkeys(close) for it in by_key[k]))


def _exact(key: str, q: str) -> bool:
    return key == q


def _prefix(key: str, q: str) -> bool:
    return key.startswith(q)


def _word_prefix(key: str, q: str) -> bool:
    """Each query word starts a word of the name, in order ("contr reg")."""
    words = key.split(" ")
    i = 0
    for part in q.split(" "):
        while i < len(words) and not words[i].startswith(part):
            i += 1
        if i == len(words):
            return False
        i += 1
    return True


def find_module(roadmap: Roadmap, query: str) -> Found[Module]:
    """A module by name; `Group/Module` picks among modules of the same name."""
    modules = roadmap.modules
    found = find(modules, query, lambda m: m.name)
    if found.ok or "/" not in query:
        return found
    # Try each "/" as the group separator: module names may contain "/" themselves.
    for i, ch in enumerate(query):
        if ch != "/":
            continue
        group = find(roadmap.groups, query[:i], lambda g: g.name)
        if group.item is not None:
            inside = find(group.item.modules, query[i + 1 :], lambda m: m.name)
            if inside.ok or inside.candidates:
                return Found(query, inside.item, inside.candidates)
    return found


def find_group(roadmap: Roadmap, query: str) -> Found[Group]:
    return find(roadmap.groups, query, lambda g: g.name)


def find_column(roadmap: Roadmap, query: str) -> Found[str]:
    return find(roadmap.columns, query, lambda c: c)
