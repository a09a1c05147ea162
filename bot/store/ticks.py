"""The tick outbox: every tick is recorded here before Slack is acknowledged, then applied.

A tick's idempotency key is unique, so a Slack retry or the same click reaching two
instances records one row. Rows move pending -> applied | in_pr | noop | failed;
in_pr -> merged | closed | failed. The applier takes them in id order.
"""

from __future__ import annotations

import enum
import fcntl
import hashlib
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, and_, delete, insert, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from .schema import tick_news, ticks

# How many tellings a piece of news gets before it is given up (a response_url past its
# 30 minutes, a user gone).
NEWS_TRIES = 5
NEWS_KEEP = timedelta(days=30)  # told news is deleted after this


class TickState(enum.StrEnum):
    """Where a recorded tick is (the `state` column holds the value)."""

    PENDING = "pending"  # recorded, not applied yet (or kept after a passing failure)
    APPLIED = "applied"  # committed and pushed to the branch
    IN_PR = "in_pr"  # on the bot branch, in its open pull request
    NOOP = "noop"  # the cell was already so: nothing to commit
    FAILED = "failed"  # refused or given up; `error` says why
    MERGED = "merged"  # its pull request was merged
    CLOSED = "closed"  # its pull request was closed without merging


# The short names the write path uses: store.PENDING is TickState.PENDING.
PENDING = TickState.PENDING
APPLIED = TickState.APPLIED
IN_PR = TickState.IN_PR
NOOP = TickState.NOOP
FAILED = TickState.FAILED
MERGED = TickState.MERGED
CLOSED = TickState.CLOSED
OPEN_STATES = (PENDING, IN_PR)


@dataclass(frozen=True)
class Tick:
    id: int
    key: str
    repo: str
    module: str
    column: str
    line: int
    done: bool
    user_id: str
    user_name: str | None
    channel: str | None
    message_ts: str | None
    response_url: str | None
    surface: str
    state: TickState
    sha: str | None
    pr_url: str | None
    pr_number: int | None
    error: str | None
    created_at: datetime
    batch: str | None = None  # ticks asked for together share it: one commit for all

    @property
    def ref(self) -> str:
        """The tick as its commit's `Roadmap-Tick:` trailer names it: the id, and a piece of
        the key so a tick of a fresh database (ids start again at 1) is never mistaken for
        an older one."""
        return f"{self.id}-{self.key[:8]}"

    @property
    def verb(self) -> str:
        return "tick" if self.done else "untick"


def _row(r: Any) -> Tick:
    m = r._mapping
    return Tick(
        id=m["id"],
        key=m["key"],
        repo=m["repo"],
        module=m["module"],
        column=m["column_name"],
        line=m["line"],
        done=bool(m["done"]),
        user_id=m["user_id"],
        user_name=m["user_name"],
        channel=m["channel"],
        message_ts=m["message_ts"],
        response_url=m["response_url"],
        surface=m["surface"],
        state=TickState(m["state"]),
        sha=m["sha"],
        pr_url=m["pr_url"],
        pr_number=m["pr_number"],
        error=m["error"],
        created_at=m["created_at"],
        batch=m.get("batch"),
    )


def idempotency_key(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()


def record(
    engine: Engine,
    *,
    key: str,
    repo: str,
    module: str,
    column: str,
    line: int,
    done: bool,
    user_id: str,
    user_name: str | None = None,
    channel: str | None = None,
    message_ts: str | None = None,
    response_url: str | None = None,
    surface: str = "message",
    batch: str | None = None,
) -> tuple[Tick, bool]:
    """Record a tick; (the tick, True) when new, (the earlier one, False) for a repeat."""
    now = datetime.now(UTC)
    values = dict(
        key=key,
        repo=repo,
        module=module,
        column_name=column,
        line=line,
        done=done,
        user_id=user_id,
        user_name=user_name,
        channel=channel,
        message_ts=message_ts,
        response_url=response_url,
        surface=surface,
        batch=batch,
        state=PENDING,
        created_at=now,
        updated_at=now,
    )
    try:
        with engine.begin() as conn:
            pk = conn.execute(insert(ticks).values(**values)).inserted_primary_key
            assert pk is not None  # an INSERT of one row always has its primary key
            new_id = pk[0]
            row = conn.execute(select(ticks).where(ticks.c.id == new_id)).one()
        return _row(row), True
    except IntegrityError:
        with engine.begin() as conn:
            row = conn.execute(select(ticks).where(ticks.c.key == key)).one()
        return _row(row), False


def open_ticks(engine: Engine, repo: str) -> list[Tick]:
    """Pending and in-PR ticks of a repo, oldest first: what the applier works from."""
    with engine.begin() as conn:
        rows = conn.execute(
            select(ticks)
            .where(ticks.c.repo == repo, ticks.c.state.in_(OPEN_STATES))
            .order_by(ticks.c.id)
        ).all()
    return [_row(r) for r in rows]


def get(engine: Engine, tick_id: int) -> Tick | None:
    with engine.begin() as conn:
        row = conn.execute(select(ticks).where(ticks.c.id == tick_id)).first()
    return _row(row) if row else None


@dataclass(frozen=True)
class News:
    """What became of a tick, to tell its person: written with the outcome (`mark`)."""

    state: TickState
    detail: str
    sha: str | None = None
    url: str | None = None
    module: str | None = None


def mark(
    engine: Engine, tick_id: int, state: TickState, news: News | None = None, **fields: Any
) -> None:
    """Record a tick's new state, and with it (same transaction) the news to tell, if any:
    an outcome is never recorded without its telling, nor told without being recorded. The
    same news (tick, state) recorded twice is kept once."""
    if "column" in fields:
        fields["column_name"] = fields.pop("column")
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(
            update(ticks).where(ticks.c.id == tick_id).values(state=state, updated_at=now, **fields)
        )
        if news is not None:
            _add_news(conn, tick_id, news, now)


def _add_news(conn: Connection, tick_id: int, news: News, now: datetime) -> None:
    values = dict(
        tick_id=tick_id,
        state=news.state,
        detail=news.detail,
        sha=news.sha,
        url=news.url,
        module=news.module,
        created_at=now,
        attempts=0,
    )
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(dialect.insert(tick_news).values(**values).on_conflict_do_nothing())


def take_news(engine: Engine, repo: str) -> list[tuple[int, Tick, News]]:
    """Untold news of `repo`'s ticks, oldest first: (news id, the tick as it is now, the
    news), each counted as one more try. Call it holding `news_lock`."""
    n = tick_news.c
    with engine.begin() as conn:
        rows = conn.execute(
            select(
                ticks,
                n.id.label("news_id"),
                n.state.label("news_state"),
                n.detail.label("news_detail"),
                n.sha.label("news_sha"),
                n.url.label("news_url"),
                n.module.label("news_module"),
            )
            .join(ticks, ticks.c.id == n.tick_id)
            .where(ticks.c.repo == repo, n.told_at.is_(None), n.attempts < NEWS_TRIES)
            .order_by(n.id)
        ).all()
        ids = [r._mapping["news_id"] for r in rows]
        if ids:
            conn.execute(update(tick_news).where(n.id.in_(ids)).values(attempts=n.attempts + 1))
    found = []
    for r in rows:
        m = r._mapping
        news = News(
            TickState(m["news_state"]),
            m["news_detail"],
            m["news_sha"],
            m["news_url"],
            m["news_module"],
        )
        found.append((m["news_id"], _row(r), news))
    return found


@contextmanager
def news_lock(engine: Engine, repo: str) -> Iterator[None]:
    """One teller of a repo's news at a time, across threads, processes and instances: the
    applier's kind of lock (a PostgreSQL session advisory lock, a file lock for SQLite),
    under a key of its own. It is the lease on the news: a teller that dies (SIGKILL, a
    lost machine) lets go of it with its connection or process, at once."""
    with applier_lock(engine, f"news:{repo}"):
        yield


def told(engine: Engine, news_ids: list[int], now: datetime | None = None) -> None:
    """The news Slack accepted: never told again. News told (or given up on) more than
    NEWS_KEEP ago is deleted in the same go, so the table does not grow for ever; by then
    no run records that news again (its tick is long done), so nothing is told twice."""
    if not news_ids:
        return
    now = now or datetime.now(UTC)
    n = tick_news.c
    with engine.begin() as conn:
        conn.execute(update(tick_news).where(n.id.in_(news_ids)).values(told_at=now))
        conn.execute(
            delete(tick_news).where(
                or_(
                    n.told_at < now - NEWS_KEEP,
                    and_(
                        n.told_at.is_(None),
                        n.attempts >= NEWS_TRIES,
                        n.created_at < now - NEWS_KEEP,
                    ),
                )
            )
        )


def plan(engine: Engine, shas: dict[int, str]) -> None:
    """Before a push: the commit each pending tick became. A process killed after the push
    and before `mark` leaves this behind, and the next run checks the branch for it."""
    if not shas:
        return
    with engine.begin() as conn:
        for tick_id, sha in shas.items():
            conn.execute(
                update(ticks)
                .where(ticks.c.id == tick_id, ticks.c.state == PENDING)
                .values(sha=sha, updated_at=datetime.now(UTC))
            )


def pending_review(engine: Engine, repo: str) -> dict[str, dict[str, str]]:
    """{qualified module: {column: PR link}} of ticks waiting in the open bot PR."""
    found: dict[str, dict[str, str]] = {}
    for t in open_ticks(engine, repo):
        if t.state == IN_PR and t.pr_url:
            found.setdefault(t.module, {})[t.column] = t.pr_url
    return found


@contextmanager
def applier_lock(engine: Engine, repo: str) -> Iterator[None]:
    """One applier per repo across threads, processes and instances.

    PostgreSQL: a session advisory lock (instances on several machines share only the
    database). SQLite lives on one machine: a file lock beside the database file, so
    processes with different caches still take turns. Threads of one process take turns
    on a threading lock first (flock is per open file, not per thread).
    """
    digest = hashlib.sha256(repo.encode()).digest()
    with _thread_lock(engine, repo):
        if engine.dialect.name == "postgresql":
            lock_id = int.from_bytes(digest[:8], "big", signed=True)
            with engine.connect() as conn:
                conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": lock_id})
                conn.commit()
                try:
                    yield
                finally:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": lock_id})
                    conn.commit()
            return
        database = engine.url.database
        if not database or database == ":memory:":
            yield  # an in-memory database lives in this process only
            return
        path = f"{database}.applier-{digest[:6].hex()}.lock"
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


_thread_locks: dict[tuple[str, str], threading.Lock] = {}
_thread_locks_guard = threading.Lock()


def _thread_lock(engine: Engine, repo: str) -> threading.Lock:
    with _thread_locks_guard:
        return _thread_locks.setdefault((str(engine.url), repo), threading.Lock())
