from __future__ import annotations

import pytest

from bot.roadmap.model import Roadmap
from bot.roadmap.parse import parse

from .helpers import roadmap_text


@pytest.fixture(scope="session")
def example(example_text: str) -> Roadmap:
    return parse(example_text)


@pytest.fixture(scope="session")
def huge() -> Roadmap:
    """2,000 modules in 100 groups, a long dependency order, names of every length."""
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
    return parse(roadmap_text(groups, columns, states, order, rules, title="Huge " + "T" * 300))
