from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bot.forge import Forge
from tests.fakes.github import FakeGitHub

TOKEN = "ghp_S3cretForgeTestToken0123456789abcdefXYZ"
REPOSITORY = "acme/docs"
HEAD = "roadmap-bot/docs-roadmap-md"
BASE = "main"


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub(token=TOKEN, repository=REPOSITORY) as gh:
        yield gh


@pytest.fixture
def sleeps() -> list[float]:
    """What the Forge asked to sleep, in order (nothing really sleeps)."""
    return []


@pytest.fixture
def make_forge(github: FakeGitHub, sleeps: list[float]) -> Iterator[Callable[..., Forge]]:
    made: list[Forge] = []

    def make(**kwargs: Any) -> Forge:
        token = kwargs.pop("token", TOKEN)
        repository = kwargs.pop("repository", REPOSITORY)
        api_url = kwargs.pop("api_url", github.url)
        kwargs.setdefault("sleep", sleeps.append)
        forge = Forge(
            token,
            repository,
            api_url,
            seconds_between_requests=None,
            seconds_between_writes=None,
            **kwargs,
        )
        made.append(forge)
        return forge

    yield make
    for forge in made:
        forge.close()


@pytest.fixture
def forge(make_forge: Callable[..., Forge]) -> Forge:
    return make_forge()
