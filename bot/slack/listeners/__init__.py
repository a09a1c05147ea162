"""Listeners grouped by Slack surface, each module with `register(app)`.

Handlers are module-level functions. Bolt passes them what they name (ack, command, body,
client...), and `services` too: app.py puts it in every request's context.
"""

from __future__ import annotations

from slack_bolt import App

from . import actions, commands, events, live


def register(app: App) -> None:
    commands.register(app)
    actions.register(app)
    events.register(app)
    live.register(app)
