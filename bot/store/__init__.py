"""State that is not the roadmap: idempotency keys, the tick outbox, digest markers,
subscriptions and the history cache. SQLAlchemy; SQLite by default, PostgreSQL for several
instances. Every table is in `schema.py`; each feature's queries are in its own module."""
