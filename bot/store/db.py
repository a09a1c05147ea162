"""The database behind DATABASE_URL: one engine per URL; tables created when first needed.

Every table is defined in `schema.py`, imported here, so `engine()` creates them all however
the database is first opened.
"""

from __future__ import annotations

import threading
import time

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.pool import StaticPool

from bot.errors import SettingsError

from .schema import ADDED_COLUMNS, metadata

__all__ = ["engine", "metadata", "normalize_url"]

CONNECT_TIMEOUT = 2  # seconds; libpq's smallest
_engines: dict[str, tuple[Engine, set[str]]] = {}
_lock = threading.Lock()


def normalize_url(url: str) -> str:
    """`postgresql://` and `postgres://` (as platforms hand them out) use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def engine(url: str) -> Engine:
    """The engine for `url`, with every table of `schema` created. A bad URL or an
    unreachable database: a SettingsError naming DATABASE_URL."""
    url = normalize_url(url)
    with _lock:
        found = _engines.get(url)
        if found is None:
            found = _engines[url] = (_create(url), set())
        eng, created = found
        if set(metadata.tables) - created:
            _create_tables(eng)
            created.update(metadata.tables)
        return eng


def _create_tables(eng: Engine) -> None:
    """create_all, tolerating another process creating the same tables at the same moment
    (both see a table missing, one CREATE fails): the next try finds them there."""
    for attempt in range(5):
        try:
            metadata.create_all(eng)
            _add_columns(eng)
            return
        except DBAPIError as err:
            said = str(err.orig).lower()
            if attempt < 4 and ("exist" in said or "duplicate column" in said):
                time.sleep(0.05 * (attempt + 1))
                continue
            safe = eng.url.render_as_string(hide_password=True)
            raise SettingsError(f"setting DATABASE_URL: cannot open {safe} ({err.orig})") from None


def _add_columns(eng: Engine) -> None:
    """Columns added since a table first shipped, added to a database made before them. Two
    processes may race to add one: the loser's "duplicate column" is retried and finds it."""
    found = inspect(eng)
    for table, columns in ADDED_COLUMNS.items():
        have = {c["name"] for c in found.get_columns(table)}
        for name, kind in columns:
            if name not in have:
                with eng.begin() as conn:  # names and types are constants of schema.py
                    conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {name} {kind}"))


def _create(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise SettingsError(f"setting DATABASE_URL: not a database URL ({url!r})") from None
    sqlite = parsed.get_backend_name() == "sqlite"
    kwargs: dict[str, object] = {"pool_pre_ping": not sqlite}
    if parsed.get_backend_name() == "postgresql":
        # A database host that does not answer must not hold a Slack request past its 3 s:
        # fail the connection (the card answers without waiting ticks, a click is told).
        kwargs["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT}
    if sqlite:
        kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
        if parsed.database in (None, "", ":memory:"):
            kwargs["poolclass"] = StaticPool  # one shared in-memory database, not one per thread
    try:
        eng = create_engine(parsed, **kwargs)
    except Exception as err:
        raise SettingsError(f"setting DATABASE_URL: {err}") from None
    if sqlite:
        event.listen(eng, "connect", _sqlite_pragmas)
    return eng


def _sqlite_pragmas(conn: object, _record: object) -> None:
    # WAL lets readers go on while the applier writes; several processes share the file.
    cur = conn.cursor()  # type: ignore[attr-defined]  # the DB-API connection under SQLAlchemy's pool is untyped
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()
