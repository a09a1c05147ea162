"""Events: the App Home dashboard, published when someone opens the tab."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot import logs
from bot.slack.services import Services


def register(app: App) -> None:
    app.event("app_home_opened")(home_opened)


def home_opened(event: dict[str, Any], client: WebClient, services: Services) -> None:
    if event.get("tab", "home") != "home":
        return
    user = str(event.get("user", ""))
    with logs.request("event", event="app_home_opened", user=user):
        snap = services.snapshot()
        late = services.drift_known(snap) is None  # drift not known yet: its count comes later
        client.views_publish(user_id=user, view=services.home_view(snap))
        # After the first publish (the tab never waits for the docs), again with the count:
        # only when there is one (a repo with no docs site gets no second publish).
        if late and services.drift_cache() is not None and services.drift(snap).report:
            client.views_publish(user_id=user, view=services.home_view(snap))
