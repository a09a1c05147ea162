"""Buttons on cards: pick a suggestion, share a card in the channel, tick a cell."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import logs
from bot.blockkit import kit
from bot.slack import blocks, tick_requests
from bot.slack.blocks import PICK_PATTERN, TICK_PATTERN, UNTICK_PATTERN, parse_tick_value
from bot.slack.services import Services
from bot.store.ticks import idempotency_key

SHARE_FROM_A_CHANNEL = (
    "Sharing works from a card in a channel: type `/roadmap` there (with the module or group "
    "name), then click *Share in channel*."
)


def register(app: App) -> None:
    app.action(PICK_PATTERN)(pick)
    app.action(blocks.ACTION_SHARE)(share)
    app.action(TICK_PATTERN)(tick)
    app.action(UNTICK_PATTERN)(tick)


def pick(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    client: WebClient,
    services: Services,
) -> None:
    ack()
    query = str(action.get("value", ""))
    with logs.request("action", action="pick", text=query, user=_user(body)) as log:
        reply = services.answer(query)
        log.update(outcome=reply.outcome, module=reply.subject)
        view = body.get("view") or {}
        if body.get("response_url"):
            respond(replace_original=True, **reply.message.as_kwargs())
        elif view.get("type") == "modal":  # a pick inside the card's modal: show it there
            client.views_update(view_id=view["id"], view=blocks.modal(reply.message))
        else:  # App Home has no response_url: show the card in a modal
            client.views_open(trigger_id=body["trigger_id"], view=blocks.modal(reply.message))


def share(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    client: WebClient,
    services: Services,
) -> None:
    ack()
    query = str(action.get("value", ""))
    with logs.request("action", action="share", text=query, user=_user(body)) as log:
        if not body.get("response_url"):
            # A modal has no channel (its cards carry no Share button; this is an old one):
            # say where sharing works, on top of it (the app's Messages tab is off).
            note = blocks.Message(SHARE_FROM_A_CHANNEL, [kit.section(SHARE_FROM_A_CHANNEL)])
            client.views_push(trigger_id=body["trigger_id"], view=blocks.modal(note, "Share"))
            log["outcome"] = "share_needs_a_channel"
            return
        reply = services.answer(query)
        shared = blocks.Message(
            reply.message.text,
            [*reply.message.blocks, _shared_by(_user(body))],
        )
        respond(response_type="in_channel", replace_original=False, **shared.as_kwargs())
        log.update(outcome=reply.outcome, module=reply.subject)


def tick(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    client: WebClient,
    services: Services,
) -> None:
    with logs.request("action", action="tick", user=_user(body)) as log:
        refused = _refusal(services, body, action)
        if refused is not None:
            ack()
            log["outcome"] = refused[0]
            if body.get("response_url"):
                respond(response_type="ephemeral", replace_original=False, text=refused[1])
            return
        ticks = services.ticks
        request = parse_tick_value(action.get("value"))
        assert ticks is not None and request is not None  # _refusal checked both
        container = body.get("container") or {}
        # Same click = same key: Slack's retries and a second instance record one tick.
        key = idempotency_key(
            (body.get("team") or {}).get("id"),
            _user(body),
            action.get("action_ts"),
            action.get("action_id"),
            container.get("message_ts") or container.get("view_id"),
            request.module,
            request.column,
            request.done,
        )
        try:
            _, new = ticks.record(
                key=key,
                module=request.module,
                column=request.column,
                line=request.line,
                done=request.done,
                user_id=_user(body),
                user_name=(body.get("user") or {}).get("name"),
                channel=(body.get("channel") or {}).get("id"),
                # For a click in a modal (opened from App Home): the view to update later.
                message_ts=container.get("message_ts") or container.get("view_id"),
                response_url=body.get("response_url"),
                surface="home" if container.get("type") == "view" else "message",
            )
        except Exception as err:  # the store is down: say so, write nothing
            ack()
            log["outcome"] = "not_recorded"
            if body.get("response_url"):
                respond(
                    response_type="ephemeral",
                    replace_original=False,
                    text=tick_requests.not_recorded(err),
                )
            return
        ack()  # only now: the tick is durable before Slack hears back
        log.update(
            outcome="recorded" if new else "duplicate",
            module=request.module,
            column=request.column,
        )
        if not new:
            return
        reply = services.answer(request.module)
        if body.get("response_url"):
            respond(replace_original=True, **reply.message.as_kwargs())
        elif (body.get("view") or {}).get("type") == "modal":
            client.views_update(view_id=body["view"]["id"], view=blocks.modal(reply.message))
        ticks.submit()


def _refusal(
    services: Services, body: dict[str, Any], action: dict[str, Any]
) -> tuple[str, str] | None:
    """(outcome, what to tell the person) when this click must not become a tick."""
    if services.ticks is not None and parse_tick_value(action.get("value")) is None:
        return "bad_value", "This button is out of date. Run `/roadmap` again for a fresh card."
    return tick_requests.refusal(services, _user(body))


def _user(body: dict[str, Any]) -> str:
    return str((body.get("user") or {}).get("id", ""))


def _shared_by(user: str) -> dict[str, Any]:
    # Block Kit's `share` buttons leave their actions in the shared copy; harmless: they act
    # for whoever clicks, with that person's permissions.
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": f"Shared by <@{user}>"}]}
