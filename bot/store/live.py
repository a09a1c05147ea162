"""State of the live feed: subscriptions, watches, the announced tip, the outbox of messages,
GitHub webhook deliveries seen.

Exactly once, across restarts and instances:
- The cursor holds the branch tip announced up to. `advance` moves it from the old tip to
  the new one with a compare-and-set *in the same transaction* that stores the messages for
  that move in the outbox: of two instances that saw the same push, one stores the messages,
  the other stores nothing.
- An outbox row is unique per (recipient, key); rows are inserted or skipped, never doubled.
- A row is taken for posting by a conditional UPDATE (pending, or posting past its lease)
  fenced by a fresh owner id, then marked posted with the message ts. A crash between the
  post and the mark can repost once after the lease (Slack has no idempotency key).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, delete, insert, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from .schema import live_cursors, live_outbox, live_subscriptions, live_watches, webhook_deliveries

PENDING, POSTING, POSTED, FAILED = "pending", "posting", "posted", "failed"
LEASE = timedelta(minutes=5)
TRIES = 5
CHANGES, DIGEST = "changes", "digest"


def utc(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


# --- subscriptions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Subscription:
    channel: str
    kind: str  # CHANGES | DIGEST
    group_key: str  # "" = every group
    group_name: str


def subscribe(
    engine: Engine,
    channel: str,
    kind: str,
    groups: list[tuple[str, str]],
    added_by: str | None,
    now: datetime,
) -> bool:
    """Subscribe `channel` to `kind`, for the (key, name) `groups` (none: every group).
    Subscribing to every group drops the filters; a filter is dropped when the channel
    already gets every group. False when nothing changed."""
    wanted = groups or [("", "")]
    changed = False
    with engine.begin() as conn:
        have = {s.group_key for s in _of(conn, channel, kind)}
        if "" in have and groups:
            return False  # already every group: a filter would narrow it, say so instead
        if not groups and have - {""}:
            conn.execute(delete(live_subscriptions).where(_sub(channel, kind)))
            have = set()
        for key, name in wanted:
            if key in have:
                continue
            conn.execute(
                insert(live_subscriptions).values(
                    channel=channel,
                    kind=kind,
                    group_key=key,
                    group_name=name,
                    added_by=added_by,
                    added_at=utc(now),
                )
            )
            changed = True
    return changed


def unsubscribe(engine: Engine, channel: str, kind: str, group_keys: list[str]) -> int:
    """Drop `kind` from `channel` (only those groups' filters when `group_keys`); how many
    rows went."""
    query = delete(live_subscriptions).where(_sub(channel, kind))
    if group_keys:
        query = query.where(live_subscriptions.c.group_key.in_(group_keys))
    with engine.begin() as conn:
        return int(conn.execute(query).rowcount or 0)


def subscriptions(engine: Engine, channel: str | None = None) -> list[Subscription]:
    c = live_subscriptions.c
    query = select(c.channel, c.kind, c.group_key, c.group_name)
    if channel is not None:
        query = query.where(c.channel == channel)
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(c.channel, c.kind, c.group_name)).all()
    return [Subscription(*r) for r in rows]


def _sub(channel: str, kind: str) -> Any:
    c = live_subscriptions.c
    return and_(c.channel == channel, c.kind == kind)


def _of(conn: Connection, channel: str, kind: str) -> list[Subscription]:
    c = live_subscriptions.c
    rows = conn.execute(
        select(c.channel, c.kind, c.group_key, c.group_name).where(_sub(channel, kind))
    ).all()
    return [Subscription(*r) for r in rows]


# --- watches ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Watch:
    user: str
    target: str
    name: str


def watch(engine: Engine, user: str, target: str, name: str, now: datetime) -> bool:
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(live_watches).values(user_id=user, target=target, name=name, added_at=now)
            )
    except IntegrityError:
        return False
    return True


def unwatch(engine: Engine, user: str, target: str) -> bool:
    w = live_watches.c
    with engine.begin() as conn:
        done = conn.execute(delete(live_watches).where(w.user_id == user, w.target == target))
    return bool(done.rowcount)


def watches(engine: Engine, user: str | None = None) -> list[Watch]:
    w = live_watches.c
    query = select(w.user_id, w.target, w.name)
    if user is not None:
        query = query.where(w.user_id == user)
    with engine.connect() as conn:
        return [Watch(*r) for r in conn.execute(query.order_by(w.added_at)).all()]


# --- the cursor and the outbox ---------------------------------------------------------------


@dataclass(frozen=True)
class Outgoing:
    recipient: str
    key: str
    message: dict[str, Any]
    dm: bool = False


def cursor(engine: Engine, key: str) -> str | None:
    c = live_cursors.c
    with engine.connect() as conn:
        return conn.execute(select(c.head).where(c.key == key)).scalar()


def start(engine: Engine, key: str, head: str, now: datetime) -> bool:
    """The first tip seen: announced up to here (nothing before a start is news)."""
    try:
        with engine.begin() as conn:
            conn.execute(insert(live_cursors).values(key=key, head=head, updated_at=utc(now)))
    except IntegrityError:
        return False
    return True


def advance(
    engine: Engine, key: str, old: str, new: str, messages: Iterable[Outgoing], now: datetime
) -> bool:
    """Move the cursor old -> new and queue `messages`, as one step; False (and nothing
    stored) when another process moved the cursor first."""
    now = utc(now)
    try:
        with engine.begin() as conn:
            c = live_cursors.c
            moved = conn.execute(
                update(live_cursors)
                .where(c.key == key, c.head == old)
                .values(head=new, updated_at=now)
            )
            if moved.rowcount != 1:
                return False
            for m in messages:
                _queue(conn, m, now)
    except IntegrityError:
        return False
    return True


def queue(engine: Engine, messages: Iterable[Outgoing], now: datetime) -> int:
    """Insert-or-skip each message on its own; how many were new."""
    added = 0
    for m in messages:
        try:
            with engine.begin() as conn:
                _queue(conn, m, utc(now))
            added += 1
        except IntegrityError:
            pass
    return added


def _queue(conn: Connection, m: Outgoing, now: datetime) -> None:
    conn.execute(
        insert(live_outbox).values(
            recipient=m.recipient,
            key=m.key,
            dm=m.dm,
            message=m.message,
            state=PENDING,
            attempts=0,
            created_at=now,
            updated_at=now,
        )
    )


@dataclass(frozen=True)
class Taken:
    id: int
    recipient: str
    key: str
    dm: bool
    message: dict[str, Any]
    owner: str
    attempts: int


def take_pending(engine: Engine, now: datetime, lease: timedelta = LEASE) -> list[Taken]:
    """Every row due for posting, each taken by this caller alone."""
    now = utc(now)
    o = live_outbox.c
    due = or_(
        o.state == PENDING,
        and_(o.state == POSTING, o.updated_at < now - lease),
        and_(o.state == FAILED, o.attempts < TRIES, o.updated_at < now - timedelta(seconds=30)),
    )
    with engine.connect() as conn:
        ids = [r.id for r in conn.execute(select(o.id).where(due).order_by(o.id)).all()]
    taken = []
    for row_id in ids:
        owner = uuid.uuid4().hex
        with engine.begin() as conn:
            done = conn.execute(
                update(live_outbox)
                .where(o.id == row_id, due)
                .values(state=POSTING, owner=owner, updated_at=now, attempts=o.attempts + 1)
            )
            if done.rowcount != 1:
                continue
            r = conn.execute(select(live_outbox).where(o.id == row_id)).one()
        taken.append(Taken(r.id, r.recipient, r.key, r.dm, r.message, owner, r.attempts))
    return taken


def finish(
    engine: Engine, taken: Taken, now: datetime, ts: str | None, error: str | None = None
) -> bool:
    """Mark a taken row posted (error None) or failed; False when it was taken over."""
    o = live_outbox.c
    values: dict[str, Any] = {"updated_at": utc(now), "state": POSTED if error is None else FAILED}
    if ts is not None:
        values["ts"] = ts
    if error is not None:
        values["error"] = error[:2000]
    with engine.begin() as conn:
        done = conn.execute(
            update(live_outbox)
            .where(o.id == taken.id, o.owner == taken.owner, o.state == POSTING)
            .values(**values)
        )
    return done.rowcount == 1


@dataclass(frozen=True)
class Sent:
    recipient: str
    key: str
    state: str
    ts: str | None
    message: dict[str, Any]


def outbox(engine: Engine) -> list[Sent]:
    o = live_outbox.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(o.recipient, o.key, o.state, o.ts, o.message).order_by(o.id)
        ).all()
    return [Sent(*r) for r in rows]


# --- webhook deliveries ----------------------------------------------------------------------


DELIVERIES_KEPT = timedelta(days=30)  # GitHub redelivers for days, not months


def first_delivery(engine: Engine, delivery: str, event: str, now: datetime) -> bool:
    """Note a GitHub delivery id; False when it was seen before (a redelivery). Ids older
    than DELIVERIES_KEPT are forgotten on the way, so the table stays small."""
    try:
        with engine.begin() as conn:
            old = webhook_deliveries.c.received_at < utc(now) - DELIVERIES_KEPT
            conn.execute(delete(webhook_deliveries).where(old))
            conn.execute(
                insert(webhook_deliveries).values(
                    delivery=delivery[:100], event=event[:64], received_at=utc(now)
                )
            )
    except IntegrityError:
        return False
    return True
