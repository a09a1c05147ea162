"""Generated roadmaps for benchmarks: the reference layout, scaled up."""

from __future__ import annotations

import random

COLUMNS = [
    "Index",
    "Data Model",
    "API",
    "Observability",
    "Runbook",
    "Security",
    "Engineering Wiring",
]


def big_roadmap(modules: int = 10_000, per_group: int = 100, seed: int = 7) -> str:
    rng = random.Random(seed)
    groups = max(1, modules // per_group)
    lines = ["# Roadmap", "", "## Dependency order"]
    lines += [f"- Group {g} Modules" for g in range(groups)]
    lines += ["", "## Checklists", ""]
    lines.append("| Module | " + " | ".join(COLUMNS) + " |")
    lines.append("|---" * (len(COLUMNS) + 1) + "|")
    n = 0
    for g in range(groups):
        lines.append(f"| **Group {g} Modules** |" + " |" * len(COLUMNS))
        for _ in range(per_group):
            if n == modules:
                break
            cells = [rng.choice(["[x]", "[ ]", "[ ]", "-"]) for _ in COLUMNS]
            lines.append(
                f"| Module {n} {rng.choice(['Store', 'Engine', 'API', 'Gate'])} | "
                + " | ".join(cells)
                + " |"
            )
            n += 1
    lines += ["", "## Development dependencies", "- Group 0 before Group 1.", ""]
    return "\n".join(lines)
