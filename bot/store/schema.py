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
    UniqueConstraint,
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
    Column("surface", String(16), nullable=False),  # message | drift | home | cli
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

# News of ticks to tell their people (ticks.py): written with the outcome it tells of, in one
# transaction, and marked told once Slack accepted it. A process killed in between leaves it
# untold, and the next applier run (on start, on any instance) tells it. Tellers take turns
# on a lock that dies with its holder (ticks.news_lock), so two instances never both tell.
tick_news = Table(
    "tick_news",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tick_id", Integer, nullable=False),
    Column("state", String(16), nullable=False),  # the outcome told: one piece of news per state
    Column("detail", Text, nullable=False),
    Column("sha", String(64)),
    Column("url", Text),
    Column("module", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("told_at", DateTime(timezone=True), index=True),  # NULL: not told yet
    Column("attempts", Integer, nullable=False),  # tellings tried: given up after a few
    UniqueConstraint("tick_id", "state", name="uq_tick_news_tick_state"),
)

# --- Slack Events API deliveries already taken (events.py) ----------------------------------

slack_events = Table(
    "slack_events",
    metadata,
    Column("event_id", String(64), primary_key=True),  # Slack's event_id: one row, one handling
    Column("seen_at", DateTime(timezone=True), nullable=False, index=True),
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

# --- live: change feed, watches, webhook deliveries (live.py) ---------------------------------

live_cursors = Table(
    "live_cursors",
    metadata,
    Column("key", String(64), primary_key=True),  # history.cache_key(repo, branch, path)
    Column("head", String(64), nullable=False),  # the branch tip announced up to
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

live_subscriptions = Table(
    "live_subscriptions",
    metadata,
    Column("channel", String(64), nullable=False),
    Column("kind", String(16), nullable=False),  # "changes" | "digest" (a group filter)
    Column("group_key", String(200), nullable=False),  # normalize(group); "" = every group
    Column("group_name", Text, nullable=False),
    Column("added_by", String(64)),
    Column("added_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("channel", "kind", "group_key"),
)

live_watches = Table(
    "live_watches",
    metadata,
    Column("user_id", String(64), nullable=False),
    Column("target", String(400), nullable=False),  # transitions.watch_key()
    Column("name", Text, nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("user_id", "target"),
)

# One row per message to send: (recipient, key) is unique, so an announcement computed twice (two
# instances, a restart) is stored once; rows go pending -> posting -> posted | failed.
live_outbox = Table(
    "live_outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("recipient", String(64), nullable=False),  # a channel, or a user for a DM
    Column("key", String(400), nullable=False),  # what is announced: "changes:<old>..<new>"
    Column("dm", Boolean, nullable=False),
    Column("message", JSON, nullable=False),  # {"text": ..., "blocks": [...]}
    Column("state", String(16), nullable=False, index=True),
    Column("owner", String(64)),
    Column("attempts", Integer, nullable=False),
    Column("ts", String(64)),
    Column("error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("recipient", "key", name="uq_live_outbox_to_key"),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("delivery", String(100), primary_key=True),  # X-GitHub-Delivery
    Column("event", String(64), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False, index=True),
)
