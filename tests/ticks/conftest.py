"""The tick service for the tick tests; the remote, settings and databases are in
tests/support."""

from __future__ import annotations

from bot.config import Settings
from bot.store.db import engine
from bot.ticks.service import TickService, build_tick_service


def service(settings: Settings, **kw: object) -> TickService:
    found = build_tick_service(settings, engine(settings.database_url), **kw)  # type: ignore[arg-type]
    assert found is not None
    return found
