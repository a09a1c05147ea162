"""Ticks applied to a real git remote: one cell, one commit, never lost, never twice."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import pytest

from bot.repo.commit import Identity
from bot.roadmap.parse import parse
from bot.store import ticks as store
from bot.ticks.applier import TickOutcome
from bot.ticks.service import TickService
from tests.fakes.git_http import GitHttp
from tests.support.git import Remote, git
from tests.support.settings import make_settings

from .conftest import service


def tick(
    svc: TickService,
    module: str,
    column: str,
    done: bool = True,
    user: str = "U0001",
    key: str | None = None,
) -> store.Tick:
    found, _ = svc.record(
        key=key or uuid.uuid4().hex,
        module=module,
        column=column,
        line=0,
        done=done,
        user_id=user,
        user_name="ada",
        channel="C0001",
    )
    return found


def changed_bytes(a: bytes, b: bytes) -> int:
    assert len(a) == len(b)
    return sum(x != y for x, y in zip(a, b, strict=True))


def cell(text: bytes, module: str, column: str) -> str:
    roadmap = parse(text.decode("utf-8"))
    found = next(m for m in roadmap.modules if m.name == module)
    c = found.cell(column)
    assert c is not None
    return c.state.value


def test_one_tick_one_commit_one_byte(remote: Remote, tmp_path: Path, database_url: str) -> None:
    before = remote.text()
    svc = service(
        make_settings(remote, tmp_path, database_url),
        people=lambda _u: Identity("Ada Lovelace", "ada@example.com"),
    )
    tick(svc, "Compute Modules/Ingestion", "API")
    [outcome] = svc.run_now()
    assert outcome.state == store.APPLIED
    after = remote.text()
    assert changed_bytes(before, after) == 1
    assert cell(after, "Ingestion", "API") == "done"
    assert remote.log()[0] == outcome.sha
    message = git(remote.bare, "log", "-1", "--format=%an <%ae>%n%B")
    assert message.startswith("roadmap-bot <roadmap-bot@users.noreply.github.com>")
    assert "ticked Ingestion / API" in message and "ada" in message
    assert "Co-authored-by: Ada Lovelace <ada@example.com>" in message
    assert store.get(svc.engine, outcome.tick.id).state == store.APPLIED  # type: ignore[union-attr]


def test_untick_and_noop(remote: Remote, tmp_path: Path, database_url: str) -> None:
    svc = service(make_settings(remote, tmp_path, database_url))
    before = remote.text()
    tick(svc, "Host Modules/Policy Engine", "Runbook", done=False)
    tick(svc, "Host Modules/Policy Engine", "Index", done=True)  # already done
    untick, noop = svc.run_now()
    assert untick.state == store.APPLIED and noop.state == store.NOOP
    assert "already done" in noop.detail
    assert len(remote.log()) == 2  # the seed commit and the untick
    assert changed_bytes(before, remote.text()) == 1
    assert cell(remote.text(), "Policy Engine", "Runbook") == "open"


def test_fifty_concurrent_ticks_land_exactly_once(
    remote: Remote, tmp_path: Path, database_url: str
) -> None:
    before = remote.text()
    roadmap = parse(before.decode())
    cells = [
        (m.qualified, c.column) for m in roadmap.modules for c in m.cells if c.state.value == "open"
    ][:50]
    assert len(cells) == 50
    svc = service(make_settings(remote, tmp_path, database_url))
    threads = [threading.Thread(target=tick, args=(svc, m, c)) for m, c in cells]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    outcomes = svc.run_now()
    assert sorted(o.state for o in outcomes) == [store.APPLIED] * 50
    after = remote.text()
    assert changed_bytes(before, after) == 50
    assert len(remote.log()) == 51
    again = parse(after.decode())
    done = {
        (m.qualified, c.column) for m in again.modules for c in m.cells if c.state.value == "done"
    }
    assert set(cells) <= done
    assert svc.run_now() == []  # nothing left open


def test_same_key_records_once(remote: Remote, tmp_path: Path, database_url: str) -> None:
    svc = service(make_settings(remote, tmp_path, database_url))
    first = tick(svc, "Compute Modules/Ingestion", "API", key="click-1")
    results = []
    threads = [
        threading.Thread(
            target=lambda: results.append(
                svc.record(
                    key="click-1",
                    module="Compute Modules/Ingestion",
                    column="API",
                    line=0,
                    done=True,
                    user_id="U0001",
                )
            )
        )
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {r[0].id for r in results} == {first.id} and not any(r[1] for r in results)
    assert len(svc.run_now()) == 1
    assert len(remote.log()) == 2


def test_push_race_reapplies_on_the_new_tip(
    remote: Remote, tmp_path: Path, database_url: str
) -> None:
    raced = []

    def race(sha: str) -> None:
        if not raced:  # someone pushes between our fetch and our push
            raced.append(sha)
            remote.commit_by_hand(
                lambda b: b.replace(b"Keep this roadmap synced", b"Keep it synced")
            )
        return None

    svc = service(make_settings(remote, tmp_path, database_url), commit_url=race)
    tick(svc, "Compute Modules/Ingestion", "Runbook")
    [outcome] = svc.run_now()
    assert outcome.state == store.APPLIED and raced
    log = remote.log()
    assert len(log) == 3 and log[0] == outcome.sha
    text = remote.text()
    assert b"Keep it synced" in text and cell(text, "Ingestion", "Runbook") == "done"


def test_module_removed_by_hand_writes_nothing(
    remote: Remote, tmp_path: Path, database_url: str
) -> None:
    svc = service(make_settings(remote, tmp_path, database_url))
    tick(svc, "Compute Modules/Ingestion", "API")
    tick(svc, "Compute Modules/Publish", "Docs")
    remote.commit_by_hand(
        lambda b: b"\n".join(ln for ln in b.split(b"\n") if b"| Ingestion " not in ln)
    )
    head = remote.log()
    gone, no_column = svc.run_now()
    assert gone.state == store.FAILED and "'Ingestion' is no longer in the roadmap" in gone.detail
    assert no_column.state == store.FAILED and "'Docs'" in no_column.detail
    assert remote.log() == head


def test_restart_applies_pending_and_never_twice(
    remote: Remote, tmp_path: Path, database_url: str
) -> None:
    settings = make_settings(remote, tmp_path, database_url)
    first = service(settings)
    recorded = tick(first, "Compute Modules/Ingestion", "API")
    # The process dies before applying: a new one (new mirror cache) picks the tick up.
    second = service(settings.model_copy(update={"cache_dir": str(tmp_path / "other-cache")}))
    [outcome] = second.run_now()
    assert outcome.tick.id == recorded.id and outcome.state == store.APPLIED
    # Died after pushing but before recording: the tick is found pending again, with the
    # commit it became; that commit is on the branch, so it is applied, not "already done".
    store.mark(second.engine, recorded.id, store.PENDING)
    [again] = second.run_now()
    assert again.state == store.APPLIED and again.sha == outcome.sha
    assert again.detail == outcome.detail
    assert len(remote.log()) == 2


def test_two_appliers_at_once(remote: Remote, tmp_path: Path, database_url: str) -> None:
    settings = make_settings(remote, tmp_path, database_url)
    a = service(settings)
    b = service(settings.model_copy(update={"cache_dir": str(tmp_path / "b-cache")}))
    for column in ("Index", "API", "Runbook", "Security"):
        tick(a, "Compute Modules/Normalization", column)
    results: list[list[TickOutcome]] = []
    threads = [threading.Thread(target=lambda s=s: results.append(s.run_now())) for s in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    applied = [o for r in results for o in r if o.state == store.APPLIED]
    assert len(applied) == 4
    assert len(remote.log()) == 5


def test_local_mode_updates_a_checked_out_work_tree(remote: Remote, tmp_path: Path) -> None:
    settings = make_settings(
        remote,
        tmp_path,
        f"sqlite:///{tmp_path}/s.db",
        tick_mode="local",
        roadmap_repo=str(remote.work),
        tick_allowed=None,
    )
    svc = service(settings)
    tick(svc, "Access Modules/Authentication", "Index")
    [outcome] = svc.run_now()
    assert outcome.state == store.APPLIED
    text = (remote.work / "docs" / "roadmap.md").read_bytes()
    assert cell(text, "Authentication", "Index") == "done"
    assert git(remote.work, "status", "--porcelain") == ""


def test_direct_mode_needs_an_explicit_list(remote: Remote, tmp_path: Path) -> None:
    from bot.errors import SettingsError

    settings = make_settings(remote, tmp_path, f"sqlite:///{tmp_path}/s.db", tick_allowed=None)
    with pytest.raises(SettingsError, match="TICK_ALLOWED"):
        service(settings)
    with pytest.raises(SettingsError, match="'bob'"):
        service(settings.model_copy(update={"tick_allowed": "U0001,bob"}))


KILLED_AFTER_RECORDING = """
import os, signal, sys
from bot.config import Settings
from bot.store.db import engine
from bot.ticks.service import build_tick_service
settings = Settings.model_validate_json(sys.argv[1])
svc = build_tick_service(settings, engine(settings.database_url))
svc.record(key="click-killed", module="Compute Modules/Ingestion", column="Security", line=0,
           done=True, user_id="U0001")
os.kill(os.getpid(), signal.SIGKILL)  # acked, never applied
"""


def test_a_killed_process_loses_no_tick(remote: Remote, tmp_path: Path, database_url: str) -> None:
    import subprocess
    import sys

    settings = make_settings(remote, tmp_path, database_url)
    proc = subprocess.run(
        [sys.executable, "-c", KILLED_AFTER_RECORDING, settings.model_dump_json()],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == -9, proc.stderr
    assert len(remote.log()) == 1
    restarted = service(settings)
    [outcome] = restarted.run_now()
    assert outcome.state == store.APPLIED and outcome.tick.column == "Security"
    assert restarted.run_now() == []
    assert len(remote.log()) == 2


def test_an_outage_keeps_the_tick_and_tells_once(
    remote: Remote, tmp_path: Path, git_http: GitHttp
) -> None:
    # An outage is the remote not answering (503), not a hook saying no: that is a refusal
    # (tests/ticks/test_refusals.py) and fails at once.
    git_http.down = True
    settings = make_settings(
        remote, tmp_path, f"sqlite:///{tmp_path}/o.db", roadmap_repo=git_http.url("remote.git")
    )
    svc = service(settings)
    recorded = tick(svc, "Compute Modules/Ingestion", "API")
    [held] = svc.run_now()
    assert held.state == store.PENDING and "retried" in held.detail
    assert svc.run_now() == []  # still down: not told twice
    assert len(remote.log()) == 1
    git_http.down = False
    [landed] = svc.run_now()
    assert landed.state == store.APPLIED and landed.tick.id == recorded.id
    assert store.get(svc.engine, recorded.id).error is None  # type: ignore[union-attr]
    assert len(remote.log()) == 2


TWO_PROCESSES = """
import sys, uuid
from bot.config import Settings
from bot.store.db import engine
from bot.ticks.service import build_tick_service
settings = Settings.model_validate_json(sys.argv[1])
svc = build_tick_service(settings, engine(settings.database_url))
for column in sys.argv[2:]:
    module = "Compute Modules/KPI Build" if column.startswith("k:") else "Compute Modules/Publish"
    svc.record(key=uuid.uuid4().hex, module=module, column=column.split(":", 1)[1], line=0,
               done=True, user_id="U0001")
print(" ".join(o.state for o in svc.run_now()))
"""


def test_two_processes_share_one_applier(remote: Remote, tmp_path: Path, database_url: str) -> None:
    import subprocess
    import sys

    base = make_settings(remote, tmp_path, database_url)
    columns = ["Index", "Data Model", "API", "Observability", "Runbook", "Security"]
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                TWO_PROCESSES,
                base.model_copy(
                    update={"cache_dir": str(tmp_path / f"cache-{p}")}
                ).model_dump_json(),
                *[f"{p}:{c}" for c in columns],
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for p in ("k", "p")
    ]
    states = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        states += out.split()
    assert states.count(store.APPLIED) == 12 and store.NOOP not in states
    assert len(remote.log()) == 13


CI_CD = """# Roadmap

## Checklists

| Module | API | Runbook |
|---|---|---|
| **CI/CD Modules** | | |
| Deploy | [ ] | [ ] |
| Rollback | [ ] | [ ] |
| **Host Modules** | | |
| A/B Testing | [ ] | [ ] |
"""


def test_a_group_name_with_a_slash_reads_whole_in_the_tick_result(
    tmp_path: Path, database_url: str
) -> None:
    from bot.slack.tick_results import result_line
    from tests.support.git import make_remote

    remote = make_remote(tmp_path, CI_CD)
    svc = service(make_settings(remote, tmp_path, database_url))
    tick(svc, "CI/CD Modules/Deploy", "API")
    tick(svc, "Host Modules/A/B Testing", "Runbook")
    tick(svc, "CI/CD Modules/Rollback", "API")
    remote.commit_by_hand(lambda b: b.replace(b"| Rollback |", b"| Roll back |"))
    deploy, ab, gone = svc.run_now()
    assert deploy.state == store.APPLIED and deploy.module_name == "Deploy"
    assert "Ticked *Deploy* / API" in result_line(deploy)
    assert ab.module_name == "A/B Testing"
    assert "Ticked *A/B Testing* / Runbook" in result_line(ab)
    assert gone.state == store.FAILED and "'Rollback' is no longer in the roadmap" in gone.detail
    assert "*Rollback* / API" in result_line(gone)


def test_module_name_splits_where_a_group_of_the_roadmap_ends() -> None:
    from bot.ticks.applier import module_name

    roadmap = parse(CI_CD)
    asked = store.Tick(
        **{**dict.fromkeys(store.Tick.__dataclass_fields__), "module": "CI/CD Modules/Gone"}
    )
    assert module_name(asked, roadmap) == "Gone"
    assert module_name(asked) == "CI/CD Modules/Gone"  # no roadmap: never a wrong half


def test_tick_untick_tick_of_one_cell_in_one_run(
    remote: Remote, tmp_path: Path, database_url: str
) -> None:
    """The same cell three times in one batch: three commits, each naming its tick in a
    trailer (not "the file changed under the edit" for the second and third)."""
    svc = service(make_settings(remote, tmp_path, database_url))
    for done in (True, False, True):
        tick(svc, "Compute Modules/Ingestion", "API", done=done)
    outcomes = svc.run_now()
    assert [o.state for o in outcomes] == [store.APPLIED] * 3
    assert len(remote.log()) == 4
    assert cell(remote.text(), "Ingestion", "API") == "done"
    trailers = git(remote.bare, "log", "-3", "--format=%(trailers:key=Roadmap-Tick,valueonly)")
    assert trailers.split() == [o.tick.ref for o in reversed(outcomes)]
