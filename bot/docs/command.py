"""``roadmap-bot drift``: the roadmap against the docs site, from a docs repo's work tree.

``add_parser(sub)`` registers the subcommand; ``run(args)`` returns the exit code (0 clean,
1 findings that fail, 2 unreadable input: a one-line message on stderr).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from bot.errors import BotError

from . import report
from .inputs import find_inputs, run_drift
from .tree import WorkTree


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "drift",
        help="check the roadmap against the mkdocs site it describes",
        description="Every module x column of the roadmap against the docs page it stands "
        "for: ticked but missing or a stub, written but still open, renamed, moved.",
    )
    p.add_argument(
        "--roadmap",
        metavar="FILE",
        help="the roadmap (default: drift.roadmap, else ROADMAP_PATH, else docs/roadmap.md)",
    )
    p.add_argument(
        "--mkdocs",
        metavar="FILE",
        help="the site config (default: mkdocs.yml, "
        "mkdocs.yaml or zensical.toml from the roadmap's directory up)",
    )
    p.add_argument(
        "--docs-dir", metavar="DIR", help="the docs directory (default: the config's docs_dir)"
    )
    p.add_argument(
        "--config",
        metavar="FILE",
        help="the mapping (default: .roadmap-bot.yml beside the site config)",
    )
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="findings as JSON")
    out.add_argument(
        "--format",
        choices=["text", "github"],
        default="text",
        help="github: ::error annotations for GitHub Actions",
    )
    p.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    p.set_defaults(run=run)
    return p


def repo_root(start: Path) -> Path:
    """The work tree holding `start` (the nearest directory with .git), else `start`."""
    start = start.resolve()
    for d in (start, *start.parents):
        if (d / ".git").exists():
            return d
    return start


def _relative(root: Path, given: str | None, what: str) -> str | None:
    if given is None:
        return None
    path = Path(given).resolve()
    try:
        rel = path.relative_to(root)
    except ValueError:
        raise BotError(f"{given}: the {what} is outside the repository {root}") from None
    text = rel.as_posix()
    return "" if text == "." else text


def run(args: argparse.Namespace) -> int:
    try:
        anchor = args.mkdocs or args.roadmap
        root = repo_root(Path(anchor).parent if anchor else Path.cwd())
        tree = WorkTree(root)
        inputs = find_inputs(
            tree,
            roadmap=_relative(root, args.roadmap, "roadmap"),
            site_config=_relative(root, args.mkdocs, "site config"),
            settings_file=_relative(root, args.config, "config"),
            docs_dir=_relative(root, args.docs_dir, "docs dir"),
            default_roadmap=os.environ.get("ROADMAP_PATH") or None,
            env=os.environ,
        )
        found = run_drift(tree, inputs, env=os.environ)
    except BotError as err:
        print(f"roadmap-bot: {err}", file=sys.stderr)
        return err.exit_code
    if args.json:
        print(report.json_text(found))
    elif args.format == "github":
        out = report.github(found)
        if out:
            print(out)
        print(report.summary(found), file=sys.stderr)
    else:
        print(report.text(found))
    return report.exit_code(found, args.strict)
