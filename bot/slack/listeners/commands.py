"""`/roadmap`: one listener; router.py decides what each keyword does."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from bot import logs
from bot.slack import router
from bot.slack.services import Services


def register(app: App) -> None:
    app.command("/roadmap")(roadmap_command)


def roadmap_command(
    ack: Ack, command: dict[str, Any], respond: Respond, services: Services
) -> None:
    text = command.get("text", "") or ""
    with logs.request("command", command="/roadmap", text=text, user=command.get("user_id")) as log:
        router.route(services, command, ack, respond, log)
