"""Walk rendered Block Kit dicts: texts, buttons, and an independent check via slack_sdk."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from slack_sdk.models.blocks import Block

from bot.blockkit.kit import Message
from bot.blockkit.limits import check_message


def walk(obj: Any) -> Iterator[dict[str, Any]]:
    if isinstance(obj, dict):
        yield obj
        for v in obj.values():
            yield from walk(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from walk(v)


def texts(blocks: Sequence[dict[str, Any]]) -> list[str]:
    """Every text object's text: what Slack parses for mentions and links."""
    return [d["text"] for d in walk(list(blocks)) if d.get("type") in ("mrkdwn", "plain_text")]


def all_text(msg: Message) -> str:
    return "\n".join([msg.text, *texts(msg.blocks)])


def buttons(blocks: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [d for d in walk(list(blocks)) if d.get("type") == "button"]


def assert_valid(blocks: Sequence[dict[str, Any]], home: bool = False) -> None:
    """Our own limit check, and slack_sdk's model validation as a second opinion."""
    assert check_message(blocks, home=home) == []
    for b in blocks:
        Block.parse(dict(b)).to_dict()  # raises SlackObjectFormationError on a violation


def assert_message(msg: Message) -> None:
    assert isinstance(msg, Message)
    assert msg.text.strip()
    assert len(msg.text) <= 3000
    assert msg.blocks
    assert_valid(msg.blocks)
