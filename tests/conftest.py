from __future__ import annotations

from importlib import resources

import pytest


@pytest.fixture(scope="session")
def example_text() -> str:
    """The bundled reference roadmap, read byte-exactly."""
    example = resources.files("bot").joinpath("examples/roadmap.md")
    with example.open(encoding="utf-8", newline="") as f:
        return f.read()
