"""`/roadmap`: answered in the ack itself from the roadmap already in memory (fast, well
inside Slack's 3 seconds); only `refresh` does slow work, after the ack."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from bot import logs
from bot.slack import blocks, tick_requests
from bot.slack.listeners import digest as digest_listener
from bot.slack.services import Services
from bot.store.ticks import idempotency_key


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
            verb = keyword.split(" ", 1)[0]
            if verb in ("tick", "untick"):
                _tick(
                    services, command, text.strip()[len(verb) :], verb == "tick", ack, respond, log
                )
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


def _tick(
    services: Services,
    command: dict[str, Any],
    words: str,
    done: bool,
    ack: Ack,
    respond: Respond,
    log: dict[str, Any],
) -> None:
    """`/roadmap tick MODULE COLUMN`: recorded like a click on the card, then the card."""
    user = str(command.get("user_id", ""))
    refused = tick_requests.refusal(services, user)
    if refused is not None:
        ack(response_type="ephemeral", text=refused[1])
        log["outcome"] = refused[0]
        return
    snap = services.snapshot()
    found = tick_requests.module_and_column(snap.roadmap, words)
    if isinstance(found, str):
        ack(**blocks.error_card(found).as_kwargs())
        log["outcome"] = "bad_tick"
        return
    module, column = found
    assert services.ticks is not None  # refusal() checked
    # Slack's retries of this command carry the same trigger_id: one tick.
    key = idempotency_key(
        command.get("team_id"), user, command.get("trigger_id"), module.qualified, column, done
    )
    try:
        _, new = services.ticks.record(
            key=key,
            module=module.qualified,
            column=column,
            line=module.line,
            done=done,
            user_id=user,
            user_name=command.get("user_name"),
            channel=command.get("channel_id"),
            response_url=command.get("response_url"),
            surface="message",
        )
    except Exception as err:  # the store is down: say so, write nothing
        ack(response_type="ephemeral", text=tick_requests.not_recorded(err))
        log["outcome"] = "not_recorded"
        return
    reply = services.answer(module.qualified)
    ack(response_type="ephemeral", **reply.message.as_kwargs())  # after recording: durable
    log.update(outcome="recorded" if new else "duplicate", module=module.name, column=column)
    if new:
        services.ticks.submit()
