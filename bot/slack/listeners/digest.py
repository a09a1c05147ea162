"""`/roadmap digest`, `/roadmap subscribe`, `/roadmap unsubscribe`.

Acked at once; the slow part (building the digest: a fetch, the history, a chart) or the
store write happens after the ack and is answered through `respond` (ephemeral).
`handle` returns False for any other keyword, so the /roadmap listener goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from bot.blockkit import kit
from bot.slack import blocks
from bot.slack.services import Services

log = logging.getLogger(__name__)

KEYWORDS = frozenset({"digest", "subscribe", "unsubscribe"})


def _utcnow() -> datetime:
    return datetime.now(UTC)


def handle(
    keyword: str,
    command: dict[str, Any],
    ack: Callable[..., Any],
    respond: Callable[..., Any],
    services: Services,
    now: Callable[[], datetime] = _utcnow,
) -> bool:
    """Answer `keyword` if it is one of the digest's; False (nothing done) otherwise."""
    keyword = keyword.strip().casefold()
    if keyword not in KEYWORDS:
        return False
    if keyword == "digest":
        ack(response_type="ephemeral", text="Putting the digest together…")
        _preview(respond, services, now())
        return True
    ack()
    channel = command.get("channel_id")
    if not channel:
        respond(**blocks.error_card("This command needs a channel.").as_kwargs())
        return True
    try:
        text = _subscription(keyword, channel, command.get("user_id"), services, now())
    except Exception as err:  # told to the person, never a traceback
        log.warning("digest %s in %s failed: %s", keyword, channel, err)
        text = f"Could not {keyword} this channel: {err}"
        respond(**blocks.error_card(text).as_kwargs())
        return True
    respond(response_type="ephemeral", replace_original=False, text=text)
    return True


def _preview(respond: Callable[..., Any], services: Services, now: datetime) -> None:
    from bot.digest.build import DEFAULT_SINCE, build_digest

    try:
        built = build_digest(
            services.settings, services.source, _engine(services), DEFAULT_SINCE, now
        )
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
                "The bot must be a member of the channel to post here."
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
