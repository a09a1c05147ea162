"""`roadmap-bot show [MODULE] [--json]`: the whole roadmap, a module, a group or a column."""

from __future__ import annotations

import argparse

from ..roadmap.analysis import group_blockers
from ..roadmap.export import blockers_json, column_json, group_json, module_json, roadmap_json
from ..roadmap.lookup import find_any
from ..roadmap.model import Group
from . import SubParsers, subcommand, terminal
from .options import json_option, roadmap_option
from .reading import load, one, print_json


def add_parser(sub: SubParsers) -> argparse.ArgumentParser:
    s = subcommand(sub, "show")
    s.add_argument("module", nargs="?", metavar="MODULE")
    roadmap_option(s)
    json_option(s)
    return s


def run(args: argparse.Namespace) -> int:
    roadmap, _ = load(args)
    out = terminal.console()
    if args.module is None:
        if args.json:
            print_json(roadmap_json(roadmap))
        else:
            out.print(terminal.roadmap_view(roadmap, out.width))
        return 0
    # A module, a group ("Host Modules") or a column ("API"), as /roadmap reads it.
    item = one(find_any(roadmap, args.module), "module")
    if isinstance(item, str):
        if args.json:
            print_json(column_json(roadmap, item))
        else:
            out.print(terminal.column_view(roadmap, item))
        return 0
    if isinstance(item, Group):
        if args.json:
            blockers = blockers_json(group_blockers(roadmap, item))
            print_json({**group_json(item), "blockers": blockers})
        else:
            out.print(terminal.group_view(roadmap, item))
        return 0
    if args.json:
        print_json(module_json(roadmap, item))
    else:
        out.print(terminal.module_view(roadmap, item))
    return 0
