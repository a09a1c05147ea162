"""What changed between two versions of the roadmap, as people care about it.

`cell_changes` is the net change of every cell (ticks, unticks, modules added or removed):
comparing two versions rather than replaying commits is what keeps a force-push from
announcing a tick twice (the rewritten commit ticks the same cell the version before already
had done). `unblocked_groups` reads the dependency order: a group is unblocked when every
earlier group is done. `watch_events` are the moments a watcher hears of: a module or group
unblocked or done, a group crossing half way.

Pure: two Roadmap values in, values out. Modules are paired by group and name (then by name
alone, so a module moved to another group is no change).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from .analysis import group_blockers, readiness
from .model import CellState, Group, Module, Roadmap, normalize


class Kind(enum.StrEnum):
    TICK = "tick"
    UNTICK = "untick"
    MODULE_ADDED = "module_added"
    MODULE_REMOVED = "module_removed"


@dataclass(frozen=True, slots=True)
class CellChange:
    group: str
    module: str
    column: str | None  # None for a module added or removed
    kind: Kind

    @property
    def module_key(self) -> str:
        return normalize(self.module)


@dataclass(frozen=True, slots=True)
class Unblock:
    """A group whose earlier groups are now all done, and its modules that can start."""

    group: str
    modules: tuple[str, ...]


class Event(enum.StrEnum):
    UNBLOCKED = "unblocked"
    HALF = "half"  # a group crossed 50% of its cells done
    DONE = "done"


@dataclass(frozen=True, slots=True)
class WatchEvent:
    target: str  # watch_key() of the module or group
    name: str  # as the file writes it
    is_group: bool
    event: Event


def watch_key(item: Module | Group) -> str:
    """How a watch names what it watches: `module:group/name` or `group:name`, normalized."""
    if isinstance(item, Module):
        return f"module:{normalize(item.group)}/{item.key}"
    return f"group:{item.key}"


def _pair(before: Roadmap, module: Module) -> Module | None:
    old = before.cache.get("transitions:modules")
    if old is None:
        by_qualified: dict[tuple[str, str], Module] = {}
        by_name: dict[str, Module] = {}
        for m in before.modules:
            by_qualified.setdefault((normalize(m.group), m.key), m)
            by_name.setdefault(m.key, m)
        old = before.cache["transitions:modules"] = (by_qualified, by_name)
    by_qualified, by_name = old  # type: ignore[misc]  # the cache is dict[str, object]; this key only ever holds this pair
    found: Module | None = by_qualified.get((normalize(module.group), module.key))
    return found if found is not None else by_name.get(module.key)


def _done(state: CellState | None) -> bool:
    return state is CellState.DONE


def cell_changes(before: Roadmap, after: Roadmap) -> list[CellChange]:
    """Every tick, untick, module added and module removed from `before` to `after`, in the
    order of `after` (removed modules last, in the order of `before`)."""
    out: list[CellChange] = []
    paired: set[int] = set()
    for module in after.modules:
        old = _pair(before, module)
        if old is None:
            out.append(CellChange(module.group, module.name, None, Kind.MODULE_ADDED))
            continue
        paired.add(id(old))
        for cell in module.cells:
            was = old.cell(cell.column)
            if was is None:
                continue  # a new column has no before
            if _done(cell.state) and not _done(was.state):
                out.append(CellChange(module.group, module.name, cell.column, Kind.TICK))
            elif _done(was.state) and not _done(cell.state):
                out.append(CellChange(module.group, module.name, cell.column, Kind.UNTICK))
    for old in before.modules:
        if id(old) not in paired:
            out.append(CellChange(old.group, old.name, None, Kind.MODULE_REMOVED))
    return out


def _blocked(roadmap: Roadmap, group: Group | None) -> bool:
    return group is not None and bool(group_blockers(roadmap, group))


def unblocked_groups(before: Roadmap, after: Roadmap) -> list[Unblock]:
    """Groups blocked in `before` (an earlier group not done) and not in `after`, in the
    dependency order, with their modules that are not done (those can start)."""
    out = []
    for name in after.dependency_order:
        group = after.group(name)
        if group is None or _blocked(after, group) or not _blocked(before, before.group(name)):
            continue
        out.append(Unblock(group.name, tuple(m.name for m in group.modules if not m.is_done)))
    return out


def watch_events(before: Roadmap, after: Roadmap, targets: set[str]) -> list[WatchEvent]:
    """The events of the watched `targets` (watch_key values) from `before` to `after`."""
    out: list[WatchEvent] = []
    if not targets:
        return out
    for group in after.groups:
        old_group = before.group(group.name)
        key = watch_key(group)
        if key in targets and old_group is not None:
            if _blocked(before, old_group) and not _blocked(after, group):
                out.append(WatchEvent(key, group.name, True, Event.UNBLOCKED))
            was, now = readiness(old_group), readiness(group)
            if now.total and was.ratio < 0.5 <= now.ratio and not group.is_done:
                out.append(WatchEvent(key, group.name, True, Event.HALF))
            if group.is_done and not old_group.is_done and group.modules:
                out.append(WatchEvent(key, group.name, True, Event.DONE))
        for module in group.modules:
            key = watch_key(module)
            if key not in targets:
                continue
            old = _pair(before, module)
            if old is None:
                continue
            if (
                not module.is_done
                and _blocked(before, before.group(old.group))
                and not _blocked(after, group)
            ):
                out.append(WatchEvent(key, module.name, False, Event.UNBLOCKED))
            if module.is_done and not old.is_done:
                out.append(WatchEvent(key, module.name, False, Event.DONE))
    return out
