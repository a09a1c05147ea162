"""`roadmap-bot serve` for real: a subprocess under gunicorn (or Socket Mode) on a free port,
driven with signed requests over HTTP, its Web API calls answered by the fake Slack."""

from __future__ import annotations

import ctypes
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from bot.slack.blocks import parse_tick_value
from tests.fakes import signing
from tests.fakes.slack import FakeSlack
from tests.fakes.socket import FakeSocketServer
from tests.support.settings import free_port, subprocess_env

SECRET = "serve-test-signing-secret"
TOKEN = "xoxb-serve-test-token-5b1f"
APP_TOKEN = "xapp-1-serve-test-app-token-77c2"
SYSCALLS = {"x86_64": 234, "aarch64": 131}  # tgkill
SYS_TGKILL = SYSCALLS.get(platform.machine(), 0)


def run_serve(tmp: Path, **values: str) -> subprocess.CompletedProcess[str]:
    """`serve` that is expected to stop by itself (a bad setting)."""
    return subprocess.run(
        [sys.executable, "-m", "bot", "serve"],
        cwd=tmp,
        env=subprocess_env(tmp, **values),
        capture_output=True,
        text=True,
        timeout=20,
    )


@dataclass
class Serving:
    url: str
    proc: subprocess.Popen[bytes]
    log: Path  # stdout and stderr of the process

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def command(
        self, text: str, response_url: str, secret: str = SECRET, timeout: float = 10
    ) -> requests.Response:
        body = signing.slash_command_body(text=text, response_url=response_url)
        return signing.post(self.url + "/slack/events", body, secret, timeout=timeout)


@contextmanager
def serving(tmp: Path, slack: FakeSlack, **values: str) -> Iterator[Serving]:
    """`serve` in the background until /healthz answers 200; killed however the test ends."""
    port = free_port()
    env = {
        "PORT": str(port),
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.url,
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
        )
    running = Serving(f"http://127.0.0.1:{port}", proc, log)
    try:
        wait_healthy(running)
        yield running
    finally:
        stop(proc)


def wait_healthy(s: Serving, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if s.proc.poll() is not None:
            pytest.fail(f"serve exited with {s.proc.returncode}:\n{s.output()}")
        try:
            if requests.get(s.url + "/healthz", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"/healthz did not answer 200 within {timeout}s:\n{s.output()}")
        time.sleep(0.1)


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def texts(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def served(tmp_path: Path, slack: FakeSlack) -> Iterator[Serving]:
    with serving(tmp_path, slack) as s:
        yield s


# --- HTTP under gunicorn ----------------------------------------------------------------------


def test_command_answered_in_the_ack(served: Serving, slack: FakeSlack) -> None:
    resp = served.command("Ingestion", slack.response_url())
    assert resp.status_code == 200
    reply = resp.json()
    assert reply["response_type"] == "ephemeral"
    assert "0/7" in texts(reply["blocks"])
    # auth.test at start-up went to SLACK_API_URL with the bot token
    [auth] = slack.calls_to("auth.test")
    assert auth.token == TOKEN


def test_healthz(served: Serving) -> None:
    resp = requests.get(served.url + "/healthz", timeout=5)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "application/json"
    data = resp.json()
    assert data["ok"] is True and data["modules"] == 37


def test_bad_signature_is_refused(served: Serving, slack: FakeSlack) -> None:
    assert served.command("Ingestion", slack.response_url(), "wrong-secret").status_code == 401
    body = signing.slash_command_body(text="Ingestion")
    unsigned = requests.post(
        served.url + "/slack/events", data=body, headers={"Content-Type": signing.FORM}, timeout=5
    )
    assert unsigned.status_code == 401


def test_commands_are_served_concurrently(served: Serving, slack: FakeSlack) -> None:
    # A request whose body has not fully arrived holds one thread; with a single thread
    # nothing else would be answered until it completes.
    body = signing.slash_command_body(text="Ingestion", response_url=slack.response_url()).encode()
    head = (
        "POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: {signing.FORM}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n"
        + "".join(f"{k}: {v}\r\n" for k, v in signing.signed_headers(SECRET, body).items())
        + "\r\n"
    ).encode()
    port = int(served.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as held:
        held.sendall(head + body[:10])
        time.sleep(0.3)  # let the server pick the connection up and block on the body
        meanwhile = served.command("Ingestion", slack.response_url(), timeout=5)
        assert meanwhile.status_code == 200 and "0/7" in texts(meanwhile.json()["blocks"])
        held.sendall(body[10:])
        answer = b""
        while chunk := held.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200") and b"0/7" in answer

    start = threading.Barrier(16)

    def one(_: int) -> tuple[int, str]:
        start.wait(timeout=10)
        resp = served.command("Ingestion", slack.response_url())
        return resp.status_code, resp.text

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(one, range(16)))
    assert [status for status, _ in results] == [200] * 16
    assert all("0/7" in text for _, text in results)


def test_a_tick_is_applied_by_the_worker(served: Serving, slack: FakeSlack) -> None:
    """gunicorn forks its worker after start-up: the tick applier must run there, woken by
    the click, not only on the master's timer a minute later."""
    card = served.command("Ingestion", slack.response_url()).json()
    [index] = [
        el
        for b in card["blocks"]
        for el in b.get("elements", [])
        if el.get("type") == "button"
        and (req := parse_tick_value(el.get("value", ""))) is not None
        and req.column == "Index"
    ]
    action = signing.button_action(index["action_id"], index["value"])
    container = {
        "type": "message",
        "message_ts": "1700000000.000100",
        "channel_id": signing.CHANNEL_ID,
        "is_ephemeral": True,
    }
    body = signing.block_actions_body(
        [action], response_url=slack.response_url(), container=container
    )
    assert signing.post(served.url + "/slack/events", body, SECRET).status_code == 200
    pending, final = slack.wait_for_response(2, timeout=10)
    assert "ticking" in texts(pending.json["blocks"])
    assert "Ticked *Ingestion* / Index" in texts(final.json["blocks"])
    assert "1/7" in texts(served.command("Ingestion", slack.response_url()).json()["blocks"])


def test_json_request_log_without_the_token(tmp_path: Path, slack: FakeSlack) -> None:
    with serving(tmp_path, slack, LOG_FORMAT="json") as s:
        assert s.command("Ingestion", slack.response_url()).status_code == 200
        deadline = time.monotonic() + 10
        while '"command"' not in s.output() and time.monotonic() < deadline:
            time.sleep(0.05)
    output = s.output()  # the whole output, up to the process's exit
    lines = [json.loads(line) for line in output.splitlines() if line.strip()]
    [line] = [x for x in lines if x.get("kind") == "command"]
    assert line["command"] == "/roadmap" and line["outcome"] == "module"
    assert line["module"] == "Ingestion" and line["latency_ms"] >= 0
    assert TOKEN not in output and SECRET not in output
    assert "will be unused" not in output  # Bolt's harmless client/token notice is filtered


# --- Socket Mode ------------------------------------------------------------------------------


def test_socket_mode_connects_and_still_answers_healthz(tmp_path: Path, slack: FakeSlack) -> None:
    with serving(tmp_path, slack, SLACK_APP_TOKEN=APP_TOKEN, SLACK_SIGNING_SECRET="") as s:
        [opened, *_] = slack.wait_for("apps.connections.open", timeout=10)
        assert opened.token == APP_TOKEN
        resp = requests.get(s.url + "/healthz", timeout=5)
        assert resp.status_code == 200 and resp.json()["ok"] is True
        # The fake's socket URL refuses connections: /healthz says so (the roadmap is fine).
        assert resp.json()["socket_connected"] is False
        assert s.proc.poll() is None
    assert APP_TOKEN not in s.output() and TOKEN not in s.output()


def test_healthz_says_when_the_socket_is_connected(tmp_path: Path, slack: FakeSlack) -> None:
    with FakeSocketServer() as sockets:
        slack.socket_mode_url = sockets.url
        with serving(tmp_path, slack, SLACK_APP_TOKEN=APP_TOKEN, SLACK_SIGNING_SECRET="") as s:
            deadline = time.monotonic() + 20
            while not requests.get(s.url + "/healthz", timeout=5).json()["socket_connected"]:
                assert time.monotonic() < deadline, s.output()
                time.sleep(0.1)
        assert sockets.connections >= 1


def tgkill(pid: int, tid: int, sig: int) -> None:
    """Send `sig` to one thread of another process (os.kill lets the kernel pick the thread;
    Python has no tgkill of its own)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.syscall(SYS_TGKILL, pid, tid, sig) != 0:
        raise OSError(ctypes.get_errno(), f"tgkill {pid} {tid}")


@pytest.mark.skipif(platform.machine() not in SYSCALLS, reason="tgkill's number is per arch")
def test_socket_mode_stops_when_sigterm_lands_on_another_thread(
    tmp_path: Path, slack: FakeSlack
) -> None:
    """The kernel gives a process's SIGTERM to any of its threads. Landing on a worker thread,
    it must still stop serve (it once left the main thread asleep: the deploy hung)."""
    with serving(tmp_path, slack, SLACK_APP_TOKEN=APP_TOKEN, SLACK_SIGNING_SECRET="") as s:
        pid = s.proc.pid
        threads = sorted(int(t) for t in os.listdir(f"/proc/{pid}/task") if int(t) != pid)
        assert threads, "serve runs background threads"
        tgkill(pid, threads[-1], signal.SIGTERM)
        assert s.proc.wait(timeout=30) == 0, s.output()
        assert "stopping: closing the Slack connection" in s.output()


def test_socket_mode_handles_an_event_delivered_again_once(
    tmp_path: Path, slack: FakeSlack
) -> None:
    """Slack retries an Events API envelope it thinks timed out: a new envelope_id, the same
    event_id. Every envelope is acknowledged; the event is handled once."""

    def envelope(n: int, event: dict[str, Any], event_id: str, retry: int) -> dict[str, Any]:
        body = json.loads(signing.event_body(event, event_id=event_id))
        return {
            "envelope_id": f"env-{n}",
            "type": "events_api",
            "accepts_response_payload": False,
            "retry_attempt": retry,
            "retry_reason": "timeout" if retry else "",
            "payload": body,
        }

    with FakeSocketServer() as sockets:
        slack.socket_mode_url = sockets.url
        with serving(tmp_path, slack, SLACK_APP_TOKEN=APP_TOKEN, SLACK_SIGNING_SECRET="") as s:
            sockets.wait_connected()
            home = signing.app_home_opened_event("U0001")
            for retry in (0, 1, 2):
                sockets.send(envelope(retry, home, "Ev0000000001", retry))
            assert sorted(sockets.wait_acks(3)) == ["env-0", "env-1", "env-2"], s.output()
            sockets.send(envelope(3, signing.app_home_opened_event("U0002"), "Ev0000000002", 0))
            assert "env-3" in sockets.wait_acks(4)
            slack.wait_for("views.publish", count=2, timeout=20)
            published = [c.params["user_id"] for c in slack.calls_to("views.publish")]
            assert sorted(published) == ["U0001", "U0002"], s.output()


def test_a_rejected_app_token_stops_serve_with_one_line(tmp_path: Path, slack: FakeSlack) -> None:
    slack.fail_next("apps.connections.open", "invalid_auth")
    done = run_serve(
        tmp_path,
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_APP_TOKEN=APP_TOKEN,
        SLACK_API_URL=slack.url,
        PORT=str(free_port()),
        CACHE_DIR=str(tmp_path / "cache"),
    )
    assert done.returncode == 2, done.stderr
    [line] = done.stderr.splitlines()
    assert "SLACK_APP_TOKEN" in line and "invalid_auth" in line
    assert APP_TOKEN not in done.stderr + done.stdout and "Traceback" not in done.stderr


# --- settings that stop it --------------------------------------------------------------------


def test_no_slack_settings_exit_2_with_one_line(tmp_path: Path) -> None:
    done = run_serve(tmp_path)
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert "SLACK_BOT_TOKEN" in line and "roadmap-bot show" in line
    assert done.stdout == ""


def test_missing_roadmap_repo_exit_2_with_one_line(tmp_path: Path, slack: FakeSlack) -> None:
    missing = tmp_path / "no-such-repo"
    done = run_serve(
        tmp_path,
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=slack.url,
        ROADMAP_REPO=str(missing),
        CACHE_DIR=str(tmp_path / "cache"),
    )
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert str(missing) in line and "ROADMAP_REPO" in line
    assert "Traceback" not in done.stderr
