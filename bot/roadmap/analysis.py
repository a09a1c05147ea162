"""What the roadmap says: readiness, blockers from the dependency order, what is next."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .model import CellState, Group, Module, Roadmap, normalize

# Words that name no particular group ("Host Modules" is about "Host").
_GENERIC_WORDS = {"modules", "module", "group", "groups", "and", "the", "of"}
_WORD = re.compile(r"[\w-]+")


@dataclass(frozen=True, slots=True)
class Readiness:
    done: int
    total: int

    @property
    def ratio(self) -> float:
        return self.done / self.total if self.total else 1.0

    @property
    def percent(self) -> int:
        return int(self.ratio * 100)  # floor: 99.9% is not "100%"

    def __str__(self) -> str:
        return f"{self.done}/{self.total}"


@dataclass(frozen=True, slots=True)
class Blocker:
    """A group earlier in the dependency order whose listed modules are not done yet."""

    group: str
    modules: tuple[Module, ...]


def readiness(item: Module | Group | Roadmap) -> Readiness:
    return Readiness(item.done, item.total)


def column_readiness(roadmap: Roadmap, column: str) -> Readiness:
    states = [c.state for m in roadmap.modules if (c := m.cell(column)) is not None]
    return Readiness(
        sum(s is CellState.DONE for s in states), sum(s is not CellState.NA for s in states)
    )


def order_index(roadmap: Roadmap) -> dict[str, int]:
    """Normalized group name -> position in the dependency order (first = must be ready first)."""
    return {normalize(name): i for i, name in enumerate(roadmap.dependency_order)}


def group_blockers(roadmap: Roadmap, group: Group) -> tuple[Blocker, ...]:
    index = order_index(roadmap)
    mine = index.get(group.key)
    if mine is None:
        return ()
    return tuple(b for b in _pending_in_order(roadmap) if index[normalize(b.group)] < mine)


def _pending_in_order(roadmap: Roadmap) -> tuple[Blocker, ...]:
    """Every ordered group's unfinished modules, in dependency order; computed once per
    roadmap, so `next` on 2,000 modules does not redo it per group."""
    found = roadmap.cache.get("pending_in_order")
    if found is None:
        index = order_index(roadmap)
        ordered = sorted((g for g in roadmap.groups if g.key in index), key=lambda g: index[g.key])
        found = roadmap.cache["pending_in_order"] = tuple(
            Blocker(g.name, pending)
            for g in ordered
            if (pending := tuple(m for m in g.modules if not m.is_done))
        )
    return found  # type: ignore[return-value]  # the cache is dict[str, object]; this key only ever holds this type


def blockers(roadmap: Roadmap, module: Module) -> tuple[Blocker, ...]:
    group = roadmap.group(module.group)
    return group_blockers(roadmap, group) if group else ()


def next_modules(roadmap: Roadmap) -> tuple[Module, ...]:
    """Modules not done and not blocked, in dependency order, then file order."""
    index = order_index(roadmap)
    last = len(index)
    ready = [
        (index.get(g.key, last), gi, mi, m)
        for gi, g in enumerate(roadmap.groups)
        if not group_blockers(roadmap, g)
        for mi, m in enumerate(g.modules)
        if not m.is_done
    ]
    return tuple(m for *_, m in sorted(ready, key=lambda r: r[:3]))


def rules_for_group(roadmap: Roadmap, group: str) -> tuple[str, ...]:
    """The development rules that mention `group`: its full name, or a word of its name
    that no other group's name has ("Utilities" for "Data Utilities Modules")."""
    words = {g.key: _name_words(g.name) for g in roadmap.groups}
    key = normalize(group)
    mine = words.get(key, _name_words(group))
    others = set().union(*(w for k, w in words.items() if k != key)) if words else set()
    distinctive = mine - others
    found = []
    for rule in roadmap.rules:
        rule_words = {w.casefold() for w in _WORD.findall(rule)}
        if key in normalize(rule) or distinctive & rule_words:
            found.append(rule)
    return tuple(found)


def _name_words(name: str) -> set[str]:
    return {w.casefold() for w in _WORD.findall(name)} - _GENERIC_WORDS
