"""`roadmap-bot blockers MODULE [--json]`: what blocks a module, from the dependency order."""

from __future__ import annotations

import argparse

from ..roadmap.export import module_json
from . import SubParsers, subcommand, terminal
from .options import json_option, roadmap_option
from .reading import load, module_named, print_json


def add_parser(sub: SubParsers) -> argparse.ArgumentParser:
    s = subcommand(sub, "blockers")
    s.add_argument("module", metavar="MODULE")
    roadmap_option(s)
    json_option(s)
    return s


def run(args: argparse.Namespace) -> int:
    roadmap, _ = load(args)
    module = module_named(roadmap, args.module)
    if args.json:
        data = module_json(roadmap, module)
        print_json({k: data[k] for k in ("name", "group", "blockers")})
    else:
        terminal.console().print(terminal.blockers_view(roadmap, module))
    return 0
