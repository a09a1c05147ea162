"""`/roadmap digest`, `/roadmap subscribe`, `/roadmap unsubscribe` (rows of router.KEYWORDS).

Acked at once; the slow part (building the digest: a fetch, the history, a chart) or the
store write happens after the ack and is answered through `respond` (ephemeral).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from bot.blockkit import kit

from . import blocks

if TYPE_CHECKING:
    from .router import Command
    from .services import Services

log = logging.getLogger(__name__)


def preview(command: Command) -> None:
    """`/roadmap digest`: the digest as it would be posted now, to the asker alone."""
    command.ack(response_type="ephemeral", text="Putting the digest together…")
    command.log["outcome"] = "digest_digest"
    _preview(command.respond, command.services, command.now(), command.payload.get("channel_id"))


def subscribe(command: Command) -> None:
    _change_subscription(command, "subscribe")


def unsubscribe(command: Command) -> None:
    _change_subscription(command, "unsubscribe")


def _change_subscription(command: Command, keyword: str) -> None:
    command.ack()
    command.log["outcome"] = f"digest_{keyword}"
    channel = command.payload.get("channel_id")
    if not channel:
        command.respond(**blocks.error_card("This command needs a channel.").as_kwargs())
        return
    services = command.services
    try:
        text = _subscription(
            keyword, channel, command.payload.get("user_id"), services, command.now()
        )
    except Exception as err:  # told to the person, never a traceback
        log.warning("digest %s in %s failed: %s", keyword, channel, err)
        text = f"Could not {keyword} this channel: {err}"
        command.respond(**blocks.error_card(text).as_kwargs())
        return
    command.respond(response_type="ephemeral", replace_original=False, text=text)


def _preview(
    respond: Callable[..., Any], services: Services, now: datetime, channel: str | None = None
) -> None:
    """The digest as this channel would get it: narrowed to its groups when it has a filter
    (`/roadmap subscribe digest <group …>`)."""
    from bot.digest.build import DEFAULT_SINCE, build_digest
    from bot.digest.deliver import group_filters

    try:
        engine = _engine(services)
        built = build_digest(services.settings, services.source, engine, DEFAULT_SINCE, now)
        groups = group_filters(engine).get(channel or "", [])
        built = built.for_groups(groups)
    except Exception as err:
        log.warning("digest preview failed: %s", err)
        respond(**blocks.error_card(f"The digest could not be built: {err}").as_kwargs())
        return
    message = built.message
    note = kit.context(
        "Preview: only you see this, without the chart. `/roadmap subscribe` posts the digest "
        "in this channel on schedule."
    )
    respond(
        response_type="ephemeral",
        replace_original=False,
        text=message.text,
        blocks=[note, *message.blocks],
    )


def _subscription(
    keyword: str, channel: str, user: str | None, services: Services, now: datetime
) -> str:
    from bot.digest.schedule import DigestSchedule
    from bot.store import digest as store

    engine = _engine(services)
    schedule = DigestSchedule(services.settings, run=lambda _slot: None)
    when = schedule.next_run(now)
    next_text = f"{when:%a} {when.day} {when:%b %H:%M} ({schedule.tz.key})"
    if keyword == "subscribe":
        if store.subscribe(engine, channel, user, now):
            return (
                f"This channel now gets the roadmap digest; the next one is on {next_text}. "
                "The bot posts it (and its chart) as a member: if it is not in this channel "
                "yet, invite it (`/invite @roadmap-bot`)."
            )
        return f"This channel already gets the roadmap digest; the next one is on {next_text}."
    if store.unsubscribe(engine, channel):
        return "This channel no longer gets the roadmap digest."
    if services.settings.digest_channel == channel:
        return "This channel gets the digest because DIGEST_CHANNEL names it; change that setting."
    return "This channel was not getting the roadmap digest."


def _engine(services: Services) -> Engine:
    """The state store (one engine per DATABASE_URL, shared with the ticks)."""
    from bot.store import db

    return db.engine(services.settings.database_url)
