"""`roadmap-bot serve`: the Slack app (HTTP on $PORT, or Socket Mode with SLACK_APP_TOKEN)."""

from __future__ import annotations

import argparse

from . import SubParsers, subcommand


def add_parser(sub: SubParsers) -> argparse.ArgumentParser:
    return subcommand(sub, "serve")


def run(args: argparse.Namespace) -> int:
    from ..slack.server import serve  # Bolt and the server load only here

    return serve()
