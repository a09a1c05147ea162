"""The action_ids listeners match, and the values the tick buttons carry.

A tick button's value names the module by qualified name *and* line, so the applier can
refuse a click on a card that the file has since moved out from under (a stale card).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from bot.blockkit.limits import BUTTON_VALUE
from bot.roadmap.model import Module

ACTION_PICK = "roadmap_pick"  # value: a query, e.g. "Group/Module"
ACTION_SHARE = "roadmap_share"  # value: the query that produced the card ("" = overview)
ACTION_TICK = "roadmap_tick"  # prefix: f"roadmap_tick:{i}"
ACTION_UNTICK = "roadmap_untick"  # prefix: f"roadmap_untick:{i}"
ACTION_WATCH = "roadmap_watch"  # value: "Group/Module" or a group's name (bot/live watches)

# For `app.action(re.compile(...))`: the suffix only keeps action_ids unique per message.
TICK_PATTERN = re.compile(rf"^{ACTION_TICK}:\d+$")
UNTICK_PATTERN = re.compile(rf"^{ACTION_UNTICK}:\d+$")
PICK_PATTERN = re.compile(rf"^{ACTION_PICK}(:\d+)?$")

MAX_VALUE = BUTTON_VALUE  # Slack's cap on a button value


def tick_action_id(i: int) -> str:
    return f"{ACTION_TICK}:{i}"


def untick_action_id(i: int) -> str:
    return f"{ACTION_UNTICK}:{i}"


def pick_action_id(i: int) -> str:
    """Pick buttons need distinct action_ids too when a message has several."""
    return f"{ACTION_PICK}:{i}"


@dataclass(frozen=True, slots=True)
class TickRequest:
    module: str  # qualified name, "Group/Module"
    column: str
    line: int  # 1-based line of the module's row when the card was rendered
    done: bool  # the state asked for: True = tick, False = untick


def tick_value(module: Module, column: str, done: bool) -> str:
    """Compact JSON, e.g. {"m":"Compute Modules/Ingestion","c":"API","l":30,"d":1}."""
    payload = {"m": module.qualified, "c": column, "l": module.line, "d": 1 if done else 0}
    # ensure_ascii=False: "é" is 1 character of Slack's 2,000, "\u00e9" would be 6.
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def parse_tick_value(value: object) -> TickRequest | None:
    """The request a tick/untick button carries; None for anything malformed (the value
    comes back from Slack, so it is untrusted input)."""
    if not isinstance(value, str) or not value or len(value) > MAX_VALUE:
        return None
    try:
        data = json.loads(value)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or set(data) != {"m", "c", "l", "d"}:
        return None
    m, c, line, d = data["m"], data["c"], data["l"], data["d"]
    if not (isinstance(m, str) and m.strip() and isinstance(c, str) and c.strip()):
        return None
    # bool is an int in Python; true/false in the JSON is not what we write.
    if type(line) is not int or line < 1:
        return None
    if type(d) is not int or d not in (0, 1):
        return None
    return TickRequest(module=m, column=c, line=line, done=d == 1)
