"""The floor for `bench.slack_latency`: a bare Bolt app whose /roadmap acks a fixed string,
behind gunicorn with the settings `roadmap-bot serve` uses (1 worker, gthread, 16 threads).

    PORT=3001 SLACK_SIGNING_SECRET=... python -m bench.bare_bolt
"""

from __future__ import annotations

import os
from typing import Any

from gunicorn.app.base import BaseApplication
from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

ANSWER = "bare bolt: fixed answer"


def build() -> SlackRequestHandler:
    # Without token verification at start, Bolt calls auth.test on the first request (once):
    # SLACK_API_URL points it at the fake Slack.
    base_url = os.environ.get("SLACK_API_URL", "https://slack.com/api/")
    app = App(
        client=WebClient(token="xoxb-bench-bare", base_url=base_url),
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        token_verification_enabled=False,
    )

    @app.command("/roadmap")
    def roadmap(ack: Ack) -> None:
        ack(ANSWER)

    return SlackRequestHandler(app, path="/slack/events")


class Server(BaseApplication):  # type: ignore[misc]
    """The same options as bot.slack.server._gunicorn, with the defaults of bot.config."""

    def __init__(self, wsgi: Any, port: int, workers: int = 1, threads: int = 16) -> None:
        self.application, self.port = wsgi, port
        self.workers, self.threads = workers, threads
        super().__init__()

    def load_config(self) -> None:
        options = {
            "bind": f"0.0.0.0:{self.port}",
            "workers": self.workers,
            "worker_class": "gthread",
            "threads": self.threads,
            "accesslog": None,
            "loglevel": "warning",
        }
        for key, value in options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self.application


def main() -> None:
    Server(
        build(),
        int(os.environ.get("PORT", "3001")),
        int(os.environ.get("WEB_CONCURRENCY", "1")),
        int(os.environ.get("WEB_THREADS", "16")),
    ).run()


if __name__ == "__main__":
    main()
