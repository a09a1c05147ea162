"""`roadmap-bot drift`: the roadmap against the mkdocs site it describes.

The command lives with the rest of the docs code (bot/docs/command.py); this module is its
entry in the CLI's table.
"""

from __future__ import annotations

from bot.docs.command import add_parser, run

__all__ = ["add_parser", "run"]
