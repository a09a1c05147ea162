"""`roadmap-bot next [--json]`: modules not done and not blocked, what to work on now."""

from __future__ import annotations

import argparse

from ..roadmap.export import next_json
from . import SubParsers, subcommand, terminal
from .options import json_option, roadmap_option
from .reading import load, print_json


def add_parser(sub: SubParsers) -> argparse.ArgumentParser:
    s = subcommand(sub, "next")
    roadmap_option(s)
    json_option(s)
    return s


def run(args: argparse.Namespace) -> int:
    roadmap, _ = load(args)
    if args.json:
        print_json(next_json(roadmap))
    else:
        terminal.console().print(terminal.next_view(roadmap))
    return 0
