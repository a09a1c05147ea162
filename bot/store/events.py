"""Slack Events API deliveries already taken, shared by every instance on the database.

Slack delivers an event again when it thinks the first delivery timed out (up to three
retries over about five minutes), and a retry may reach another instance. The primary key
makes taking an event_id atomic on SQLite and PostgreSQL alike: an INSERT that fails with an
IntegrityError means someone took it. Rows older than KEEP are dropped now and then.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, insert
from sqlalchemy.exc import IntegrityError

from .schema import slack_events

KEEP = timedelta(hours=1)  # far past Slack's last retry
_PRUNE_EVERY = 100  # takes between two prunings, per process
_takes = itertools.count(1)


def take(engine: Engine, event_id: str, now: datetime | None = None) -> bool:
    """True for the first delivery of `event_id` (now recorded), False for a repeat.
    Raises SQLAlchemyError when the store cannot be reached (the caller decides)."""
    now = now or datetime.now(UTC)
    try:
        with engine.begin() as conn:
            conn.execute(insert(slack_events).values(event_id=event_id[:64], seen_at=now))
    except IntegrityError:
        return False
    if next(_takes) % _PRUNE_EVERY == 0:
        with engine.begin() as conn:
            conn.execute(delete(slack_events).where(slack_events.c.seen_at < now - KEEP))
    return True
