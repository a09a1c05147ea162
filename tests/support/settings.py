"""Settings for tests: built from the test's own values only, never from the machine's
environment variables or a stray .env file."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from bot.config import Settings

    from .git import Remote

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://127.0.0.1:5432/test")
# The prefixes of every setting's environment variable (see DESIGN.md, Contracts).
SETTING_PREFIXES = ("ROADMAP", "SLACK", "DIGEST", "DATABASE", "GITHUB", "TICK")


def settings(**values: object) -> Settings:
    """Settings from `values` and the defaults only (no .env file)."""
    from bot.config import Settings

    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def clear_settings_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Unset every setting's environment variable and work in `tmp_path` (no stray .env)."""
    for name in list(os.environ):
        if name.split("_")[0] in SETTING_PREFIXES:
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def make_settings(remote: Remote, tmp_path: Path, database_url: str, **kw: object) -> Settings:
    """The tick path's settings: direct ticks to `remote`, U0001 allowed, a fresh cache."""
    values: dict[str, object] = {
        "roadmap_repo": str(remote.bare),
        "roadmap_branch": "main",
        "roadmap_path": "docs/roadmap.md",
        "cache_dir": str(tmp_path / f"cache-{uuid.uuid4().hex[:6]}"),
        "database_url": database_url,
        "tick_mode": "direct",
        "tick_allowed": "U0001",
        **kw,
    }
    return settings(**values)


def digest_settings(tmp_path: Path, **values: object) -> Settings:
    """The digest's settings: Paris time, a bot token, SQLite in `tmp_path`."""
    base: dict[str, object] = {
        "roadmap_path": "docs/roadmap.md",
        "cache_dir": str(tmp_path / "cache"),
        "database_url": f"sqlite:///{tmp_path}/state.db",
        "digest_tz": "Europe/Paris",
        "slack_bot_token": "xoxb-test",
    }
    base.update(values)
    return settings(**base)


def postgres_or_skip() -> str:
    """The test PostgreSQL's URL, or skip the test where no server answers."""
    from bot.store import db

    try:
        db.engine(POSTGRES_URL)
    except Exception as err:  # no server here: the SQLite tests still run
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}: {err}")
    return POSTGRES_URL
