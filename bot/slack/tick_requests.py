"""Tick requests from Slack: what one must pass before it is recorded (ticks on, person
allowed), and `/roadmap tick MODULE COLUMN` (a row of router.KEYWORDS) read into a module and
a column and recorded. Clicks on a card's tick buttons are recorded in listeners/actions;
several cells asked for at once ("Tick all N ready" on the drift card) by `record_batch`,
as one batch: one commit or one pull request. What became of a tick is told by
tick_results."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.roadmap.lookup import find_column, find_module
from bot.roadmap.model import Module, Roadmap
from bot.store.ticks import idempotency_key

from . import blocks

if TYPE_CHECKING:
    from .router import Command
    from .services import Services

TICKS_OFF = (
    "Ticking from Slack is off for this roadmap: ROADMAP_REPO is a remote and neither "
    "GITHUB_TOKEN (pull requests) nor TICK_MODE=direct is set. Edit the roadmap file instead."
)
USAGE = "Say `/roadmap tick MODULE COLUMN`, e.g. `/roadmap tick Ingestion API` (or `untick`)."


def not_recorded(err: Exception) -> str:
    first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return (
        f"Your tick could not be recorded ({first[:200]}), so nothing was changed. "
        "Try again in a moment."
    )


def refusal(services: Services, user_id: str) -> tuple[str, str] | None:
    """(outcome, what to tell the person) when their tick must not be recorded."""
    if services.ticks is None:
        return "ticks_off", TICKS_OFF
    if not services.ticks.policy.allows(user_id, services.members_of):
        who = services.ticks.policy.describe()
        return "refused", f"Only {who} may change the roadmap from Slack (TICK_ALLOWED)."
    return None


def module_and_column(roadmap: Roadmap, words: str) -> tuple[Module, str] | str:
    """The module and column in "data contract registry obs": the last words that name a
    column, the rest a module, each exactly one. Else the line to tell the person."""
    parts = words.split()
    if len(parts) < 2:
        return USAGE
    for i in range(len(parts) - 1, 0, -1):  # the longest module name first
        column = find_column(roadmap, " ".join(parts[i:])).item
        module = find_module(roadmap, " ".join(parts[:i])).item
        if module is not None and column is not None:
            return module, column
    return f"No single module and column in `{words}`. {USAGE}"


def tick_command(command: Command) -> None:
    _record(command, done=True)


def untick_command(command: Command) -> None:
    _record(command, done=False)


def _record(command: Command, done: bool) -> None:
    """`/roadmap tick MODULE COLUMN`: recorded like a click on the card, then the card."""
    services, payload, log = command.services, command.payload, command.log
    refused = refusal(services, command.user)
    if refused is not None:
        command.ack(response_type="ephemeral", text=refused[1])
        log["outcome"] = refused[0]
        return
    snap = services.snapshot()
    found = module_and_column(snap.roadmap, command.words)
    if isinstance(found, str):
        command.ack(**blocks.error_card(found).as_kwargs())
        log["outcome"] = "bad_tick"
        return
    module, column = found
    assert services.ticks is not None  # refusal() checked
    # Slack's retries of this command carry the same trigger_id: one tick.
    key = idempotency_key(
        payload.get("team_id"),
        command.user,
        payload.get("trigger_id"),
        module.qualified,
        column,
        done,
    )
    try:
        _, new = services.ticks.record(
            key=key,
            module=module.qualified,
            column=column,
            line=module.line,
            done=done,
            user_id=command.user,
            user_name=payload.get("user_name"),
            channel=payload.get("channel_id"),
            response_url=payload.get("response_url"),
            surface="message",
        )
    except Exception as err:  # the store is down: say so, write nothing
        command.ack(response_type="ephemeral", text=not_recorded(err))
        log["outcome"] = "not_recorded"
        return
    reply = services.answer(module.qualified)
    command.ack(response_type="ephemeral", **reply.message.as_kwargs())  # after recording
    log.update(outcome="recorded" if new else "duplicate", module=module.name, column=column)
    if new:
        services.ticks.submit()


def record_batch(
    services: Services,
    cells: Sequence[tuple[str, str, int]],
    *,
    key: str,
    user_id: str,
    user_name: str | None,
    channel: str | None,
    message_ts: str | None,
    response_url: str | None,
    surface: str,
) -> int:
    """Record (qualified module, column, line) cells as ticks of one batch (the applier
    makes them one commit); `key` is the request's idempotency key, so a retry records
    nothing new. The number of ticks newly recorded. Raises what the store raises."""
    assert services.ticks is not None  # refusal() checked
    batch = idempotency_key("batch", key)[:32]
    new = 0
    for module, column, line in cells:
        _, added = services.ticks.record(
            key=idempotency_key(key, module, column),
            module=module,
            column=column,
            line=line,
            done=True,
            user_id=user_id,
            user_name=user_name,
            channel=channel,
            message_ts=message_ts,
            response_url=response_url,
            surface=surface,
            batch=batch,
        )
        new += added
    return new
