"""Roadmap files built from a few lists: for tests, for benchmarks (`bench/`), at any size.

`roadmap_text` writes the reference layout (one table, bold group rows, a dependency order,
development dependencies); `huge_roadmap` and `big_roadmap` scale it up. The Hypothesis
strategies that write every variant people write, with the parse each must give, are in
`tests/support/strategies.py`.
"""

from __future__ import annotations

import random

# The reference roadmap's columns (bot/examples/roadmap.md).
COLUMNS = [
    "Index",
    "Data Model",
    "API",
    "Observability",
    "Runbook",
    "Security",
    "Engineering Wiring",
]
NOT_APPLICABLE = ("n/a", "-")


def roadmap_text(
    groups: list[tuple[str, list[str]]],
    columns: list[str],
    states: dict[tuple[str, str], str] | None = None,
    order: list[str] | None = None,
    rules: list[str] | None = None,
    title: str = "Generated",
) -> str:
    """A roadmap file: one table, bold group rows, `states[(module, column)]` ("x", " ",
    or a not-applicable mark, "n/a" or "-", written as is) defaulting to open."""
    states = states or {}
    lines = [f"# {title}", ""]
    if order is not None:
        lines += ["## Dependency order", *(f"- {g}" for g in order), ""]
    lines += ["## Checklists", ""]
    lines.append("| Module | " + " | ".join(columns) + " |")
    lines.append("|---" * (len(columns) + 1) + "|")
    for group, modules in groups:
        lines.append(f"| **{group}** |" + " |" * len(columns))
        for m in modules:
            cells = []
            for c in columns:
                s = states.get((m, c), " ")
                cells.append(s if s in NOT_APPLICABLE else f"[{s}]")
            lines.append(f"| {m} | " + " | ".join(cells) + " |")
    if rules is not None:
        lines += ["", "## Development dependencies", *(f"- {r}" for r in rules)]
    return "\n".join(lines) + "\n"


def big_roadmap(modules: int = 10_000, per_group: int = 100, seed: int = 7) -> str:
    """The reference layout scaled up for benchmarks: `modules` modules, `per_group` to a
    group, random states (a quarter done, half open, a quarter not applicable), seeded."""
    rng = random.Random(seed)
    groups: list[tuple[str, list[str]]] = []
    states: dict[tuple[str, str], str] = {}
    n = 0
    for g in range(max(1, modules // per_group)):
        names: list[str] = []
        for _ in range(per_group):
            if n == modules:
                break
            marks = [rng.choice(["x", " ", " ", "-"]) for _ in COLUMNS]
            name = f"Module {n} {rng.choice(['Store', 'Engine', 'API', 'Gate'])}"
            states.update({(name, c): s for c, s in zip(COLUMNS, marks, strict=True)})
            names.append(name)
            n += 1
        groups.append((f"Group {g} Modules", names))
    order = [name for name, _ in groups]
    return roadmap_text(
        groups, COLUMNS, states, order, ["Group 0 before Group 1."], title="Roadmap"
    )


def huge_roadmap() -> str:
    """2,000 modules in 100 groups, a long dependency order, names of every length (up to
    Slack's limits and past them): the renderers' worst case."""
    columns = ["Index", "Data Model", "API", "Observability", "Runbook", "Security", "Wiring"]
    groups = []
    states: dict[tuple[str, str], str] = {}
    for g in range(100):
        gname = f"Group {g:03d} {'G' * (g * 3 % 250)}".strip()
        mods = []
        for i in range(20):
            mname = f"Module {g:03d}-{i:02d} {'m' * ((g * 20 + i) * 7 % 260)}".strip()
            mods.append(mname)
            for k, c in enumerate(columns):
                if (g + i + k) % 3 == 0 or g < 2:
                    states[(mname, c)] = "x"
                elif (g + i + k) % 11 == 0:
                    states[(mname, c)] = "n/a"
        groups.append((gname, mods))
    order = [name for name, _ in groups]
    rules = [f"Finish {name} before the next one." for name, _ in groups[:60]]
    return roadmap_text(groups, columns, states, order, rules, title="Huge " + "T" * 300)


# Two groups, four modules, one n/a cell: small enough to reason about by hand (the history
# and live tests build their git histories from it).
TWO_GROUPS = """\
# Roadmap

## Dependency order
- Host Modules
- Compute Modules

## Checklists

| Module | Docs | API | Tests |
|---|---|---|---|
| **Host Modules** | | | |
| Policy Engine | [x] | [ ] | [ ] |
| Tenant Management | [ ] | [ ] | - |
| **Compute Modules** | | | |
| Ingestion | [ ] | [ ] | [ ] |
| Publish | [ ] | [x] | [ ] |
"""
