"""Every `/roadmap` keyword, in one table: `KEYWORDS` maps the first word to what answers it.

A row has either a card (a pure function of the roadmap: picks and shares render it again,
so `answer` uses it too) or a handler (it does something: acked at once, anything slow after
the ack, answered through `respond`). Text that starts with no keyword is the overview
(nothing) or a module, group or column looked up by name. To add a keyword, add a row: its
usage line goes into `/roadmap help` by itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bot.blockkit.text import escape
from bot.docs.drift import CellPage
from bot.roadmap.forecast import Forecasts
from bot.roadmap.lookup import names_exactly
from bot.roadmap.model import Roadmap

from . import answers, blocks, digest_commands, drift_commands, live_commands, tick_requests
from .answers import Answer
from .blocks.replies import LOOKUP_USAGE

if TYPE_CHECKING:
    from .services import Services


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Command:
    """One `/roadmap` request as a keyword's handler gets it."""

    services: Services
    payload: dict[str, Any]  # Slack's: text, user_id, channel_id, trigger_id, response_url...
    words: str  # what follows the keyword, spaces collapsed ("Ingestion API" for a tick)
    ack: Callable[..., Any]
    respond: Callable[..., Any]  # to the response_url: for what comes after the ack
    log: dict[str, Any]  # this request's log line: a handler sets "outcome"
    now: Callable[[], datetime] = _utcnow

    @property
    def user(self) -> str:
        return str(self.payload.get("user_id", ""))


Card = Callable[[Roadmap, str], Answer]  # (roadmap, words) -> the card
Handler = Callable[[Command], None]


@dataclass(frozen=True)
class Keyword:
    usage: tuple[str, str] | None  # (how to ask, what it answers) for `/roadmap help`
    card: Card | None = None
    handler: Handler | None = None
    takes_words: bool = False  # "blockers Ingestion"; a keyword that takes none is one only alone


def _help(_roadmap: Roadmap, _words: str) -> Answer:
    return answers.help_answer(USAGE)


def refresh(command: Command) -> None:
    """`/roadmap refresh`: read the branch now (slow: after the ack)."""
    command.ack(text="Reading the roadmap again…")
    services = command.services
    try:
        snap = services.refresh()
        error = services.source.last_error
        if error:  # the last good roadmap is still served; say why it is old
            raise RuntimeError(error)
        command.respond(text=f"Roadmap read from {snap.location}.", replace_original=False)
    except Exception as err:  # told to the person, never a traceback
        command.respond(**blocks.error_card(f"Could not read the roadmap: {err}").as_kwargs())
        command.log["outcome"] = "refresh_failed"


KEYWORDS: dict[str, Keyword] = {
    "next": Keyword(("/roadmap next", "what the team can work on now"), answers.next_answer),
    "blockers": Keyword(
        ("/roadmap blockers [module]", "what waits for what, or what blocks one module"),
        answers.blockers_answer,
        takes_words=True,
    ),
    "tick": Keyword(
        ("/roadmap tick <module> <column>", "mark a cell done (untick: open again)"),
        handler=tick_requests.tick_command,
        takes_words=True,
    ),
    "untick": Keyword(None, handler=tick_requests.untick_command, takes_words=True),
    "refresh": Keyword(("/roadmap refresh", "read the roadmap's branch now"), handler=refresh),
    "digest": Keyword(
        ("/roadmap digest", "the weekly digest, now"), handler=digest_commands.preview
    ),
    "subscribe": Keyword(
        (
            "/roadmap subscribe [changes [group …]]",
            "the weekly digest in this channel (changes: each change as it lands)",
        ),
        handler=live_commands.subscribe,
        takes_words=True,
    ),
    "unsubscribe": Keyword(
        ("/roadmap unsubscribe [changes [group …]]", "stop the digest (or the changes) here"),
        handler=live_commands.unsubscribe,
        takes_words=True,
    ),
    "subscriptions": Keyword(
        ("/roadmap subscriptions", "what this channel gets"), handler=live_commands.subscriptions
    ),
    "watch": Keyword(
        ("/roadmap watch <module|group>", "a DM when it is unblocked, half way, done"),
        handler=live_commands.watch,
        takes_words=True,
    ),
    "unwatch": Keyword(
        ("/roadmap unwatch <module|group>", "stop those DMs"),
        handler=live_commands.unwatch,
        takes_words=True,
    ),
    "watches": Keyword(("/roadmap watches", "what you watch"), handler=live_commands.watches),
    "drift": Keyword(
        ("/roadmap drift", "the roadmap against its docs site: what to tick or untick"),
        handler=drift_commands.drift,
    ),
    "help": Keyword(("/roadmap help", "this message"), _help),
}

USAGE = [*LOOKUP_USAGE, *(k.usage for k in KEYWORDS.values() if k.usage)]


def keyword(query: str) -> tuple[Keyword | None, str]:
    """The row `query` (spaces collapsed) starts with, and the words after it; (None, query)
    when it starts with no keyword, or with one that takes no words but has some."""
    word, _, words = query.partition(" ")
    row = KEYWORDS.get(word.casefold())
    if row is None or (words and not row.takes_words):
        return None, query
    return row, words


def answer(
    roadmap: Roadmap,
    text: str,
    location: str = "",
    commit_line: str | None = None,
    pending: dict[str, dict[str, str]] | None = None,
    forecast: Forecasts | None = None,
    pages: Mapping[tuple[str, str], CellPage] | None = None,
    waiting_known: bool = True,
) -> Answer:
    """The card for `text`: the overview, a keyword's card, or a lookup. Pure. `pending`
    maps a module's qualified name to {column: PR link} (ticks not landed yet); `forecast`
    (from the history) is said on the overview; `pages` is drift's (module, column) -> the
    docs page, when known; `waiting_known` False: the state store could not say which
    ticks wait, and the overview and module cards say so."""
    query = " ".join(text.split())
    if not query:
        return answers.overview(
            roadmap, location, commit_line, pending, forecast, waiting_known=waiting_known
        )
    row, words = keyword(query)
    if row is not None and row.card is not None:
        return row.card(roadmap, words)
    return answers.lookup(roadmap, query, pending, pages=pages, waiting_known=waiting_known)


# "/roadmap Ingestion @2026-10-01": a date (it starts with a digit) at the end.
AT_DATE = re.compile(r"^(?P<words>.*?)\s*@(?P<at>\d\S*)$")


def time_travel(command: Command, words: str, at: str) -> None:
    """`/roadmap [text] @DATE`: the card as the roadmap was then, from git (after the ack).
    Past cards carry no buttons: a tick, a share or a pick acts on the roadmap now."""
    from bot.errors import BotError
    from bot.repo.at import at_time, snapshot_at

    command.ack()
    services = command.services
    try:
        when = at_time(at, command.now())
        services.snapshot()  # the branch fetched at least once
        snap = snapshot_at(services.source, when, at)
    except BotError as err:
        command.respond(**blocks.error_card(str(err)).as_kwargs())
        command.log["outcome"] = "time_travel_refused"
        return
    reply = answer(snap.roadmap, words, snap.location)
    card = reply.message
    kept = [b for b in card.blocks if b.get("type") != "actions"]
    past = blocks.Message(
        f"{card.text} (as of {escape(at)})", [*kept[:1], blocks.as_of_note(snap), *kept[1:]][:50]
    )
    command.respond(response_type="ephemeral", replace_original=False, **past.as_kwargs())
    command.log.update(outcome=f"{reply.outcome}_at", module=reply.subject)


def _a_name(services: Services, query: str) -> bool:
    try:
        return names_exactly(services.snapshot().roadmap, query)
    except Exception:  # unreadable: the date path says so
        return False


def route(
    services: Services,
    payload: dict[str, Any],
    ack: Callable[..., Any],
    respond: Callable[..., Any],
    log: dict[str, Any],
    now: Callable[[], datetime] = _utcnow,
) -> None:
    """`/roadmap <text>`: the keyword's handler, else the card, in the ack itself (from the
    roadmap already in memory: well inside Slack's 3 seconds)."""
    query = " ".join(str(payload.get("text") or "").split())
    row, words = keyword(query)
    past = AT_DATE.match(query)
    if past and _a_name(services, query):  # a module called "Storage @2", say
        past = None
    if past and (row is None or row.card is not None):  # a card, as it was: not a tick
        time_travel(Command(services, payload, words, ack, respond, log, now), *past.groups())
        return
    if row is not None and row.handler is not None:
        row.handler(Command(services, payload, words, ack, respond, log, now))
        return
    try:
        snap = services.snapshot()
    except Exception as err:
        ack(**blocks.error_card(f"The roadmap cannot be read: {err}").as_kwargs())
        log["outcome"] = "unreadable"
        return
    reply = services.answer(query, snap)
    ack(response_type="ephemeral", **reply.message.as_kwargs())
    log.update(outcome=reply.outcome, module=reply.subject)
