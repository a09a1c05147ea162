"""The cards `/roadmap` answers with: the overview, help, next, blockers, and a module, group
or column looked up by name. Pure: the router (router.py) picks which.

A lookup tries a module by exact name, a group by exact name, then the looser matches of
each; nothing is ever guessed from a fuzzy match.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.blockkit.text import link_target
from bot.docs.drift import CellPage
from bot.roadmap.forecast import Forecasts
from bot.roadmap.lookup import Found, find_any, find_module
from bot.roadmap.model import Group, Module, Roadmap

from . import blocks
from .blocks import Message

# Said when the state store cannot be reached: the card may show a cell open that has a
# tick on its way, so the person knows not to trust that part.
WAITING_UNKNOWN = "⚠️ Waiting ticks are unknown right now: the bot cannot reach its state store"


@dataclass(frozen=True)
class Answer:
    message: Message
    outcome: str  # for the request log: "module", "group", "not_found", ...
    subject: str = ""  # what was asked about, for the log


def overview(
    roadmap: Roadmap,
    location: str = "",
    commit_line: str | None = None,
    pending: dict[str, dict[str, str]] | None = None,
    forecast: Forecasts | None = None,
    *,
    waiting_known: bool = True,
) -> Answer:
    """`/roadmap` alone. `pending` maps a module's qualified name to {column: PR link};
    `waiting_known` False: the state store could not say (the card says so)."""
    card = blocks.overview(roadmap, location, commit_line, forecast)
    if not waiting_known:
        return Answer(_with_note(card, WAITING_UNKNOWN), "overview")
    return Answer(_with_waiting(card, pending or {}), "overview")


def help_answer(usage: Sequence[tuple[str, str]]) -> Answer:
    return Answer(blocks.help_card(usage), "help")


def next_answer(roadmap: Roadmap, _words: str) -> Answer:
    return Answer(blocks.next_card(roadmap), "next")


def blockers_answer(roadmap: Roadmap, words: str) -> Answer:
    """`blockers`: what waits for what; `blockers MODULE`: what blocks that module."""
    if not words:
        return Answer(blocks.blockers_card(roadmap, None), "blockers")
    found = find_module(roadmap, words)
    if found.item is None:
        return _no_single(found, words)
    return Answer(blocks.blockers_card(roadmap, found.item), "blockers", found.item.name)


def lookup(
    roadmap: Roadmap,
    query: str,
    pending: dict[str, dict[str, str]] | None = None,
    pages: Mapping[tuple[str, str], CellPage] | None = None,
    *,
    waiting_known: bool = True,
) -> Answer:
    found = find_any(roadmap, query)
    item = found.item
    if isinstance(item, str):
        return Answer(blocks.column_card(roadmap, item, query), "column", item)
    if isinstance(item, Module):
        marks = (pending or {}).get(item.qualified)
        docs = None
        if pages is not None:  # this module's columns: what the docs show for each
            docs = {c.column: p for c in item.cells if (p := pages.get((item.qualified, c.column)))}
        card = blocks.module_card(roadmap, item, query, marks, docs=docs)
        if not waiting_known:  # a cell shown open may have a tick on its way
            card = _with_note(card, WAITING_UNKNOWN)
        return Answer(card, "module", item.name)
    if isinstance(item, Group):
        return Answer(blocks.group_card(roadmap, item, query), "group", item.name)
    return _no_single(found, query)


def _with_waiting(card: Message, pending: dict[str, dict[str, str]]) -> Message:
    """The overview says what waits: ticks being applied, ticks in the bot's pull request."""
    cells = [link for columns in pending.values() for link in columns.values()]
    if not cells or len(card.blocks) >= 50:
        return card
    prs = sorted({link for link in cells if link})
    if prs:
        where = " and ".join(f"<{link_target(u)}|pull request>" for u in prs[:3])
        line = f"📝 {len(cells)} tick{'s' * (len(cells) != 1)} waiting for review in the {where}"
    else:
        line = f"⏳ {len(cells)} tick{'s' * (len(cells) != 1)} being applied"
    return _with_note(card, line)


def _with_note(card: Message, line: str) -> Message:
    """`line` as a context block under the card's first block (room allowing)."""
    if len(card.blocks) >= 50:
        return card
    note = {"type": "context", "elements": [{"type": "mrkdwn", "text": line}]}
    return Message(card.text, [card.blocks[0], note, *card.blocks[1:]])


def _no_single(found: Found[Any], query: str) -> Answer:
    if found.candidates:
        return Answer(blocks.ambiguous(found), "ambiguous", query)
    return Answer(blocks.not_found(found), "not_found", query)
