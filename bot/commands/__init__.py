"""Command-line subcommands kept out of bot/cli.py, each with `add_parser(sub)`."""

from __future__ import annotations

import sys

from bot.config import Settings
from bot.repo.source import BundledSource, RoadmapSource, source_from_settings


def source_for(settings: Settings, roadmap_file: str | None, note: str = "") -> RoadmapSource:
    """The roadmap a command reads: --roadmap FILE, ROADMAP_REPO, else the bundled example,
    which is said on stderr (stdout stays clean for --json)."""
    source = source_from_settings(settings, roadmap_file=roadmap_file)
    if isinstance(source, BundledSource):
        print(
            f"roadmap-bot: using the bundled example roadmap{note} "
            "(pass --roadmap FILE or set ROADMAP_REPO for yours)",
            file=sys.stderr,
        )
    return source
