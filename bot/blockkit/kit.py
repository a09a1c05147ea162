"""Small builders for Block Kit dicts that cannot break a limit.

Each takes text that is already escaped (renderers call `fit`/`escape` on anything from the
roadmap or the user) and cuts it to the element's limit, so a 200-character module name
shortens a label instead of making Slack reject the whole message.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import limits
from .text import slack_len, truncate, unformat

Block = dict[str, Any]


@dataclass(frozen=True)
class Message:
    """A reply: `text` is the notification/fallback (never empty), `blocks` the layout."""

    text: str
    blocks: list[Block] = field(default_factory=list)

    def as_kwargs(self) -> dict[str, Any]:
        """For `say(**m.as_kwargs())`, `respond(...)`, `chat_update(...)`."""
        return {"text": self.text, "blocks": self.blocks}


def message(text: str, blocks: list[Block]) -> Message:
    return Message(truncate(text, limits.SECTION_TEXT) or "Roadmap", blocks)


def plain(text: str, limit: int) -> dict[str, Any]:
    """`text` escaped for mrkdwn or not: plain_text shows no formatting, so the wrappers that
    keep `*` literal in mrkdwn are undone here (they would show as typed)."""
    return {"type": "plain_text", "text": truncate(unformat(text), limit) or " ", "emoji": True}


def mrkdwn(text: str, limit: int = limits.SECTION_TEXT) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": truncate(text, limit) or " "}


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text, limits.HEADER_TEXT)}


def section(text: str) -> Block:
    return {"type": "section", "text": mrkdwn(text, limits.SECTION_TEXT)}


def context(*texts: str) -> Block:
    elements = [mrkdwn(t, limits.CONTEXT_TEXT) for t in texts if t][: limits.CONTEXT_ELEMENTS]
    return {"type": "context", "elements": elements or [mrkdwn(" ")]}


def divider() -> Block:
    return {"type": "divider"}


def confirm(title: str, text: str, ok: str, deny: str = "Cancel") -> dict[str, Any]:
    return {
        "title": plain(title, limits.CONFIRM_TITLE),
        "text": mrkdwn(text, limits.CONFIRM_TEXT),
        "confirm": plain(ok, limits.CONFIRM_BUTTON),
        "deny": plain(deny, limits.CONFIRM_BUTTON),
        "style": "danger",
    }


def button(
    label: str,
    action_id: str,
    value: str,
    style: str | None = None,
    confirm_dialog: dict[str, Any] | None = None,
) -> Block | None:
    """A button, or None when `value` is too long for Slack: a value cannot be cut without
    changing what the click means, so the caller says so in text instead."""
    if slack_len(value) > limits.BUTTON_VALUE:
        return None
    el: Block = {
        "type": "button",
        "text": plain(label, limits.BUTTON_TEXT),
        "action_id": action_id[: limits.ACTION_ID],
        "value": value,
    }
    if style:
        el["style"] = style
    if confirm_dialog:
        el["confirm"] = confirm_dialog
    return el


def actions(elements: Sequence[Block | None], max_blocks: int) -> list[Block]:
    """`elements` in actions blocks of at most 25, at most `max_blocks` of them."""
    present = [e for e in elements if e is not None]
    per = limits.ACTIONS_ELEMENTS
    chunks = [present[i : i + per] for i in range(0, len(present), per)][: max(0, max_blocks)]
    return [{"type": "actions", "elements": chunk} for chunk in chunks]


def sections(
    lines: Sequence[str],
    max_blocks: int,
    more: Callable[[int], str] | None = None,
    max_lines: int | None = None,
    limit: int = limits.SECTION_TEXT,
) -> list[Block]:
    """`lines` (mrkdwn) packed into as few section blocks as fit, each within `limit`.

    When the lines do not all fit in `max_blocks` (or `max_lines` are shown), the last line
    says how many were left out: `more(n)`, e.g. "…and 12 more groups".
    """
    if max_blocks <= 0 or not lines:
        return []
    more = more or (lambda n: f"…and {n} more")
    cap = len(lines) if max_lines is None else min(len(lines), max_lines)
    texts: list[list[str]] = [[]]
    sizes = [0]
    shown = 0
    for line in lines[:cap]:
        line = truncate(line, limit)
        size = slack_len(line) + (1 if texts[-1] else 0)
        if sizes[-1] + size > limit:
            if len(texts) == max_blocks:
                break
            texts.append([])
            sizes.append(0)
            size = slack_len(line)
        texts[-1].append(line)
        sizes[-1] += size
        shown += 1
    left = len(lines) - shown
    if left:
        # Make room for the "more" line in the last block, dropping shown lines if need be.
        while True:
            note = truncate(more(left), limit)
            last = texts[-1]
            if slack_len("\n".join([*last, note])) <= limit or not last:
                last.append(note)
                break
            last.pop()
            left += 1
    return [section("\n".join(t)) for t in texts if t]


def modal(message: Message, title: str = "Roadmap") -> dict[str, Any]:
    """A card as a modal view (App Home clicks have no response_url to reply to)."""
    return {
        "type": "modal",
        "title": plain(title, 24),
        "close": plain("Close", 24),
        "blocks": message.blocks[:100],
    }
