"""Events: the App Home dashboard, published when someone opens the tab."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot import logs
from bot.slack import blocks
from bot.slack.services import Services


def register(app: App, services: Services) -> None:
    @app.event("app_home_opened")
    def home_opened(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        user = str(event.get("user", ""))
        with logs.request("event", event="app_home_opened", user=user):
            snap = services.snapshot()
            last = None
            if snap.commit:
                last = {
                    "sha": snap.commit,
                    "subject": snap.subject or "",
                    "author": snap.author or "",
                    "when": snap.committed_at,
                }
            view = blocks.home_view(snap.roadmap, snap.location, last, datetime.now(UTC))
            client.views_publish(user_id=user, view=view)
