"""Latency of `/roadmap Ingestion` through the real `roadmap-bot serve` (gunicorn gthread, the
bundled roadmap, Web API on the fake Slack) against a bare Bolt app on the same server
settings (bench/bare_bolt.py). Targets: p50 <= 1.3x and p99 <= 1.5x of the bare app, 0 errors.

    python -m bench.slack_latency [--requests 800] [--concurrency 16] [--rounds 8]

Signed slash commands are sent by `concurrency` threads, each on its own keep-alive
connection; rounds alternate between the two servers (and which goes first) so that a noisy
machine weighs on both alike. `cpu ms/req` is the server's CPU time (all its processes, from
/proc) over the measured requests: at 16 concurrent one gunicorn worker is CPU-bound, so the
latency ratio follows it. Exits 1 when a target is missed or a request failed.
"""

from __future__ import annotations

import argparse
import http.client
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.fakes import signing
from tests.fakes.slack import FakeSlack
from tests.support.settings import free_port, subprocess_env

from .bare_bolt import ANSWER

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench-token"
P50_TARGET, P99_TARGET = 1.3, 1.5


@dataclass
class Target:
    name: str
    port: int
    expect: bytes  # in every good answer
    log: Path
    proc: subprocess.Popen[bytes] | None = None
    latencies: list[float] = field(default_factory=list)  # seconds
    cpu: float = 0.0  # seconds of server CPU (all its processes) while measured
    errors: list[str] = field(default_factory=list)


@contextmanager
def process(target: Target, args: list[str], tmp: Path, env: dict[str, str]) -> Iterator[None]:
    with target.log.open("wb") as out:
        proc = subprocess.Popen(args, cwd=tmp, env=env, stdout=out, stderr=subprocess.STDOUT)
    target.proc = proc
    try:
        yield
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def signed(response_url: str) -> tuple[bytes, dict[str, str]]:
    body = signing.slash_command_body(text="Ingestion", response_url=response_url).encode()
    headers = {"Content-Type": signing.FORM, "User-Agent": signing.USER_AGENT}
    headers.update(signing.signed_headers(SECRET, body))
    return body, headers


def one(conn: http.client.HTTPConnection, body: bytes, headers: dict[str, str]) -> bytes:
    conn.request("POST", "/slack/events", body, headers)
    resp = conn.getresponse()
    data = resp.read()
    if resp.status != 200:
        raise RuntimeError(f"HTTP {resp.status}: {data[:200]!r}")
    return data


def wait_ready(target: Target, response_url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", target.port, timeout=5)
            try:
                if target.expect in one(conn, *signed(response_url)):
                    return
            finally:
                conn.close()
        except OSError:
            pass
        exited = target.proc is not None and target.proc.poll() is not None
        if exited or time.monotonic() > deadline:
            text = target.log.read_text(errors="replace")[-2000:]
            why = "exited" if exited else f"did not answer within {timeout}s"
            raise SystemExit(f"{target.name} {why}:\n{text}")
        time.sleep(0.1)


def burst(
    target: Target, count: int, concurrency: int, response_url: str, record: bool = True
) -> None:
    """`count` commands from `concurrency` threads, each on its own keep-alive connection."""
    body, headers = signed(response_url)
    left = iter(range(count))
    lock = threading.Lock()
    start = threading.Barrier(concurrency)

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", target.port, timeout=10)
        conn.connect()
        start.wait()
        try:
            while True:
                with lock:
                    if next(left, None) is None:
                        return
                began = time.perf_counter()
                try:
                    data = one(conn, body, headers)
                    if target.expect not in data:
                        raise RuntimeError(f"unexpected answer: {data[:200]!r}")
                except Exception as err:
                    conn.close()  # reconnects on the next request
                    if record:
                        target.errors.append(f"{type(err).__name__}: {err}")
                    continue
                if record:
                    target.latencies.append(time.perf_counter() - began)
        finally:
            conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU of `pid` and its children (the gunicorn worker), from /proc; 0 where
    there is no /proc."""
    if pid is None:
        return 0.0
    total = 0
    try:
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(entry.name) == pid or int(fields[1]) == pid:  # fields[1]: the parent's pid
                total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
    except OSError:
        return 0.0
    return total / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], p: float) -> float:
    """Nearest rank."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.slack_latency")
    ap.add_argument("--requests", type=int, default=800, help="per server (default 800)")
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=8, help="alternations (default 8)")
    ap.add_argument("--warmup", type=int, default=200, help="per server, not counted")
    args = ap.parse_args(argv)

    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="slack-latency-")))
        slack = stack.enter_context(FakeSlack())
        bot = Target("roadmap-bot", free_port(), b"0/7", tmp / "bot.log")
        bare = Target("bare bolt", free_port(), ANSWER.encode(), tmp / "bare.log")
        common = {"SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": slack.url}
        stack.enter_context(
            process(
                bot,
                [sys.executable, "-m", "bot", "serve"],
                tmp,
                subprocess_env(tmp, PORT=str(bot.port), SLACK_BOT_TOKEN=TOKEN, **common),
            )
        )
        stack.enter_context(
            process(
                bare,
                [sys.executable, "-m", "bench.bare_bolt"],
                tmp,
                subprocess_env(tmp, PORT=str(bare.port), **common),
            )
        )
        # The ack carries the answer; response_url is never called for this command.
        url = slack.response_url()
        for target in (bot, bare):
            wait_ready(target, url)
        time.sleep(2)  # start-up work in the background (the tick applier's first run) ends
        for target in (bare, bot):
            burst(target, args.warmup, args.concurrency, url, record=False)

        rounds = max(1, args.rounds)
        per_round = [args.requests // rounds + (i < args.requests % rounds) for i in range(rounds)]
        for i, count in enumerate(per_round):
            for target in (bare, bot) if i % 2 == 0 else (bot, bare):
                pid = target.proc.pid if target.proc else None
                before = cpu_seconds(pid)
                burst(target, count, args.concurrency, url)
                target.cpu += cpu_seconds(pid) - before

    return report(bot, bare, args)


def report(bot: Target, bare: Target, args: argparse.Namespace) -> int:
    print(
        f"/roadmap Ingestion: {args.requests} signed commands per server, "
        f"{args.concurrency} concurrent, {args.rounds} alternating rounds "
        f"(gunicorn gthread, 1 worker x 16 threads)"
    )
    print(f"{'':14}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'errors':>8}{'cpu ms/req':>12}")
    stats = {}
    for t in (bare, bot):
        if not t.latencies:
            print(f"{t.name:14}{'-':>9}{'-':>9}{'-':>9}{len(t.errors):>8}{'-':>12}")
            continue
        p50, p99 = percentile(t.latencies, 50) * 1000, percentile(t.latencies, 99) * 1000
        stats[t.name] = (p50, p99)
        cpu = t.cpu * 1000 / len(t.latencies)
        print(
            f"{t.name:14}{p50:9.2f}{p99:9.2f}{max(t.latencies) * 1000:9.2f}"
            f"{len(t.errors):>8}{cpu:12.2f}"
        )
    errors = len(bot.errors) + len(bare.errors)
    for t in (bare, bot):
        for e in sorted(set(t.errors))[:5]:
            print(f"  {t.name} error: {e}")
    if len(stats) < 2:
        return 1
    r50 = stats[bot.name][0] / stats[bare.name][0]
    r99 = stats[bot.name][1] / stats[bare.name][1]
    ok50, ok99 = r50 <= P50_TARGET, r99 <= P99_TARGET
    print(
        f"{'ratio':14}{r50:8.2f}x{r99:8.2f}x   "
        f"targets p50 <= {P50_TARGET}x {'ok' if ok50 else 'MISSED'}, "
        f"p99 <= {P99_TARGET}x {'ok' if ok99 else 'MISSED'}, errors {errors}"
    )
    return 0 if ok50 and ok99 and errors == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
