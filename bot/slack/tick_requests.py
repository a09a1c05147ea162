"""What a tick asked for in Slack must pass before it is recorded: ticks on, person allowed;
and `/roadmap tick MODULE COLUMN` read into a module and a column."""

from __future__ import annotations

from bot.roadmap.lookup import find_column, find_module
from bot.roadmap.model import Module, Roadmap

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
