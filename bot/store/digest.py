"""Digest channels and the delivery markers that make each digest post exactly once.

A delivery marker is one row per (channel, period): the primary key makes taking it atomic
on SQLite and PostgreSQL alike (INSERT, and an IntegrityError means someone has it). A row
moves posting -> posted | failed. A 'failed' row, or a 'posting' row whose taker has held it
longer than the lease (it crashed), may be taken again by a conditional UPDATE, which is
atomic too. Every write after taking is fenced by `owner`, so a taker that lost its lease
cannot mark a row another taker now holds.

The Slack message ts is recorded as soon as the message is posted: a retry (in-process or
after a takeover) then only uploads the chart instead of posting the message again.

Times are stored in UTC (SQLite keeps no time zone; PostgreSQL gets timestamptz).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from .schema import deliveries, subscriptions

POSTING, POSTED, FAILED = "posting", "posted", "failed"
LEASE = timedelta(minutes=10)  # far longer than a post with its retries takes
ERROR_TEXT = 2000


@dataclass(frozen=True)
class Subscription:
    channel: str
    added_by: str | None
    added_at: datetime


@dataclass(frozen=True)
class Claim:
    """The marker, held: only its holder posts for (channel, period_key)."""

    channel: str
    period_key: str
    owner: str
    attempts: int  # takes so far, this one included
    message_ts: str | None = None  # already posted by an earlier attempt
    file_id: str | None = None


@dataclass(frozen=True)
class Delivery:
    channel: str
    period_key: str
    state: str
    attempts: int
    taken_at: datetime
    updated_at: datetime
    message_ts: str | None
    file_id: str | None
    error: str | None


def utc(when: datetime) -> datetime:
    """Aware UTC; a naive time (as SQLite hands back) is taken as UTC."""
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


# --- subscriptions -------------------------------------------------------------------------


def subscribe(engine: Engine, channel: str, added_by: str | None, now: datetime) -> bool:
    """Make `channel` a digest channel; False when it already was."""
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(subscriptions).values(channel=channel, added_by=added_by, added_at=utc(now))
            )
    except IntegrityError:
        return False
    return True


def unsubscribe(engine: Engine, channel: str) -> bool:
    """Stop the digest in `channel`; False when it was not a digest channel."""
    with engine.begin() as conn:
        done = conn.execute(delete(subscriptions).where(subscriptions.c.channel == channel))
    return done.rowcount > 0


def subscribed(engine: Engine) -> list[Subscription]:
    with engine.connect() as conn:
        rows = conn.execute(select(subscriptions).order_by(subscriptions.c.added_at)).all()
    return [Subscription(r.channel, r.added_by, utc(r.added_at)) for r in rows]


def is_subscribed(engine: Engine, channel: str) -> bool:
    with engine.connect() as conn:
        found = conn.execute(
            select(subscriptions.c.channel).where(subscriptions.c.channel == channel)
        ).first()
    return found is not None


# --- delivery markers ----------------------------------------------------------------------


def _where(channel: str, period_key: str) -> Any:
    return and_(deliveries.c.channel == channel, deliveries.c.period_key == period_key)


def take(
    engine: Engine, channel: str, period_key: str, now: datetime, lease: timedelta = LEASE
) -> Claim | None:
    """The marker for (channel, period_key), or None when it is posted, or being posted by
    someone else within their lease. Atomic: of any number of concurrent callers, on one
    or many engines, exactly one gets it."""
    now = utc(now)
    owner = uuid.uuid4().hex
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(deliveries).values(
                    channel=channel,
                    period_key=period_key,
                    state=POSTING,
                    attempts=1,
                    owner=owner,
                    taken_at=now,
                    updated_at=now,
                )
            )
        return Claim(channel, period_key, owner, 1)
    except IntegrityError:
        pass  # the row exists: maybe failed or abandoned, taken over below if so
    with engine.begin() as conn:
        # The condition and the write are one statement: two takers cannot both match.
        taken = conn.execute(
            update(deliveries)
            .where(
                _where(channel, period_key),
                or_(
                    deliveries.c.state == FAILED,
                    and_(deliveries.c.state == POSTING, deliveries.c.taken_at < now - lease),
                ),
            )
            .values(
                state=POSTING,
                owner=owner,
                taken_at=now,
                updated_at=now,
                attempts=deliveries.c.attempts + 1,
                error=None,
            )
        )
        if taken.rowcount != 1:
            return None
        row = conn.execute(select(deliveries).where(_where(channel, period_key))).one()
    return Claim(channel, period_key, owner, row.attempts, row.message_ts, row.file_id)


def _fenced(engine: Engine, claim: Claim, **values: Any) -> bool:
    """Update the claim's row if `claim` still holds it."""
    with engine.begin() as conn:
        done = conn.execute(
            update(deliveries)
            .where(
                _where(claim.channel, claim.period_key),
                deliveries.c.owner == claim.owner,
                deliveries.c.state == POSTING,
            )
            .values(**values)
        )
    return done.rowcount == 1


def renew(engine: Engine, claim: Claim, now: datetime) -> bool:
    """Start the lease again (between retries); False when the marker was lost."""
    return _fenced(engine, claim, taken_at=utc(now), updated_at=utc(now))


def record_message(engine: Engine, claim: Claim, ts: str, now: datetime) -> bool:
    """Note that the message is posted, so no retry posts it again."""
    return _fenced(engine, claim, message_ts=ts, updated_at=utc(now))


def mark_posted(
    engine: Engine, claim: Claim, now: datetime, ts: str | None, file_id: str | None
) -> bool:
    return _fenced(engine, claim, state=POSTED, message_ts=ts, file_id=file_id, updated_at=utc(now))


def mark_failed(
    engine: Engine, claim: Claim, error: str, now: datetime, ts: str | None = None
) -> bool:
    """Give the marker up for a later run; `ts`: the message that did get posted."""
    values: dict[str, Any] = {"state": FAILED, "error": error[:ERROR_TEXT], "updated_at": utc(now)}
    if ts is not None:
        values["message_ts"] = ts
    return _fenced(engine, claim, **values)


def delivery(engine: Engine, channel: str, period_key: str) -> Delivery | None:
    with engine.connect() as conn:
        r = conn.execute(select(deliveries).where(_where(channel, period_key))).first()
    if r is None:
        return None
    return Delivery(
        channel=r.channel,
        period_key=r.period_key,
        state=r.state,
        attempts=r.attempts,
        taken_at=utc(r.taken_at),
        updated_at=utc(r.updated_at),
        message_ts=r.message_ts,
        file_id=r.file_id,
        error=r.error,
    )


def posted(engine: Engine, channel: str, period_key: str) -> bool:
    found = delivery(engine, channel, period_key)
    return found is not None and found.state == POSTED
