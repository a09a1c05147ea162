"""`/roadmap`: answered in the ack itself from the roadmap already in memory (fast, well
inside Slack's 3 seconds); only `refresh` does slow work, after the ack."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from bot import logs
from bot.slack import blocks
from bot.slack.listeners import digest as digest_listener
from bot.slack.services import Services


def register(app: App, services: Services) -> None:
    @app.command("/roadmap")
    def roadmap_command(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        text = command.get("text", "") or ""
        with logs.request(
            "command", command="/roadmap", text=text, user=command.get("user_id")
        ) as log:
            keyword = text.strip().casefold()
            if digest_listener.handle(keyword, command, ack, respond, services):
                log["outcome"] = f"digest_{keyword}"
                return
            if keyword == "refresh":
                ack(text="Reading the roadmap again…")
                try:
                    snap = services.refresh()
                    error = services.source.last_error
                    if error:  # the last good roadmap is still served; say why it is old
                        raise RuntimeError(error)
                    respond(text=f"Roadmap read from {snap.location}.", replace_original=False)
                except Exception as err:  # told to the person, never a traceback
                    respond(**blocks.error_card(f"Could not read the roadmap: {err}").as_kwargs())
                    log["outcome"] = "refresh_failed"
                return
            try:
                snap = services.snapshot()
            except Exception as err:
                ack(**blocks.error_card(f"The roadmap cannot be read: {err}").as_kwargs())
                log["outcome"] = "unreadable"
                return
            reply = services.answer(text, snap)
            ack(response_type="ephemeral", **reply.message.as_kwargs())
            log.update(outcome=reply.outcome, module=reply.subject)
