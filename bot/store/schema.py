"""Every table of the state store, in one place, on one `metadata`.

`db.engine()` creates them all when it first opens a database, whatever feature asks first.
The features' modules (ticks, digest, history) hold the queries; the columns are here.
A table added here is created on the next start (create_all adds missing tables only;
a changed column needs a migration).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)
from sqlalchemy.types import JSON

metadata = MetaData()

# --- the tick outbox (ticks.py) ---------------------------------------------------------------

ticks = Table(
    "ticks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(200), nullable=False, unique=True),
    Column("repo", String(500), nullable=False, index=True),  # repo + branch + path
    Column("module", Text, nullable=False),  # qualified "Group/Module"
    Column("column_name", Text, nullable=False),
    Column("line", Integer, nullable=False),
    Column("done", Boolean, nullable=False),
    Column("user_id", String(64), nullable=False),
    Column("user_name", Text),
    Column("channel", String(64)),
    Column("message_ts", String(64)),
    Column("response_url", Text),
    Column("surface", String(16), nullable=False),  # message | home | cli
    Column("state", String(16), nullable=False, index=True),
    Column("sha", String(64)),
    Column("pr_url", Text),
    Column("pr_number", Integer),
    Column("error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # Ticks asked for together ("Tick all N ready"): one commit for all of them.
    Column("batch", String(64)),
)

# Columns added to a table after it first shipped: db.py adds them to an existing database
# (create_all creates missing tables only). Nullable, so old rows read as before.
ADDED_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "ticks": (("batch", "VARCHAR(64)"),),
}

# --- digest channels and delivery markers (digest.py) -----------------------------------------

subscriptions = Table(
    "digest_subscriptions",
    metadata,
    Column("channel", String(64), primary_key=True),
    Column("added_by", String(64)),
    Column("added_at", DateTime(timezone=True), nullable=False),
)

deliveries = Table(
    "digest_deliveries",
    metadata,
    Column("channel", String(64), primary_key=True),
    Column("period_key", String(64), primary_key=True),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("owner", String(64), nullable=False),  # a fresh id per take
    Column("taken_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("message_ts", String(64)),
    Column("file_id", String(64)),
    Column("error", Text),
)

# --- the history cache (history.py) -----------------------------------------------------------

history_cursors = Table(
    "history_cursors",
    metadata,
    Column("key", String(64), primary_key=True),  # sha256 of repo, branch, path
    Column("repo", Text, nullable=False),  # as people see it: no credentials
    Column("branch", Text, nullable=False),
    Column("path", Text, nullable=False),
    Column("head", String(64), nullable=False),  # the branch tip the events run up to
    Column("events", Integer, nullable=False),  # how many events; the next one's seq
    Column("state", JSON, nullable=False),  # {"version": history.STATE_VERSION}
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

history_events = Table(
    "history_events",
    metadata,
    Column("key", String(64), nullable=False),
    Column("seq", Integer, nullable=False),  # order in the first-parent history
    Column("commit_sha", String(64), nullable=False),
    Column("date", String(40), nullable=False),  # author date, ISO 8601 with its own offset
    Column("ts", BigInteger, nullable=False),  # the same instant in epoch seconds, to filter
    Column("author", Text, nullable=False),
    Column("email", Text, nullable=False),
    Column("module", Text, nullable=False),
    Column("module_key", Text, nullable=False),  # normalize(module), to filter
    Column("group_name", Text),
    Column("column_name", Text),
    Column("state", String(16), nullable=False),
    Column("kind", String(16), nullable=False),
    PrimaryKeyConstraint("key", "seq"),
    Index("ix_history_events_key_ts", "key", "ts"),
)
