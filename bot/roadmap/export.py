"""The roadmap as JSON-ready dicts. Key names are a contract: scripts rely on them."""

from __future__ import annotations

from typing import Any

from .analysis import Blocker, blockers, column_readiness, next_modules, rules_for_group
from .model import Group, Module, Roadmap


def roadmap_json(roadmap: Roadmap) -> dict[str, Any]:
    return {
        "columns": list(roadmap.columns),
        "dependency_order": list(roadmap.dependency_order),
        "groups": [group_json(g) for g in roadmap.groups],
        "rules": list(roadmap.rules),
        "done": roadmap.done,
        "total": roadmap.total,
        "column_readiness": {
            c: {"done": r.done, "total": r.total}
            for c in roadmap.columns
            if (r := column_readiness(roadmap, c))
        },
        "warnings": [str(w) for w in roadmap.warnings],
    }


def group_json(group: Group) -> dict[str, Any]:
    return {
        "name": group.name,
        "done": group.done,
        "total": group.total,
        "modules": [
            {"name": m.name, "cells": cells_json(m), "done": m.done, "total": m.total}
            for m in group.modules
        ],
    }


def cells_json(module: Module) -> dict[str, str]:
    return {c.column: c.state.value for c in module.cells}


def blockers_json(found: tuple[Blocker, ...]) -> list[dict[str, Any]]:
    return [{"group": b.group, "modules": [m.name for m in b.modules]} for b in found]


def module_json(roadmap: Roadmap, module: Module) -> dict[str, Any]:
    return {
        "name": module.name,
        "group": module.group,
        "line": module.line,
        "cells": cells_json(module),
        "done": module.done,
        "total": module.total,
        "blockers": blockers_json(blockers(roadmap, module)),
        "rules": list(rules_for_group(roadmap, module.group)),
    }


def next_json(roadmap: Roadmap) -> dict[str, Any]:
    return {
        "modules": [
            {"name": m.name, "group": m.group, "done": m.done, "total": m.total}
            for m in next_modules(roadmap)
        ]
    }


def column_json(roadmap: Roadmap, column: str) -> dict[str, Any]:
    """One column across the roadmap: per group, and the modules still open in it."""
    r = column_readiness(roadmap, column)
    groups = []
    for g in roadmap.groups:
        states = [c.state.value for m in g.modules if (c := m.cell(column)) is not None]
        total = sum(s != "n/a" for s in states)
        if total:
            groups.append({"name": g.name, "done": states.count("done"), "total": total})
    open_ = [m.name for m in roadmap.modules if (c := m.cell(column)) and c.state.value == "open"]
    return {"column": column, "done": r.done, "total": r.total, "groups": groups, "open": open_}
