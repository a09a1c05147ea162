from __future__ import annotations

from importlib import resources

import pytest


@pytest.fixture(scope="session")
def example_text() -> str:
    """The bundled reference roadmap, read byte-exactly."""
    with resources.files("bot").joinpath("examples/roadmap.md").open(encoding="utf-8", newline="") as f:
        return f.read()
