"""State that is not the roadmap: idempotency keys, the tick outbox, digest markers,
subscriptions and the history cache. SQLAlchemy; SQLite by default, PostgreSQL for several
instances. Each feature keeps its tables in its own module on the shared `metadata`."""
