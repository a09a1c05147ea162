"""The history cache: the roadmap's changes per (repo, branch, path), read from git once.

A cursor row keeps the last branch tip read; the next run asks for the commits after it only.
The store only stores: `bot.repo.history.read_branch_history` does the git reading (it rebuilds
the file model from that commit's blob, so no copy of the roadmap is kept here). When the
cached tip is no longer on the branch's first-parent history (a force-push), or the parser
changed (`STATE_VERSION`), the cache is rebuilt from scratch.

Several processes may share the database: the cursor is advanced with a compare-and-set on
its old tip, so a writer that lost the race writes nothing and reads the winner's events.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from ..errors import NotFoundError, UserInputError, did_you_mean, matches_several
from ..repo.history import Change, ChangeKind, read_branch_history
from ..repo.mirror import Mirror, display
from ..roadmap.lookup import Index as NameIndex
from ..roadmap.model import normalize
from .schema import history_cursors, history_events

if TYPE_CHECKING:
    from ..repo.source import GitSource

# Bump when the parser reads history differently: cached events are then derived again.
STATE_VERSION = 2  # 2: tables laid out as parse() lays them out (name column anywhere)


@dataclass(frozen=True)
class CacheUpdate:
    """What one `update_history` did."""

    key: str
    head: str  # the branch tip now cached
    commits_read: int  # commits whose diff was parsed this time
    events_added: int
    rebuilt: bool  # the cache was dropped and read again from the first commit
    total_events: int


def cache_key(repo: str, branch: str, path: str) -> str:
    return hashlib.sha256(f"{display(repo)}\0{branch}\0{path}".encode()).hexdigest()


def update_history(
    engine: Engine, mirror: Mirror, branch: str, path: str, *, fetch: bool = True
) -> CacheUpdate:
    """Bring the cache of `path` on `branch` up to the branch's tip (fetched first unless
    `fetch` is False). Raises GitError when the branch cannot be read, HistoryError when its
    log does not fit the file."""
    key = cache_key(mirror.remote, branch, path)
    cursor = _cursor(engine, key)
    known = cursor.head if cursor is not None and cursor.fits else None
    read = read_branch_history(mirror, branch, path, known, fetch=fetch)
    tip, since, changes = read.tip, read.since, read.changes
    if cursor is not None and known == tip:
        return CacheUpdate(key, tip, 0, 0, False, cursor.events)
    rebuilt = cursor is not None and since is None
    total = _save(engine, key, mirror, branch, path, cursor, since, tip, changes)
    return CacheUpdate(key, tip, read.commits_read, len(changes), rebuilt, total)


@dataclass(frozen=True)
class _Cursor:
    head: str
    events: int
    state: object

    @property
    def fits(self) -> bool:
        """Written by this parser version."""
        return isinstance(self.state, dict) and self.state.get("version") == STATE_VERSION


def _cursor(engine: Engine, key: str) -> _Cursor | None:
    c = history_cursors.c
    with engine.connect() as conn:
        row = conn.execute(select(c.head, c.events, c.state).where(c.key == key)).first()
    return _Cursor(row.head, int(row.events), row.state) if row is not None else None


def _save(
    engine: Engine,
    key: str,
    mirror: Mirror,
    branch: str,
    path: str,
    cursor: _Cursor | None,
    since: str | None,
    tip: str,
    changes: list[Change],
) -> int:
    """Store the new events and advance the cursor in one transaction; the number of
    events cached. Another writer that got there first wins: ours are dropped."""
    first = 0 if since is None or cursor is None else cursor.events
    total = first + len(changes)
    values = {
        "head": tip,
        "events": total,
        "state": {"version": STATE_VERSION},
        "updated_at": datetime.now(UTC),
    }
    try:
        with engine.begin() as conn:
            if cursor is None:
                conn.execute(
                    insert(history_cursors).values(
                        key=key, repo=display(mirror.remote), branch=branch, path=path, **values
                    )
                )
            else:
                done = conn.execute(
                    update(history_cursors)
                    .where(history_cursors.c.key == key, history_cursors.c.head == cursor.head)
                    .values(**values)
                )
                if done.rowcount != 1:
                    raise _Lost
                if since is None:
                    conn.execute(delete(history_events).where(history_events.c.key == key))
            if changes:
                dates: dict[str, tuple[str, int]] = {}  # a commit's events share its date
                conn.execute(
                    insert(history_events),
                    [_row(key, first + n, c, dates) for n, c in enumerate(changes)],
                )
    except (_Lost, IntegrityError):
        return _count(engine, key)
    return total


class _Lost(Exception):
    """Another process advanced the cursor between our read and our write."""


def _count(engine: Engine, key: str) -> int:
    with engine.connect() as conn:
        n = conn.execute(
            select(func.count()).select_from(history_events).where(history_events.c.key == key)
        ).scalar()
    return int(n or 0)


def _row(key: str, seq: int, c: Change, dates: dict[str, tuple[str, int]]) -> dict[str, object]:
    when = dates.get(c.commit)
    if when is None:
        when = dates[c.commit] = (c.date.isoformat(), int(c.date.timestamp()))
    return {
        "key": key,
        "seq": seq,
        "commit_sha": c.commit,
        "date": when[0],
        "ts": when[1],
        "author": c.author,
        "email": c.email,
        "module": c.module,
        "module_key": normalize(c.module),
        "group_name": c.group,
        "column_name": c.column,
        "state": c.state,
        "kind": c.kind,
    }


def query_history(
    engine: Engine,
    key: str,
    *,
    since: datetime | None = None,
    module: str | None = None,
) -> list[Change]:
    """The cached changes, oldest first: from `since` on (author date; naive means UTC),
    of the module `module` names (exact, else a unique prefix, among the modules the
    history has seen; NotFoundError when it names none, UserInputError when several)."""
    ev = history_events.c
    query = select(
        ev.commit_sha,
        ev.date,
        ev.author,
        ev.email,
        ev.module,
        ev.group_name,
        ev.column_name,
        ev.state,
        ev.kind,
    ).where(ev.key == key)
    if since is not None:
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        query = query.where(ev.ts >= math.ceil(since.timestamp()))
    with engine.connect() as conn:
        if module is not None:
            query = query.where(ev.module_key == _module_key(conn, key, module))
        rows = conn.execute(query.order_by(ev.seq)).all()
    dates: dict[str, datetime] = {}  # a commit's events share its date: parse it once
    out = []
    for sha, date, author, email, module_name, group, column, state, kind in rows:
        when = dates.get(date)
        if when is None:
            when = dates[date] = datetime.fromisoformat(date)
        out.append(
            Change(sha, when, author, email, module_name, group, column, state, ChangeKind(kind))
        )
    return out


def _module_key(conn: Connection, key: str, query: str) -> str:
    ev = history_events.c
    names = conn.execute(
        select(ev.module_key, func.max(ev.module)).where(ev.key == key).group_by(ev.module_key)
    ).all()
    # One name per module (the same module may have been written in another case).
    index = NameIndex([name for _, name in names], lambda n: n)
    found = index.find(query)
    if found.item is not None:
        return normalize(found.item)
    if found.candidates:
        shown = sorted(found.candidates)[:10]
        raise UserInputError(matches_several("module", query, shown, " in the history"))
    raise NotFoundError(did_you_mean("module", query, found.suggestions, " in the history"))


def cached_history(
    engine: Engine,
    mirror: Mirror,
    branch: str,
    path: str,
    *,
    since: datetime | None = None,
    module: str | None = None,
    fetch: bool = True,
) -> list[Change]:
    """The changes to `path` on `branch`, read from git only after the cached tip."""
    done = update_history(engine, mirror, branch, path, fetch=fetch)
    return query_history(engine, done.key, since=since, module=module)


def source_history(
    engine: Engine,
    source: GitSource,
    *,
    since: datetime | None = None,
    module: str | None = None,
    fetch: bool = True,
) -> list[Change]:
    """`cached_history` of the roadmap a GitSource reads (its repo, branch and path)."""
    # The source's mirror carries the token rules of source_from_settings.
    return cached_history(
        engine, source.mirror, source.branch, source.path, since=since, module=module, fetch=fetch
    )
