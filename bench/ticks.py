"""Direct-mode ticks against a local bare remote, through the real Slack app over HTTP:
ticks per second with 50 concurrent clicks, and click-to-pushed latency, against a plain
`git commit` + `git push` of the same one-cell change in the same run (the floor).

    python -m bench.ticks [--clicks 50] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path

from bot.roadmap.parse import parse
from bot.slack.blocks import tick_value
from tests.fakes import signing
from tests.fakes.slack import FakeSlack
from tests.slack.app_server import SECRET, running, settings_for
from tests.support.git import make_remote

ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "b",
    "GIT_AUTHOR_EMAIL": "b@x",
    "GIT_COMMITTER_NAME": "b",
    "GIT_COMMITTER_EMAIL": "b@x",
    "GIT_CONFIG_GLOBAL": "/dev/null",
}


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, env=ENV, check=True, capture_output=True, text=True
    ).stdout


def floor(work: Path, n: int) -> list[float]:
    """A person's one-cell change: edit the file, git commit, git push."""
    path = work / "docs" / "roadmap.md"
    times = []
    for _ in range(n):
        t = time.perf_counter()
        data = path.read_bytes()
        i = data.index(b"[ ]")
        path.write_bytes(data[: i + 1] + b"x" + data[i + 2 :])
        git(work, "commit", "-q", "-am", "tick")
        git(work, "push", "-q", "origin", "main")
        times.append(time.perf_counter() - t)
    return times


def click(url: str, value: str, i: int, response_url: str) -> None:
    action = signing.button_action(f"roadmap_tick:{i}", value)
    body = signing.block_actions_body([action], response_url=response_url)
    resp = signing.post(url + "/slack/events", body, SECRET)
    assert resp.status_code == 200, resp.text


def wait_for_log(bare: Path, count: int, timeout: float = 120) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if int(git(bare, "rev-list", "--count", "main")) >= count:
            return
        time.sleep(0.005)
    raise SystemExit("ticks did not land in time")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clicks", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp, FakeSlack() as slack:
        root = Path(tmp)
        remote = make_remote(
            root, resources.files("bot").joinpath("examples/roadmap.md").read_text(encoding="utf-8")
        )
        bare, work = remote.bare, remote.work
        floors = floor(work, args.rounds * 2)
        git(work, "pull", "-q")
        settings = settings_for(
            slack.url,
            roadmap_repo=str(bare),
            tick_mode="direct",
            tick_allowed="*",
            tick_interval_seconds=3600,
            database_url=f"sqlite:///{root}/state.db",
            cache_dir=str(root / "cache"),
        )
        singles: list[float] = []
        batches: list[float] = []
        with running(settings) as bot:
            roadmap = parse(bot.services.snapshot().text)
            open_cells = [
                (m, c.column) for m in roadmap.modules for c in m.cells if c.state.value == "open"
            ]
            cursor = 0
            for _ in range(args.rounds):  # click-to-pushed, one click at a time
                m, column = open_cells[cursor]
                cursor += 1
                count = int(git(bare, "rev-list", "--count", "main"))
                t = time.perf_counter()
                click(bot.url, tick_value(m, column, True), 0, slack.response_url())
                wait_for_log(bare, count + 1)
                singles.append(time.perf_counter() - t)
            for _ in range(args.rounds):  # 50 clicks at once
                batch = open_cells[cursor : cursor + args.clicks]
                cursor += args.clicks
                if len(batch) < args.clicks:
                    break
                count = int(git(bare, "rev-list", "--count", "main"))
                t = time.perf_counter()
                with ThreadPoolExecutor(max_workers=args.clicks) as pool:
                    for i, (m, column) in enumerate(batch):
                        pool.submit(
                            click, bot.url, tick_value(m, column, True), i, slack.response_url()
                        )
                wait_for_log(bare, count + len(batch))
                batches.append(time.perf_counter() - t)
    f = statistics.median(floors)
    s = statistics.median(singles)
    print(f"plain git commit + push of one cell (floor): median {f * 1000:.0f} ms")
    print(
        f"click to pushed, one click:                  median {s * 1000:.0f} ms"
        f" = {s / f:.2f}x the floor"
    )
    if batches:
        b = statistics.median(batches)
        print(
            f"{args.clicks} concurrent clicks to all pushed:         median {b * 1000:.0f} ms "
            f"= {args.clicks / b:.1f} ticks/s (floor: {1 / f:.1f} commit+push/s, "
            f"{(args.clicks / b) / (1 / f):.1f}x)"
        )


if __name__ == "__main__":
    main()
