"""The roadmap as JSON-ready dicts. Key names are a contract: scripts rely on them."""

from __future__ import annotations

from typing import Any

from pydantic_core import to_json

from .analysis import Blocker, blockers, column_readiness, next_modules, rules_for_group
from .forecast import Forecast, Forecasts
from .model import CellState, Group, Module, Roadmap, Vocabulary


def dumps(data: Any) -> str:
    """JSON as `json.dumps(data, indent=2, ensure_ascii=False)` writes it, ~7x faster
    (pydantic-core's encoder): `show --json` of a big roadmap spent most of its time here."""
    return to_json(data, indent=2).decode()


def dumps_utf8(data: Any) -> bytes:
    """`dumps(data)` as UTF-8 bytes, for writing out without decoding first."""
    return to_json(data, indent=2)


def roadmap_json(roadmap: Roadmap, forecast: Forecasts | None = None) -> dict[str, Any]:
    """`forecast` comes from the history (bot.roadmap.forecast); None: not known."""
    groups = [group_json(g) for g in roadmap.groups]
    # Per-column readiness in one pass over the cells (not one lookup per column and module).
    done = dict.fromkeys(roadmap.columns, 0)
    total = dict.fromkeys(roadmap.columns, 0)
    for m in roadmap.modules:
        for c in m.cells:
            if c.state is not CellState.NA:
                total[c.column] += 1
                if c.state is CellState.DONE:
                    done[c.column] += 1
    return {
        "columns": list(roadmap.columns),
        "dependency_order": list(roadmap.dependency_order),
        "groups": groups,
        "rules": list(roadmap.rules),
        "done": sum(done.values()),
        "total": sum(total.values()),
        "column_readiness": {c: {"done": done[c], "total": total[c]} for c in roadmap.columns},
        "vocabulary": vocabulary_json(roadmap.vocabulary),
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


def vocabulary_json(vocabulary: Vocabulary) -> dict[str, Any]:
    """Which symbol means what and where that came from: a legend line or the default."""
    return {
        "source": "legend" if vocabulary.from_legend else "default",
        "symbols": [
            {
                "symbol": s.text,
                "state": s.state.value,
                "meaning": s.meaning,
                "source": "default" if s.line is None else f"line {s.line}",
                "line": s.line,
            }
            for s in vocabulary.symbols
        ],
    }


def group_json(group: Group) -> dict[str, Any]:
    modules = []
    done = total = 0
    for m in group.modules:
        cells = cells_json(m)
        states = list(cells.values())
        m_done = states.count("done")
        m_total = len(states) - states.count("n/a")
        done += m_done
        total += m_total
        modules.append({"name": m.name, "cells": cells, "done": m_done, "total": m_total})
    return {"name": group.name, "done": done, "total": total, "modules": modules}


# A state's value by a dict lookup, not the enum's `.value` property: a big roadmap's
# `show --json` reads it for every cell.
_VALUE = {state: state.value for state in CellState}


def cells_json(module: Module) -> dict[str, str]:
    """Column -> "done" / "open" / "progress" / "n/a"."""
    value = _VALUE
    return {c.column: value[c.state] for c in module.cells}


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
    progress = [
        m.name for m in roadmap.modules if (c := m.cell(column)) and c.state.value == "progress"
    ]
    return {
        "column": column,
        "done": r.done,
        "total": r.total,
        "groups": groups,
        "open": open_,
        "progress": progress,
    }
