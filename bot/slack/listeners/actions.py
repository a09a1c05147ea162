"""Buttons on cards: pick a suggestion, share a card in the channel, tick a cell."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import logs
from bot.slack import blocks
from bot.slack.answers import answer
from bot.slack.blocks import PICK_PATTERN, TICK_PATTERN, UNTICK_PATTERN
from bot.slack.services import Services

TICKS_OFF = (
    "Ticking from Slack is not switched on here yet. Tick with "
    "`roadmap-bot tick MODULE COLUMN --roadmap FILE`, or edit the roadmap file."
)


def register(app: App, services: Services) -> None:
    @app.action(PICK_PATTERN)
    def pick(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        query = str(action.get("value", ""))
        with logs.request("action", action="pick", text=query, user=_user(body)) as log:
            snap = services.snapshot()
            reply = answer(snap.roadmap, query, snap.location, services.commit_line(snap))
            log.update(outcome=reply.outcome, module=reply.subject)
            if body.get("response_url"):
                respond(replace_original=True, **reply.message.as_kwargs())
            else:  # App Home has no response_url: show the card in a modal
                client.views_open(trigger_id=body["trigger_id"], view=_modal(reply.message))

    @app.action(blocks.ACTION_SHARE)
    def share(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        query = str(action.get("value", ""))
        with logs.request("action", action="share", text=query, user=_user(body)) as log:
            snap = services.snapshot()
            reply = answer(snap.roadmap, query, snap.location, services.commit_line(snap))
            shared = blocks.Message(
                reply.message.text,
                [*reply.message.blocks, _shared_by(_user(body))],
            )
            respond(response_type="in_channel", replace_original=False, **shared.as_kwargs())
            log.update(outcome=reply.outcome, module=reply.subject)

    @app.action(TICK_PATTERN)
    @app.action(UNTICK_PATTERN)
    def tick(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        with logs.request("action", action="tick", user=_user(body)) as log:
            log["outcome"] = "not_available"
            if body.get("response_url"):
                respond(response_type="ephemeral", replace_original=False, text=TICKS_OFF)


def _user(body: dict[str, Any]) -> str:
    return str((body.get("user") or {}).get("id", ""))


def _shared_by(user: str) -> dict[str, Any]:
    # Block Kit's `share` buttons leave their actions in the shared copy; harmless: they act
    # for whoever clicks, with that person's permissions.
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": f"Shared by <@{user}>"}]}


def _modal(message: blocks.Message) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Roadmap"},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": message.blocks[:100],
    }
