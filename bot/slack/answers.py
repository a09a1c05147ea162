"""What `/roadmap <text>` answers: the words people type mapped to a card. Pure.

Keywords (help, next, blockers, ...) come first; then a module by exact name, a group by
exact name, then the looser matches of each; nothing is ever guessed from a fuzzy match.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.roadmap.lookup import Found, find_any, find_module
from bot.roadmap.model import Group, Module, Roadmap

from . import blocks
from .blocks import Message

KEYWORDS = ("help", "next", "blockers", "digest", "subscribe", "unsubscribe", "refresh")


@dataclass(frozen=True)
class Answer:
    message: Message
    outcome: str  # for the request log: "module", "group", "not_found", ...
    subject: str = ""  # what was asked about, for the log


def answer(
    roadmap: Roadmap,
    text: str,
    location: str = "",
    commit_line: str | None = None,
    pending: dict[str, dict[str, str]] | None = None,
) -> Answer:
    """The card for `text`. `pending` maps a module's qualified name to {column: PR link}."""
    query = " ".join(text.split())
    word, _, rest = query.partition(" ")
    keyword = word.casefold()
    if not query:
        card = blocks.overview(roadmap, location, commit_line)
        return Answer(_with_waiting(card, pending or {}), "overview")
    if keyword == "help" and not rest:
        return Answer(blocks.help_card(), "help")
    if keyword == "next" and not rest:
        return Answer(blocks.next_card(roadmap), "next")
    if keyword == "blockers":
        if not rest:
            return Answer(blocks.blockers_card(roadmap, None), "blockers")
        found = find_module(roadmap, rest)
        if found.item is None:
            return _no_single(found, rest)
        return Answer(blocks.blockers_card(roadmap, found.item), "blockers", found.item.name)
    return lookup(roadmap, query, pending)


def lookup(
    roadmap: Roadmap, query: str, pending: dict[str, dict[str, str]] | None = None
) -> Answer:
    found = find_any(roadmap, query)
    item = found.item
    if isinstance(item, str):
        return Answer(blocks.column_card(roadmap, item, query), "column", item)
    if isinstance(item, Module):
        marks = (pending or {}).get(item.qualified)
        return Answer(blocks.module_card(roadmap, item, query, marks), "module", item.name)
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
        where = " and ".join(f"<{blocks.escape(u)}|pull request>" for u in prs[:3])
        line = f"📝 {len(cells)} tick{'s' * (len(cells) != 1)} waiting for review in the {where}"
    else:
        line = f"⏳ {len(cells)} tick{'s' * (len(cells) != 1)} being applied"
    note = {"type": "context", "elements": [{"type": "mrkdwn", "text": line}]}
    return Message(card.text, [card.blocks[0], note, *card.blocks[1:]])


def _no_single(found: Found[object], query: str) -> Answer:
    if found.candidates:
        return Answer(blocks.ambiguous(found), "ambiguous", query)
    return Answer(blocks.not_found(found), "not_found", query)
