"""Options several subcommands share, each defined once."""

from __future__ import annotations

import argparse

DEFAULT_ROADMAP_HELP = "a roadmap file (default: ROADMAP_REPO, else the bundled example)"


def roadmap_option(parser: argparse.ArgumentParser, help: str = DEFAULT_ROADMAP_HELP) -> None:
    """`--roadmap FILE`: read this file instead of ROADMAP_REPO or the bundled example."""
    parser.add_argument("--roadmap", metavar="FILE", help=help)


def json_option(parser: argparse.ArgumentParser, help: str | None = None) -> None:
    parser.add_argument("--json", action="store_true", help=help)


def since_option(parser: argparse.ArgumentParser, default: str | None = None) -> None:
    """`--since 7d|2026-01-01`, read by bot.cli.since (the commands parse it themselves, so
    a bad value is one line of their own, not argparse's usage message)."""
    parser.add_argument(
        "--since",
        default=default,
        metavar="7d|2026-01-01",
        help="how far back: hours, days or weeks ago (12h, 7d, 2w) or an ISO date or time "
        "(UTC unless it has an offset)" + (f" (default: {default})" if default else ""),
    )
