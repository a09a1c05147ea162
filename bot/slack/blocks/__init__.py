"""Block Kit rendering of roadmap values: pure functions returning plain dicts.

No Slack client, no I/O, no clock (times are passed in). Every text from the roadmap file
or from a user is escaped; every result stays within Block Kit's limits (`check_message`).
"""

from __future__ import annotations

from bot.blockkit.kit import Message
from bot.blockkit.limits import check_message
from bot.blockkit.text import escape, progress_bar

from .cards import blockers_card, column_card, group_card, module_card, next_card, overview
from .common import as_of_note, modal
from .home import home_view
from .ids import (
    ACTION_PICK,
    ACTION_SHARE,
    ACTION_TICK,
    ACTION_UNTICK,
    PICK_PATTERN,
    TICK_PATTERN,
    UNTICK_PATTERN,
    TickRequest,
    parse_tick_value,
    pick_action_id,
    tick_action_id,
    tick_value,
    untick_action_id,
)
from .replies import ambiguous, error_card, help_card, not_found

__all__ = [
    "ACTION_PICK",
    "ACTION_SHARE",
    "ACTION_TICK",
    "ACTION_UNTICK",
    "PICK_PATTERN",
    "TICK_PATTERN",
    "UNTICK_PATTERN",
    "Message",
    "TickRequest",
    "ambiguous",
    "as_of_note",
    "blockers_card",
    "check_message",
    "column_card",
    "error_card",
    "escape",
    "group_card",
    "help_card",
    "home_view",
    "modal",
    "module_card",
    "next_card",
    "not_found",
    "overview",
    "parse_tick_value",
    "pick_action_id",
    "progress_bar",
    "tick_action_id",
    "tick_value",
    "untick_action_id",
]
