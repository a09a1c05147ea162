"""The roadmap as JSON-ready dicts. Key names are a contract: scripts rely on them."""

from __future__ import annotations

from typing import Any

from .analysis import Blocker, blockers, column_readiness, next_modules, rules_for_group
from .forecast import Forecast, Forecasts
from .model import Group, Module, Roadmap


def roadmap_json(roadmap: Roadmap, forecast: Forecasts | None = None) -> dict[str, Any]:
    """`forecast` comes from the history (bot.roadmap.forecast); None: not known."""
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
        "forecast": forecast_json(forecast) if forecast is not None else None,
    }


def forecast_json(found: Forecasts) -> dict[str, Any]:
    """When each group and the roadmap will be done at the pace of the last `weeks` weeks:
    `status` is "done", "on pace" (with `done_by`, a date) or "no progress" (no date)."""
    return {
        "now": found.now.isoformat(),
        "weeks": found.weeks,
        **_forecast(found.overall),
        "groups": [{"name": f.name, **_forecast(f)} for f in found.groups],
    }


def _forecast(f: Forecast) -> dict[str, Any]:
    return {
        "done": f.done,
        "total": f.total,
        "per_week": round(f.per_week, 2),
        "status": f.status,
        "done_by": f.done_by.date().isoformat() if f.done_by else None,
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
