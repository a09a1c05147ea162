"""Ticks asked for together ("Tick all N ready" on the drift card) land as one commit that
lists every cell; other ticks keep one commit each. And the batch column reaches a database
made before it existed."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

from sqlalchemy import inspect

from bot.store import ticks as store
from bot.store.db import engine
from bot.ticks.service import TickService
from tests.support.git import Remote, git
from tests.support.settings import make_settings

from .conftest import service
from .test_applier import cell


def tick(svc: TickService, module: str, column: str, batch: str | None = None) -> store.Tick:
    found, _ = svc.record(
        key=uuid.uuid4().hex,
        module=module,
        column=column,
        line=0,
        done=True,
        user_id="U0001",
        user_name="ada",
        channel="C0001",
        batch=batch,
    )
    return found


def test_a_batch_is_one_commit_listing_every_cell(
    remote: Remote, tmp_path: Path, database_url: str
) -> None:
    svc = service(make_settings(remote, tmp_path, database_url))
    tick(svc, "Compute Modules/Ingestion", "API", batch="b1")
    tick(svc, "Compute Modules/Ingestion", "Data Model")  # alone, between the batch's ticks
    tick(svc, "Compute Modules/Ingestion", "Runbook", batch="b1")
    tick(svc, "Host Modules/Policy Engine", "Index", batch="b1")  # already done: no-op
    outcomes = svc.run_now()
    by_column = {o.tick.column: o for o in outcomes}
    assert by_column["Index"].state == store.NOOP
    api, ui, alone = by_column["API"], by_column["Runbook"], by_column["Data Model"]
    assert api.state == ui.state == alone.state == store.APPLIED
    assert api.sha == ui.sha != alone.sha
    log = remote.log()
    assert len(log) == 3  # the seed, the batch, the single tick
    assert log[1] == api.sha and log[0] == alone.sha  # the batch where its first tick was
    batch = git(remote.bare, "log", "-1", "--format=%B", api.sha or "")
    assert batch.startswith("roadmap: ticked 2 cells\n\n")
    assert "- ticked Ingestion / API\n- ticked Ingestion / Runbook\n" in batch
    assert "Asked by ada" in batch
    single = git(remote.bare, "log", "-1", "--format=%s", alone.sha or "")
    assert single.strip() == "roadmap: ticked Ingestion / Data Model"
    text = remote.text()
    for column in ("API", "Runbook", "Data Model"):
        assert cell(text, "Ingestion", column) == "done"


def test_a_database_made_before_batches_gets_the_column(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    old.execute(
        "CREATE TABLE ticks (id INTEGER PRIMARY KEY, key VARCHAR(200) NOT NULL UNIQUE, "
        "repo VARCHAR(500) NOT NULL, module TEXT NOT NULL, column_name TEXT NOT NULL, "
        "line INTEGER NOT NULL, done BOOLEAN NOT NULL, user_id VARCHAR(64) NOT NULL, "
        "user_name TEXT, channel VARCHAR(64), message_ts VARCHAR(64), response_url TEXT, "
        "surface VARCHAR(16) NOT NULL, state VARCHAR(16) NOT NULL, sha VARCHAR(64), "
        "pr_url TEXT, pr_number INTEGER, error TEXT, created_at DATETIME NOT NULL, "
        "updated_at DATETIME NOT NULL)"
    )
    old.execute(
        "INSERT INTO ticks (key, repo, module, column_name, line, done, user_id, surface, "
        "state, created_at, updated_at) VALUES ('k0', 'r', 'G/M', 'API', 3, 1, 'U1', "
        "'message', 'pending', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
    )
    old.commit()
    old.close()
    eng = engine(f"sqlite:///{path}")
    assert "batch" in {c["name"] for c in inspect(eng).get_columns("ticks")}
    [before] = store.open_ticks(eng, "r")
    assert before.batch is None and before.module == "G/M"  # old rows read as before
    made, new = store.record(
        eng,
        key="k1",
        repo="r",
        module="G/M",
        column="UI",
        line=3,
        done=True,
        user_id="U1",
        batch="b",
    )
    assert new and made.batch == "b"
