"""The state store (PostgreSQL) unreachable while the tick service runs, through a TCP proxy
the test cuts (the shared server itself keeps running for every other test)."""

from __future__ import annotations

import os
import shutil
import threading
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from bot.errors import SettingsError
from bot.store import ticks as store
from bot.store.db import engine
from bot.ticks.applier import TickOutcome
from tests.support.git import Remote
from tests.support.proxy import Proxy
from tests.support.settings import make_settings, postgres_or_skip

from .conftest import service


def wait_for(what: str, check: object, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


def test_ticks_waiting_through_an_outage_apply_when_the_store_is_back(
    remote: Remote, tmp_path: Path
) -> None:
    """With a one-hour interval, only a prompt retry after the failed run applies the tick
    that waited through the outage; and while the store is down, cards still get an
    answer (no waiting ticks) and a click is refused, not lost silently."""
    direct = engine(postgres_or_skip())
    with Proxy(("127.0.0.1", direct.url.port or 5432)) as proxy:
        settings = make_settings(remote, tmp_path, proxy.url(), tick_interval_seconds=3600)
        svc = service(settings)
        svc.start()
        try:
            proxy.cut()
            try:
                assert svc.waiting() == {}  # not an exception: /roadmap still answers
                with pytest.raises(OperationalError):
                    svc.record(
                        key=uuid.uuid4().hex,
                        module="Compute Modules/Ingestion",
                        column="API",
                        line=0,
                        done=True,
                        user_id="U0001",
                    )
                # Recorded meanwhile by another instance that still reaches the store.
                waiting, _ = store.record(
                    direct,
                    key=uuid.uuid4().hex,
                    repo=svc.repo,
                    module="Compute Modules/Ingestion",
                    column="Index",
                    line=0,
                    done=True,
                    user_id="U0001",
                )
                seen = proxy.refused
                svc.submit()
                proxy.wait_refused(seen)  # the run tried the store, and failed
            finally:
                proxy.restore()
            wait_for(
                "the waiting tick applied",
                lambda: getattr(store.get(direct, waiting.id), "state", None) == store.APPLIED,
            )
        finally:
            svc.stop()
    assert len(remote.log()) == 2


def test_a_database_host_that_does_not_answer_fails_fast(tmp_path: Path) -> None:
    """A connection to a host that accepts and never answers fails after DATABASE_URL's
    connect timeout (a Slack request must not hang on it) with the one-line setting error."""
    target = engine(postgres_or_skip()).url
    raised: list[BaseException] = []
    with Proxy(("127.0.0.1", target.port or 5432)) as proxy:
        proxy.hold()

        def open_it() -> None:
            try:
                engine(proxy.url())
            except BaseException as err:
                raised.append(err)

        opening = threading.Thread(target=open_it, daemon=True)
        opening.start()
        opening.join(timeout=60)
        assert not opening.is_alive(), "opening the database still waits on a silent host"
    [err] = raised
    assert isinstance(err, SettingsError) and "DATABASE_URL" in str(err)


def test_store_lost_between_push_and_record(
    remote: Remote, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The push went through, then the store went away before the outcome was recorded:
    once it is back (seconds later, not the interval) the tick is found on the branch by
    its trailer, recorded applied and told once; not applied again, not "already done"."""
    direct = engine(postgres_or_skip())
    pushed, go = tmp_path / "pushed", tmp_path / "go"
    real = shutil.which("git")
    wrapper = tmp_path / "bin" / "git"
    wrapper.parent.mkdir()
    wrapper.write_text(
        f'#!/bin/sh\n"{real}" "$@"; rc=$?\n'
        f'case " $* " in *" push "*) [ $rc -eq 0 ] && [ ! -e "{pushed}" ] && {{ '
        f'touch "{pushed}"; while [ ! -e "{go}" ]; do sleep 0.05; done; }} ;; esac\n'
        "exit $rc\n"
    )
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{wrapper.parent}{os.pathsep}{os.environ['PATH']}")
    told: list[TickOutcome] = []
    with Proxy(("127.0.0.1", direct.url.port or 5432)) as proxy:
        settings = make_settings(remote, tmp_path, proxy.url(), tick_interval_seconds=3600)
        svc = service(settings, notify=told.extend)
        recorded, _ = svc.record(
            key=uuid.uuid4().hex,
            module="Compute Modules/Ingestion",
            column="API",
            line=0,
            done=True,
            user_id="U0001",
        )
        svc.start()
        try:
            wait_for("the push", pushed.exists)
            proxy.cut()
            seen = proxy.refused
            go.touch()
            try:
                proxy.wait_refused(seen)  # recording the outcome failed
            finally:
                proxy.restore()
            wait_for(
                "the tick recorded",
                lambda: getattr(store.get(direct, recorded.id), "state", None) != store.PENDING,
            )
        finally:
            svc.stop()
    assert getattr(store.get(direct, recorded.id), "state", None) == store.APPLIED
    assert len(remote.log()) == 2
    assert [(o.tick.id, o.state) for o in told] == [(recorded.id, store.APPLIED)]
