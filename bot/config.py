"""Settings from the environment and `.env` (pydantic-settings). Names are a contract."""

from __future__ import annotations

import enum
from typing import Literal

from pydantic import ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .errors import SettingsError

DEFAULT_SLACK_API_URL = "https://slack.com/api/"


class TickMode(enum.StrEnum):
    """How a tick reaches the roadmap (TICK_MODE)."""

    PR = "pr"  # one rolling bot pull request
    DIRECT = "direct"  # a commit pushed straight to the branch
    LOCAL = "local"  # a commit to a repository on this machine


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = DEFAULT_SLACK_API_URL

    roadmap_repo: str | None = None  # git URL or local path; unset = the bundled example
    roadmap_branch: str = "main"
    roadmap_path: str = "docs/roadmap.md"
    roadmap_refresh_seconds: float = 60.0  # read the branch again at most this often
    cache_dir: str | None = None  # where remote repos are cloned; default ~/.cache/roadmap-bot

    tick_mode: TickMode | None = None
    tick_allowed: str | None = None
    github_token: str | None = None
    github_api_url: str = "https://api.github.com"
    github_repository: str | None = None
    tick_author_name: str = "roadmap-bot"
    tick_author_email: str = "roadmap-bot@users.noreply.github.com"
    tick_interval_seconds: float = 60.0  # re-check the bot PR (merged? base moved?) this often
    # pr mode: regenerate the bot branch on a new tick or when GitHub cannot merge it (auto),
    # or also whenever the base moves (always); like Renovate's rebaseWhen.
    tick_rebase: Literal["auto", "always"] = "auto"

    github_webhook_secret: str | None = None  # POST /github/webhook verifies events with it
    live_poll_seconds: float = 60.0  # the change feed reads the branch this often (webhook: now)

    digest_channel: str | None = None
    digest_cron: str = "0 9 * * mon"
    digest_tz: str = "UTC"

    database_url: str = "sqlite:///roadmap-bot.db"
    port: int = 3000
    log_format: Literal["text", "json"] = "text"
    web_concurrency: int = 1  # gunicorn worker processes
    web_threads: int = 16  # threads per worker: requests served concurrently

    @field_validator("slack_api_url")
    @classmethod
    def _slash(cls, v: str) -> str:
        return v if v.endswith("/") else v + "/"


def load_settings(**overrides: object) -> Settings:
    """Settings, or a SettingsError naming the bad setting in one line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]  # pydantic-settings accepts field values as keyword overrides
    except ValidationError as err:
        first = err.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        raise SettingsError(f"setting {name}: {first['msg']}") from None
