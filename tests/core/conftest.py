from __future__ import annotations

import pytest

from bot.roadmap.model import Roadmap
from bot.roadmap.parse import parse


@pytest.fixture(scope="session")
def reference(example_text: str) -> Roadmap:
    return parse(example_text, "roadmap.md")
