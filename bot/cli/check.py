"""`roadmap-bot check [--strict]`: warnings and errors in a roadmap file (for a docs CI)."""

from __future__ import annotations

import argparse
import sys

from . import EXIT_FAILED, SubParsers, subcommand
from .options import roadmap_option
from .reading import load


def add_parser(sub: SubParsers) -> argparse.ArgumentParser:
    s = subcommand(sub, "check")
    roadmap_option(s)
    s.add_argument("--strict", action="store_true", help="exit 1 when there are warnings")
    return s


def run(args: argparse.Namespace) -> int:
    roadmap, location = load(args, say_warnings=False)  # they are the output here
    for w in roadmap.warnings:
        where = f"{location}:{w.line}" if w.line else location
        print(f"{where}: warning: {w.message}")
    n = len(roadmap.warnings)
    modules, groups, columns = len(roadmap.modules), len(roadmap.groups), len(roadmap.columns)
    print(
        f"{location}: {modules} module{'s' * (modules != 1)} in {groups} "
        f"group{'s' * (groups != 1)}, {columns} column{'s' * (columns != 1)}; "
        f"{n} warning{'s' * (n != 1)}",
        file=sys.stderr,
    )
    return EXIT_FAILED if (args.strict and n) else 0
