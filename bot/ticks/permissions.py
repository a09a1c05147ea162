"""Who may tick: TICK_ALLOWED = Slack user IDs and/or user-group IDs, or `*`."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.config import TickMode
from bot.errors import SettingsError

_ID = re.compile(r"^[UWS][A-Z0-9]{2,}$")


@dataclass(frozen=True)
class TickPolicy:
    users: frozenset[str]
    groups: frozenset[str]
    everyone: bool = False

    def allows(self, user_id: str, members_of: Callable[[str], set[str]]) -> bool:
        """`members_of(group_id)` is only asked when the user is not listed directly."""
        if self.everyone or user_id in self.users:
            return True
        return any(user_id in members_of(g) for g in sorted(self.groups))

    def describe(self) -> str:
        if self.everyone:
            return "everyone"
        names = [f"<@{u}>" for u in sorted(self.users)] + [
            f"<!subteam^{g}>" for g in sorted(self.groups)
        ]
        return ", ".join(names) or "nobody"


def tick_policy(allowed: str | None, mode: TickMode) -> TickPolicy:
    """The policy from TICK_ALLOWED. A pull request is reviewed anyway, so pr and local
    default to everyone; direct writes straight to the branch and needs an explicit list."""
    if allowed is None or not allowed.strip():
        if mode == TickMode.DIRECT:
            raise SettingsError(
                "setting TICK_ALLOWED: TICK_MODE=direct commits straight to the branch, so it "
                "needs an explicit list of Slack user or user-group IDs (or *)"
            )
        return TickPolicy(frozenset(), frozenset(), everyone=True)
    parts = [p.strip() for p in allowed.split(",") if p.strip()]
    if parts == ["*"]:
        return TickPolicy(frozenset(), frozenset(), everyone=True)
    for p in parts:
        if not _ID.match(p):
            raise SettingsError(
                f"setting TICK_ALLOWED: {p!r} is not a Slack user ID (U…/W…) or user-group ID (S…)"
            )
    return TickPolicy(
        users=frozenset(p for p in parts if p[0] in "UW"),
        groups=frozenset(p for p in parts if p[0] == "S"),
    )
