"""Fixtures every test directory may use, registered once in tests/conftest.py
(`pytest_plugins`), so no conftest imports another."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest

from tests.fakes.git_http import GitHttp

from .git import Remote, make_remote
from .settings import postgres_or_skip


@pytest.fixture(scope="session")
def example_text() -> str:
    """The bundled reference roadmap, read byte-exactly."""
    example = resources.files("bot").joinpath("examples/roadmap.md")
    with example.open(encoding="utf-8", newline="") as f:
        return f.read()


@pytest.fixture
def remote(tmp_path: Path, example_text: str) -> Remote:
    """A bare remote whose main holds the reference roadmap, and a work clone of it."""
    return make_remote(tmp_path, example_text)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test twice: on SQLite in tmp_path, and on the test PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/state.db"
    return postgres_or_skip()


@pytest.fixture
def git_http(remote: Remote, monkeypatch: pytest.MonkeyPatch) -> Iterator[GitHttp]:
    """`remote` served over HTTPS by the real `git http-backend` at
    `git_http.url("remote.git")`, open to anyone until a test sets `token`; git in this
    process (and its children) trusts the server's certificate."""
    with GitHttp(remote.bare.parent) as server:
        monkeypatch.setenv("GIT_SSL_CAINFO", str(server.ca_file))
        yield server
