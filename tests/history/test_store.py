"""The history cache on SQLite and PostgreSQL, against real git through a mirror."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, select, update

from bot.errors import GitError, NotFoundError, SettingsError, UserInputError
from bot.repo.history import read_history
from bot.repo.mirror import Mirror
from bot.store import history as store
from bot.store.db import engine
from bot.store.history import (
    cached_history,
    history_cursors,
    history_events,
    query_history,
    update_history,
)

from .conftest import PATH, ROADMAP, Repo

POSTGRES = "postgresql://127.0.0.1:5432/test"


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        yield engine(f"sqlite:///{tmp_path / 'state.db'}")
        return
    try:
        eng = engine(POSTGRES)
    except SettingsError as err:
        pytest.skip(f"PostgreSQL at {POSTGRES}: {err}")
    keys: set[str] = set()
    request.node.stash[KEYS] = keys
    yield eng
    # Every test's repo is in its own tmp_path, so its keys are its own: remove its rows.
    with eng.begin() as conn:
        conn.execute(delete(history_events).where(history_events.c.key.in_(keys)))
        conn.execute(delete(history_cursors).where(history_cursors.c.key.in_(keys)))


KEYS = pytest.StashKey[set[str]]()


@pytest.fixture
def mirror(repo: Repo, tmp_path: Path, request: pytest.FixtureRequest) -> Mirror:
    m = Mirror(str(repo.path), cache_root=tmp_path / "cache")
    keys = request.node.stash.get(KEYS, None)
    if keys is not None:
        keys.add(store.cache_key(m.remote, "main", PATH))
        keys.add(store.cache_key(m.remote, "main", "docs/other.md"))
    return m


def rows(db: Engine, key: str) -> list[tuple[int, str]]:
    with db.connect() as conn:
        found = conn.execute(
            select(history_events.c.seq, history_events.c.commit_sha)
            .where(history_events.c.key == key)
            .order_by(history_events.c.seq)
        ).all()
    return [(seq, sha) for seq, sha in found]


def test_the_second_run_reads_only_the_new_commits(db: Engine, repo: Repo, mirror: Mirror) -> None:
    repo.commit(ROADMAP)
    repo.tick("Ingestion", "Docs", author="bo")
    repo.tick("Publish", "Docs", author="cy")

    first = update_history(db, mirror, "main", PATH)
    assert (first.commits_read, first.events_added, first.rebuilt) == (3, 6, False)
    assert first.total_events == 6

    nothing = update_history(db, mirror, "main", PATH)
    assert (nothing.commits_read, nothing.events_added, nothing.total_events) == (0, 0, 6)

    repo.commit("notes\n", path="NOTES.md")  # the tip moves; the roadmap does not
    other = update_history(db, mirror, "main", PATH)
    assert (other.commits_read, other.events_added) == (0, 0)

    new = repo.tick("Policy Engine", "API", author="bo")
    after = update_history(db, mirror, "main", PATH)
    assert (after.commits_read, after.events_added, after.rebuilt) == (1, 1, False)
    assert after.head == new
    assert rows(db, after.key)[-1] == (6, new)

    cached = cached_history(db, mirror, "main", PATH)
    full, _ = read_history(repo.path, "main", PATH)
    assert cached == full


def test_a_force_push_rebuilds_from_scratch(db: Engine, repo: Repo, mirror: Mirror) -> None:
    repo.commit(ROADMAP)
    repo.tick("Ingestion", "Docs")
    gone = repo.tick("Publish", "Docs")
    update_history(db, mirror, "main", PATH)

    repo.git("reset", "-q", "--hard", repo.commits[1])
    replaced = repo.tick("Tenant Management", "API", author="bo")
    done = update_history(db, mirror, "main", PATH)
    assert done.rebuilt
    assert done.commits_read == 3
    shas = [sha for _, sha in rows(db, done.key)]
    assert gone not in shas
    assert shas[-1] == replaced
    assert [seq for seq, _ in rows(db, done.key)] == list(range(6))
    assert cached_history(db, mirror, "main", PATH) == read_history(repo.path, "main", PATH)[0]


def test_the_old_tip_merged_in_as_a_second_parent_rebuilds(
    db: Engine, repo: Repo, mirror: Mirror
) -> None:
    repo.commit(ROADMAP)
    repo.git("checkout", "-q", "-b", "feature")
    repo.tick("Ingestion", "Docs", author="bo")
    repo.git("checkout", "-q", "main")
    repo.tick("Policy Engine", "API")
    update_history(db, mirror, "main", PATH)
    # The feature merges main in and main is fast-forwarded to it: main's first-parent
    # history now runs through the feature's commits, not through the cached tip.
    repo.git("checkout", "-q", "feature")
    repo.git("merge", "-q", "--no-ff", "-m", "merge main", "main", author="cy")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--ff-only", "feature")
    done = update_history(db, mirror, "main", PATH)
    assert done.rebuilt
    assert cached_history(db, mirror, "main", PATH) == read_history(repo.path, "main", PATH)[0]


def test_a_cache_from_an_older_parser_is_rebuilt(db: Engine, repo: Repo, mirror: Mirror) -> None:
    repo.commit(ROADMAP)
    first = update_history(db, mirror, "main", PATH)
    with db.begin() as conn:
        conn.execute(
            update(history_cursors)
            .where(history_cursors.c.key == first.key)
            .values(state={"version": 0})
        )
    again = update_history(db, mirror, "main", PATH)
    assert again.rebuilt
    assert again.commits_read == 1
    assert again.total_events == 4
    assert len(rows(db, first.key)) == 4


def test_since_and_module(db: Engine, repo: Repo, mirror: Mirror) -> None:
    repo.commit(ROADMAP, date="2026-01-01T09:00:00+00:00")
    repo.tick("Ingestion", "Docs", author="bo")  # 10:00
    repo.tick("Ingestion", "API", author="bo")  # 11:00
    repo.tick("Publish", "Docs", author="cy")  # 12:00
    key = update_history(db, mirror, "main", PATH).key

    since = query_history(db, key, since=datetime(2026, 1, 1, 11, 0, tzinfo=UTC))
    assert [(c.module, c.column) for c in since] == [("Ingestion", "API"), ("Publish", "Docs")]
    # Naive means UTC; an instant between two commits.
    later = query_history(db, key, since=datetime(2026, 1, 1, 11, 0, 0, 1))
    assert [(c.module, c.column) for c in later] == [("Publish", "Docs")]

    ingestion = query_history(db, key, module="INGESTION")
    assert [(c.kind, c.column) for c in ingestion] == [
        ("module_added", None),
        ("tick", "Docs"),
        ("tick", "API"),
    ]
    assert [c.module for c in query_history(db, key, module="pub")] == ["Publish", "Publish"]
    with pytest.raises(UserInputError, match=r"several modules.*Policy Engine, Publish"):
        query_history(db, key, module="p")
    with pytest.raises(NotFoundError, match=r"no module 'Ingestoin'.*did you mean Ingestion"):
        query_history(db, key, module="Ingestoin")


def test_each_path_has_its_own_cache(db: Engine, repo: Repo, mirror: Mirror) -> None:
    repo.commit(ROADMAP)
    repo.commit(ROADMAP.replace("| Publish | [ ] | [x] | [ ] |\n", ""), path="docs/other.md")
    assert len(cached_history(db, mirror, "main", PATH)) == 4
    assert len(cached_history(db, mirror, "main", "docs/other.md")) == 3


def test_a_writer_that_lost_the_race_adds_nothing(db: Engine, repo: Repo, mirror: Mirror) -> None:
    repo.commit(ROADMAP)
    first = update_history(db, mirror, "main", PATH)
    stale = store._cursor(db, first.key)
    sha = repo.tick("Ingestion", "Docs")
    update_history(db, mirror, "main", PATH)  # the other process, faster
    changes, _ = read_history(repo.path, "main", PATH, first.head)
    # We read the same commit and try to append it after the cursor we saw: refused.
    total = store._save(db, first.key, mirror, "main", PATH, stale, first.head, sha, changes)
    assert total == 5
    assert len(rows(db, first.key)) == 5
    # Nor may a stale rebuild (from the older tip) replace the winner's events.
    old, _ = read_history(repo.path, first.head, PATH)
    total = store._save(db, first.key, mirror, "main", PATH, stale, None, first.head, old)
    assert total == 5
    assert [s for _, s in rows(db, first.key)][-1] == sha


def test_a_branch_that_is_not_there(db: Engine, repo: Repo, mirror: Mirror) -> None:
    repo.commit(ROADMAP)
    with pytest.raises(GitError, match="cannot fetch branch 'nope'"):
        update_history(db, mirror, "nope", PATH)


def test_history_of_a_git_source(db: Engine, repo: Repo, tmp_path: Path, mirror: Mirror) -> None:
    from bot.repo.source import GitSource
    from bot.store.history import source_history

    repo.commit(ROADMAP)
    repo.tick("Ingestion", "Docs", author="bo")
    source = GitSource(str(repo.path), cache_dir=tmp_path / "cache")
    changes = source_history(db, source, module="ingestion")
    assert [(c.kind, c.column) for c in changes] == [("module_added", None), ("tick", "Docs")]
