"""The Watch button on module and group cards (bot/live watches)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import logs
from bot.blockkit import kit
from bot.blockkit.text import fit
from bot.errors import UserInputError
from bot.slack import blocks, live_commands
from bot.slack.blocks.ids import ACTION_WATCH
from bot.slack.services import Services


def register(app: App) -> None:
    app.action(ACTION_WATCH)(watch)


def watch(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    client: WebClient,
    services: Services,
) -> None:
    ack()
    user = str((body.get("user") or {}).get("id", ""))
    value = str(action.get("value", ""))
    with logs.request("action", action="watch", text=value, user=user) as log:
        try:
            text = live_commands.watch_for(services, user, value, datetime.now(UTC))
            log["outcome"] = "watch"
        except UserInputError as err:  # it quotes the button's value: a name from the file
            text = fit(str(err), 2900)
            log["outcome"] = "watch_refused"
        except Exception as err:  # told to the person, never a traceback
            text = fit(f"Could not watch {value}: {err}", 2900)
            log["outcome"] = "watch_failed"
        if body.get("response_url"):
            respond(response_type="ephemeral", replace_original=False, text=text)
        elif body.get("trigger_id"):  # App Home has no response_url: say it in a modal
            message = kit.message(text, [kit.section(text)])
            client.views_open(trigger_id=body["trigger_id"], view=blocks.modal(message))
