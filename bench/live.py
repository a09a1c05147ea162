"""From a push to the message in Slack: `git push` to a local bare remote, the signed GitHub
`push` webhook to the served app, the change feed's check, the message posted to the fake
Slack. The floor is the `git push` alone, measured in the same run.

    python -m bench.live [--pushes 20]

Target: p50 under 1 s on this machine (the poll, LIVE_POLL_SECONDS, is set to an hour, so
only the webhook can make the message arrive in time).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import requests

from bot.store import db
from bot.store import live as store
from tests.fakes.slack import FakeSlack
from tests.slack.app_server import running, settings_for
from tests.support.git import PATH, git, make_remote

SECRET = "bench-webhook-secret"
CHANNEL = "CBENCH"


def webhook(url: str) -> None:
    body = json.dumps({"ref": "refs/heads/main"}).encode()
    headers = {
        "Content-Type": "application/json",
        "X-GitHub-Event": "push",
        "X-GitHub-Delivery": str(uuid.uuid4()),
        "X-Hub-Signature-256": "sha256="
        + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest(),
    }
    r = requests.post(url + "/github/webhook", data=body, headers=headers, timeout=10)
    r.raise_for_status()


def tick_next(work: Path) -> None:
    """Commit one more ticked box (not timed: the push is where it starts)."""
    path = work / PATH
    data = path.read_bytes()
    i = data.index(b"[ ]")
    path.write_bytes(data[: i + 1] + b"x" + data[i + 2 :])
    git(work, "commit", "-q", "-am", "tick")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pushes", type=int, default=20)
    args = parser.parse_args()
    example = resources.files("bot").joinpath("examples/roadmap.md").read_text()
    with tempfile.TemporaryDirectory() as tmp, FakeSlack() as slack:
        remote = make_remote(Path(tmp), example)
        settings = settings_for(
            slack.url,
            roadmap_repo=str(remote.bare),
            roadmap_path=PATH,
            github_webhook_secret=SECRET,
            live_poll_seconds=3600,
        )
        engine = db.engine(settings.database_url)
        store.subscribe(engine, CHANNEL, store.CHANGES, [], None, datetime.now(UTC))
        floor: list[float] = []
        latency: list[float] = []
        with running(settings) as app:
            feed = app.services.live
            assert feed is not None
            deadline = time.monotonic() + 30
            while store.cursor(engine, feed.key) is None and time.monotonic() < deadline:
                time.sleep(0.02)
            # The floor: a push nobody is told about (the feed sees it with the next one).
            for _ in range(args.pushes):
                tick_next(remote.work)
                t = time.perf_counter()
                git(remote.work, "push", "-q", "origin", "main")
                floor.append(time.perf_counter() - t)
            webhook(app.url)
            posted = len(slack.wait_for("chat.postMessage", 1, timeout=30))
            for _ in range(args.pushes):
                tick_next(remote.work)
                t = time.perf_counter()
                git(remote.work, "push", "-q", "origin", "main")
                webhook(app.url)
                slack.wait_for("chat.postMessage", posted + 1, timeout=30)
                latency.append(time.perf_counter() - t)
                posted += 1
    p50, p90 = statistics.median(latency), percentile(latency, 0.9)
    base = statistics.median(floor)
    print(f"pushes: {args.pushes}")
    print(f"floor (git push alone): p50 {base * 1000:.0f} ms")
    print(f"push -> webhook -> message posted: p50 {p50 * 1000:.0f} ms, p90 {p90 * 1000:.0f} ms")
    print(f"ratio to the floor (p50): {p50 / base:.1f}x")
    print(f"target p50 < 1 s: {'met' if p50 < 1 else 'NOT met'}")


if __name__ == "__main__":
    main()
