"""The state store creates every feature's tables however it is first opened."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

OPEN_ONLY = """
import sys
from sqlalchemy import inspect
from bot.store.db import engine
print(" ".join(sorted(inspect(engine(sys.argv[1])).get_table_names())))
"""


def test_a_fresh_process_gets_every_table(tmp_path: Path) -> None:
    # A fresh interpreter: no feature module imported before the engine is made.
    url = f"sqlite:///{tmp_path}/fresh.db"
    out = subprocess.run(
        [sys.executable, "-c", OPEN_ONLY, url], capture_output=True, text=True, check=True
    ).stdout.split()
    for table in ("ticks", "history_events", "history_cursors"):
        assert table in out
    assert any("digest" in t or "subscription" in t for t in out)


def test_processes_creating_tables_at_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/race.db"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN_ONLY, url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
