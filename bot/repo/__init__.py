"""The roadmap's git repo and the other places a roadmap is read from.

`source_from_settings` picks the source; `snapshot()` on it is the roadmap to answer from.
Every git process of the bot runs through `git.Git` (deadlines, credentials in the
environment only, redacted messages, `bot.errors.GitError`).
"""

from .source import (
    BundledSource,
    FileSource,
    GitSource,
    RoadmapSource,
    Snapshot,
    source_from_settings,
)

__all__ = [
    "BundledSource",
    "FileSource",
    "GitSource",
    "RoadmapSource",
    "Snapshot",
    "source_from_settings",
]
