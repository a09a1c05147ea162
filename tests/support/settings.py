"""Settings for tests: built from the test's own values only, never from the machine's
environment variables or a stray .env file."""

from __future__ import annotations

import os
import socket
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from bot.config import Settings

    from .git import Remote

ROOT = Path(__file__).resolve().parents[2]  # the checkout, for a bot subprocess's PYTHONPATH
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://127.0.0.1:5432/test")
# The bot's own environment variables (DESIGN.md, Contracts), which a test environment might
# carry in from outside: every test sets its own.
SETTING_PREFIXES = ("SLACK_", "ROADMAP_", "GITHUB_", "TICK_", "DIGEST_", "DATABASE_", "WEB_")
SETTING_NAMES = frozenset({"PORT", "LOG_FORMAT", "CACHE_DIR"})


def is_setting(name: str) -> bool:
    """Whether an environment variable is one the bot reads."""
    return name.upper().startswith(SETTING_PREFIXES) or name.upper() in SETTING_NAMES


def settings(**values: object) -> Settings:
    """Settings from `values` and the defaults only (no .env file)."""
    from bot.config import Settings

    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def clear_settings_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Unset every setting's environment variable and work in `tmp_path` (no stray .env)."""
    for name in list(os.environ):
        if is_setting(name):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def subprocess_env(tmp: Path, **values: str) -> dict[str, str]:
    """The environment for a bot subprocess (`python -m bot serve`): none of the machine's
    settings, this checkout importable, SQLite and the cache in `tmp` (not ~/.cache), then
    `values`."""
    env = {k: v for k, v in os.environ.items() if not is_setting(k)}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["DATABASE_URL"] = f"sqlite:///{tmp}/state.db"
    env["CACHE_DIR"] = str(tmp / "cache")
    env.update(values)
    return env


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now, for a server in another process."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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
