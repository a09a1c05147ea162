"""`roadmap-bot show [MODULE] [--json]`: the whole roadmap, a module, a group or a column."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any

from ..config import load_settings
from ..repo.source import RoadmapSource
from ..roadmap.analysis import group_blockers
from ..roadmap.export import (
    blockers_json,
    column_json,
    forecast_json,
    group_json,
    module_json,
    roadmap_json,
)
from ..roadmap.forecast import Forecasts, forecast
from ..roadmap.lookup import find_any
from ..roadmap.model import Group, Roadmap
from . import SubParsers, subcommand, terminal
from .options import json_option, roadmap_option
from .reading import load_snapshot, one, print_json


def add_parser(sub: SubParsers) -> argparse.ArgumentParser:
    s = subcommand(sub, "show")
    s.add_argument("module", nargs="?", metavar="MODULE")
    s.add_argument(
        "--at",
        metavar="DATE",
        help="the roadmap as it was then (2026-10-01: the last commit before that day; "
        "needs ROADMAP_REPO)",
    )
    roadmap_option(s)
    json_option(s)
    return s


def run(args: argparse.Namespace) -> int:
    source, snap = load_snapshot(args)
    when = None
    if args.at is not None:
        from ..repo.at import at_time, snapshot_at

        when = at_time(args.at)
        snap = snapshot_at(source, when, args.at)
        print(f"roadmap-bot: {snap.location} (commit {(snap.commit or '')[:7]})", file=sys.stderr)
    roadmap = snap.roadmap
    out = terminal.console()
    if args.module is None:
        if args.json:
            print_json(roadmap_json(roadmap, _forecast(source, roadmap, when)))
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
            print_json(
                {
                    **group_json(item),
                    "blockers": blockers,
                    "forecast": _group_forecast(_forecast(source, roadmap, when), item),
                }
            )
        else:
            out.print(terminal.group_view(roadmap, item))
        return 0
    if args.json:
        print_json(module_json(roadmap, item))
    else:
        out.print(terminal.module_view(roadmap, item))
    return 0


def _group_forecast(found: Forecasts | None, group: Group) -> dict[str, Any] | None:
    """The group's entry of the roadmap's forecast (the same numbers), with its window."""
    if found is None:
        return None
    whole = forecast_json(found)
    mine = found.group(group.name)
    entry = next((g for g in whole["groups"] if mine and g["name"] == mine.name), None)
    return {"now": whole["now"], "weeks": whole["weeks"], **entry} if entry else None


def _forecast(
    source: RoadmapSource, roadmap: Roadmap, when: datetime | None = None
) -> Forecasts | None:
    """At the pace of the weeks before `when` (now), from the branch's history (as the
    digest and the /roadmap overview say it); None when the roadmap is not read from git."""
    from ..repo.source import GitSource

    if not isinstance(source, GitSource):
        return None  # a plain file or the example: no history, and no need to import it
    from ..digest.build import history

    changes = history(load_settings(), source, None)
    if changes is None:
        return None
    return forecast(roadmap, changes, when or datetime.now(UTC))
