"""Buttons on cards: pick a suggestion, share a card in the channel, tick a cell."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import logs
from bot.blockkit import kit
from bot.blockkit.text import plural
from bot.repo.source import Snapshot
from bot.slack import blocks, tick_requests, tick_results
from bot.slack.blocks import PICK_PATTERN, TICK_PATTERN, UNTICK_PATTERN, parse_tick_value
from bot.slack.blocks.drift import (
    ACTION_TICK_ALL,
    DRIFT_BLOCK,
    READY,
    parse_tick_all,
    ready_cells,
)
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
    app.action(ACTION_TICK_ALL)(tick_all)


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
        from_drift = str(action.get("block_id") or "").startswith(DRIFT_BLOCK)
        surface = "home" if container.get("type") == "view" else "message"
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
                surface="drift" if from_drift and surface == "message" else surface,
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
        if from_drift and body.get("response_url"):  # the drift card, the cell ticking
            snap = services.snapshot()
            rows = snap.roadmap.modules
            name = next((m.name for m in rows if m.qualified == request.module), request.module)
            verb = "Ticking" if request.done else "Unticking"
            line = f"⏳ {verb} {blocks.escape(name)} / {blocks.escape(request.column)}…"
            _on_drift_card(services, snap, respond, line)
            ticks.submit()
            return
        reply = services.answer(request.module)
        if body.get("response_url"):
            respond(replace_original=True, **reply.message.as_kwargs())
        elif (body.get("view") or {}).get("type") == "modal":
            client.views_update(view_id=body["view"]["id"], view=blocks.modal(reply.message))
        ticks.submit()


def tick_all(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    client: WebClient,
    services: Services,
) -> None:
    """ "Tick all N ready" on the drift card: every open-but-ready cell of the drift the card
    showed (at its commit, from the cache), recorded as one batch: one commit or one PR."""
    with logs.request("action", action="tick_all", user=_user(body)) as log:
        asked = parse_tick_all(action.get("value"))
        refused = tick_requests.refusal(services, _user(body))
        cache = services.drift_cache()
        if refused is None and (asked is None or cache is None):
            refused = ("bad_value", "This button is out of date. Run `/roadmap drift` again.")
        if refused is not None:
            ack()
            log["outcome"] = refused[0]
            _tell(body, respond, client, refused[1])
            return
        assert asked is not None and cache is not None and services.ticks is not None
        result = cache.get(asked[0])  # cached when the card was drawn
        snap = services.snapshot()
        if result.report is None:
            cells = []
        elif snap.commit == asked[0]:  # the cells the card counted (boxes it can edit)
            cells = [(m.qualified, c, m.line) for m, c in ready_cells(snap.roadmap, result.report)]
        else:  # the branch moved on: the applier finds each row again, or says it cannot
            cells = [
                (f"{f.group}/{f.module}", f.column, f.roadmap_line or 1)
                for f in result.report.findings
                if f.kind == READY and f.column and f.module and f.group is not None
            ]
        # A cell with a tick on its way (from a click before this card was drawn again) is not
        # asked for twice; all of them waiting: a retry of this very click, recorded once.
        waiting = services.waiting()
        cells = [c for c in cells if c[1] not in waiting.get(c[0], {})] or cells
        if not cells:
            ack()
            log["outcome"] = "nothing_ready"
            _tell(body, respond, client, "Nothing is ready to tick: run `/roadmap drift` again.")
            return
        container = body.get("container") or {}
        key = idempotency_key(
            (body.get("team") or {}).get("id"),
            _user(body),
            action.get("action_ts"),
            ACTION_TICK_ALL,
            container.get("message_ts") or container.get("view_id"),
            asked[0],
        )
        try:
            new = tick_requests.record_batch(
                services,
                cells,
                key=key,
                user_id=_user(body),
                user_name=(body.get("user") or {}).get("name"),
                channel=(body.get("channel") or {}).get("id"),
                message_ts=container.get("message_ts") or container.get("view_id"),
                response_url=body.get("response_url"),
                surface="home" if container.get("type") == "view" else "drift",
            )
        except Exception as err:  # the store is down: say so, write nothing
            ack()
            log["outcome"] = "not_recorded"
            _tell(body, respond, client, tick_requests.not_recorded(err))
            return
        ack()  # only now: the ticks are durable before Slack hears back
        log.update(outcome="recorded" if new else "duplicate", cells=len(cells))
        if not new:
            return
        way = "one pull request" if services.ticks.mode == "pr" else "one commit"
        line = f"⏳ Ticking {plural(len(cells), 'cell')} in {way}…"
        if body.get("response_url"):
            _on_drift_card(services, snap, respond, line)
        else:
            _tell(body, respond, client, line)
        services.ticks.submit()


def _on_drift_card(services: Services, snap: Snapshot, respond: Respond, line: str) -> None:
    """The drift card drawn again at once, the cells just asked for shown ticking and `line`
    on it; a line alone when drift at the current commit is not known yet (no wait here)."""
    card = tick_results.drift_card_at(services, snap, line, known_only=True)
    if card is not None:
        respond(replace_original=True, **card.as_kwargs())
    else:
        respond(response_type="ephemeral", replace_original=False, text=line)


def _tell(body: dict[str, Any], respond: Respond, client: WebClient, text: str) -> None:
    """A line to the person who clicked: in the conversation, else (App Home) by DM."""
    if body.get("response_url"):
        respond(response_type="ephemeral", replace_original=False, text=text)
    else:
        client.chat_postMessage(channel=_user(body), text=text)


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
