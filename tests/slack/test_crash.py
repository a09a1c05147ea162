"""A real `roadmap-bot serve` killed (SIGKILL) or stopped (SIGTERM) while it pushes ticks.

A `git` wrapper first on the serving process's PATH stops at a push and writes its pid to a
file, so the test knows the moment: after the push (for SIGKILL: the outcome is not recorded
yet) or before it (for SIGTERM: the push is in flight). A second `serve` then picks up.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select

from bot.slack.blocks import parse_tick_value
from bot.store import ticks as store
from bot.store.db import engine
from bot.store.schema import tick_news
from bot.ticks.service import WAITING_SECONDS, repo_key
from tests.fakes import signing
from tests.fakes.slack import RESPONSE_URL, FakeSlack
from tests.support.git import Remote, git
from tests.support.proxy import Proxy
from tests.support.settings import free_port, make_settings, postgres_or_skip, subprocess_env

from .test_serve import APP_TOKEN, SECRET, TOKEN, Serving, stop, texts, wait_healthy

CELL = ("Compute Modules/Ingestion", "Index")


def git_wrapper(bin_dir: Path, mark: Path, *, after_push: bool) -> dict[str, str]:
    """A `git` that, the first time it pushes, writes its pid to `mark` and sleeps: after
    the real push (`after_push`) or before it. The env values that put it first on PATH."""
    real = shutil.which("git")
    assert real is not None
    bin_dir.mkdir(parents=True, exist_ok=True)
    wait = (
        f'if [ ! -e "{mark}" ]; then echo $$ > "{mark}.tmp"; mv "{mark}.tmp" "{mark}"; '
        "sleep 600; fi"
    )
    if after_push:
        body = (
            f'"{real}" "$@"; rc=$?\n'
            f'case " $* " in *" push "*) [ $rc -eq 0 ] && {{ {wait}; }} ;; esac\n'
            "exit $rc\n"
        )
    else:
        body = f'case " $* " in *" push "*) {wait} ;; esac\nexec "{real}" "$@"\n'
    script = bin_dir / "git"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(0o755)
    return {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}


@contextmanager
def serve(tmp: Path, slack: FakeSlack, remote: Remote, **values: str) -> Iterator[Serving]:
    """`serve` applying direct ticks to `remote`, in a session of its own (so the test can
    kill it whole, master and worker); ended however the test ends."""
    port = free_port()
    env = {
        "PORT": str(port),
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.url,
        "ROADMAP_REPO": str(remote.bare),
        "ROADMAP_PATH": "docs/roadmap.md",
        "TICK_MODE": "direct",
        "TICK_ALLOWED": "U0001",
        "TICK_INTERVAL_SECONDS": "3600",  # only start-up and clicks wake the applier
        **values,
    }
    log = tmp / f"serve-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve"],
            cwd=tmp,
            env=subprocess_env(tmp, **env),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    running = Serving(f"http://127.0.0.1:{port}", proc, log)
    try:
        wait_healthy(running)
        yield running
    finally:
        if proc.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        stop(proc)


def record_ticks(remote: Remote, tmp: Path, slack: FakeSlack, *dones: bool) -> list[int]:
    """Ticks of one cell recorded as a click would (before any `serve` runs): one batch."""
    settings = make_settings(remote, tmp, f"sqlite:///{tmp}/state.db")
    ids = []
    for done in dones:
        t, _ = store.record(
            engine(settings.database_url),
            key=uuid.uuid4().hex,
            repo=repo_key(settings),
            module=CELL[0],
            column=CELL[1],
            line=0,
            done=done,
            user_id="U0001",
            user_name="ada",
            channel="C0001",
            response_url=slack.response_url(),
        )
        ids.append(t.id)
    return ids


def states(tmp: Path, ids: list[int]) -> list[store.Tick]:
    eng = engine(f"sqlite:///{tmp}/state.db")
    found = [store.get(eng, i) for i in ids]
    assert all(t is not None for t in found)
    return [t for t in found if t is not None]


def wait_until(what: str, check: object, s: Serving, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        if s.proc.poll() is not None:
            pytest.fail(f"serve exited with {s.proc.returncode} waiting for {what}:\n{s.output()}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}:\n{s.output()}")
        time.sleep(0.1)


def alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie waiting to be reaped does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def end(pid: int) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def commits(remote: Remote) -> int:
    return int(git(remote.bare, "rev-list", "--count", "main").strip())


def told(slack: FakeSlack) -> dict[str, int]:
    """POSTs per response_url: each tick's card is replaced once when it is told."""
    counts: dict[str, int] = {}
    for r in slack.responses:
        counts[r.url] = counts.get(r.url, 0) + 1
    return counts


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


def test_killed_after_the_push_is_applied_and_told_once(
    tmp_path: Path, slack: FakeSlack, remote: Remote
) -> None:
    """tick, untick, tick one cell: pushed as three commits, then SIGKILL before recording.
    The next serve finds them on the branch by their trailers: three commits in all (not
    five), each tick applied and told once (not "already done")."""
    ids = record_ticks(remote, tmp_path, slack, True, False, True)
    before = commits(remote)
    mark = tmp_path / "pushed.pid"
    wrapper = git_wrapper(tmp_path / "bin", mark, after_push=True)
    with serve(tmp_path, slack, remote, **wrapper) as first:
        wait_until("the push", mark.exists, first)
        os.killpg(first.proc.pid, signal.SIGKILL)
        first.proc.wait(timeout=30)
    end(int(mark.read_text()))
    assert commits(remote) == before + 3
    assert [t.state for t in states(tmp_path, ids)] == [store.PENDING] * 3
    assert not slack.responses  # killed before anything was told
    with serve(tmp_path, slack, remote, **wrapper) as second:
        wait_until(
            "the ticks recorded",
            lambda: all(t.state != store.PENDING for t in states(tmp_path, ids)),
            second,
        )
        second.proc.terminate()  # a clean stop: whatever is being told is told first
        second.proc.wait(timeout=60)
    after = states(tmp_path, ids)
    assert [t.state for t in after] == [store.APPLIED] * 3
    assert commits(remote) == before + 3
    trailers = git(remote.bare, "log", f"-{3}", "--format=%(trailers:key=Roadmap-Tick,valueonly)")
    assert trailers.split() == [t.ref for t in reversed(after)]
    assert sorted(told(slack).values()) == [1, 1, 1]
    assert "already" not in str([r.json for r in slack.responses])


@pytest.mark.parametrize("how", ["http", "socket-mode"])
def test_sigterm_ends_the_push_in_flight_and_loses_nothing(
    tmp_path: Path, slack: FakeSlack, remote: Remote, how: str
) -> None:
    """SIGTERM while a push hangs (gunicorn's worker, or Socket Mode): serve exits 0, the
    git it started is ended with it (not left running), the tick stays recorded and the
    next serve applies and tells it once."""
    [tick_id] = record_ticks(remote, tmp_path, slack, True)
    before = commits(remote)
    mark = tmp_path / "pushing.pid"
    wrapper = git_wrapper(tmp_path / "bin", mark, after_push=False)
    if how == "socket-mode":
        wrapper |= {"SLACK_APP_TOKEN": APP_TOKEN, "SLACK_SIGNING_SECRET": ""}
    pushing = 0
    try:
        with serve(tmp_path, slack, remote, **wrapper) as first:
            wait_until("the push", mark.exists, first)
            pushing = int(mark.read_text())
            first.proc.send_signal(signal.SIGTERM)
            assert first.proc.wait(timeout=90) == 0, first.output()
        assert not alive(pushing), "the push git started is still running after serve exited"
    finally:
        if pushing:
            end(pushing)
    assert commits(remote) == before
    [waiting] = states(tmp_path, [tick_id])
    assert waiting.state == store.PENDING
    assert not slack.responses  # nothing said about a tick that was neither done nor failed
    with serve(tmp_path, slack, remote, **wrapper) as second:
        wait_until(
            "the tick recorded",
            lambda: states(tmp_path, [tick_id])[0].state != store.PENDING,
            second,
        )
        second.proc.terminate()
        second.proc.wait(timeout=60)
    assert states(tmp_path, [tick_id])[0].state == store.APPLIED
    assert commits(remote) == before + 1
    assert list(told(slack).values()) == [1]


def test_store_down_answers_still_come_and_clicks_are_refused(
    tmp_path: Path, slack: FakeSlack, remote: Remote
) -> None:
    """PostgreSQL unreachable (a proxy cut in front of it): `/roadmap` still answers 200 with
    the card, a click is told its tick could not be recorded; back up, ticks work again."""
    direct = engine(postgres_or_skip())
    with (
        Proxy(("127.0.0.1", direct.url.port or 5432)) as proxy,
        serve(tmp_path, slack, remote, DATABASE_URL=proxy.url()) as s,
    ):
        card = s.command("Ingestion", slack.response_url()).json()
        proxy.cut()
        time.sleep(WAITING_SECONDS + 0.5)  # past the moment waiting ticks are kept for
        try:
            down = s.command("Ingestion", slack.response_url())
            assert down.status_code == 200, s.output()
            assert "0/7" in texts(down.json()["blocks"])
            # ...saying the waiting ticks are unknown rather than dropping them silently
            assert "Waiting ticks are unknown right now" in texts(down.json()["blocks"])
            overview = s.command("", slack.response_url()).json()
            assert "Waiting ticks are unknown right now" in texts(overview["blocks"])
            assert click(s, slack, card).status_code == 200
            [refused] = slack.wait_for_response(1, timeout=30)
            assert "could not be recorded" in refused.json["text"]
        finally:
            proxy.restore()
        assert click(s, slack, card).status_code == 200
        wait_until("the tick applied", lambda: commits(remote) == 2, s)
        time.sleep(WAITING_SECONDS + 0.5)  # past the moment the answer above is kept for
        back = s.command("", slack.response_url()).json()
        assert "Waiting ticks are unknown" not in texts(back["blocks"])


def click(s: Serving, slack: FakeSlack, card: dict[str, Any]) -> requests.Response:
    """A click on the card's "Tick Index" button."""
    [index] = [
        el
        for b in card["blocks"]
        for el in b.get("elements", [])
        if el.get("type") == "button"
        and (req := parse_tick_value(el.get("value", ""))) is not None
        and req.column == "Index"
    ]
    action = {**signing.button_action(index["action_id"], index["value"])}
    action["action_ts"] = uuid.uuid4().hex  # a click of its own, not a retry of the last
    container = {
        "type": "message",
        "message_ts": "1700000000.000100",
        "channel_id": signing.CHANNEL_ID,
        "is_ephemeral": True,
    }
    body = signing.block_actions_body(
        [action], response_url=slack.response_url(), container=container
    )
    return signing.post(s.url + "/slack/events", body, SECRET)


def untold(tmp: Path) -> list[tuple[int, str]]:
    """(tick, state) of every piece of news not marked told."""
    with engine(f"sqlite:///{tmp}/state.db").begin() as conn:
        rows = conn.execute(
            select(tick_news.c.tick_id, tick_news.c.state).where(tick_news.c.told_at.is_(None))
        ).all()
    return [(r[0], r[1]) for r in rows]


def test_killed_between_record_and_tell_is_told_once_after_restart(
    tmp_path: Path, slack: FakeSlack, remote: Remote
) -> None:
    """The tick applied and recorded, then SIGKILL while its card is being told (the fake
    Slack holds the response_url unanswered, so Slack never accepted it): the next serve
    tells it, once, and marks it told; the change is not made again."""
    [tick_id] = record_ticks(remote, tmp_path, slack, True)
    before = commits(remote)
    slack.hold_next(RESPONSE_URL)
    with serve(tmp_path, slack, remote) as first:
        wait_until("the telling", lambda: bool(slack.held), first)
        os.killpg(first.proc.pid, signal.SIGKILL)
        first.proc.wait(timeout=30)
    slack.release()
    assert states(tmp_path, [tick_id])[0].state == store.APPLIED  # recorded before telling
    assert not slack.responses  # ...and never told
    assert untold(tmp_path) == [(tick_id, store.APPLIED)]
    with serve(tmp_path, slack, remote) as second:
        wait_until("the card told", lambda: bool(slack.responses), second)
        wait_until("the news marked told", lambda: not untold(tmp_path), second)
        second.proc.terminate()
        second.proc.wait(timeout=60)
    assert commits(remote) == before + 1
    assert list(told(slack).values()) == [1]
    [card] = slack.responses
    assert card.json is not None and "Ticked *Ingestion* / Index" in str(card.json)
