from __future__ import annotations

import pytest

from bot.roadmap.model import Roadmap
from bot.roadmap.parse import parse
from tests.support.roadmaps import huge_roadmap


@pytest.fixture(scope="session")
def example(example_text: str) -> Roadmap:
    return parse(example_text)


@pytest.fixture(scope="session")
def huge() -> Roadmap:
    """2,000 modules in 100 groups, a long dependency order, names of every length."""
    return parse(huge_roadmap())
