"""Readiness history from git: every tick and untick, modules added or removed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Change:
    """One change to the roadmap in one commit on the branch (first-parent history)."""

    commit: str  # full sha
    date: datetime  # author date, tz-aware
    author: str  # author name
    email: str
    module: str
    group: str | None
    column: str | None  # None for module_added / module_removed
    state: str  # "done" | "open" | "n/a" for cells; "added" | "removed" for modules
    kind: str  # "tick" | "untick" | "module_added" | "module_removed"
