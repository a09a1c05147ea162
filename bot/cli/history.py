"""`roadmap-bot history`: every tick and untick, modules added or removed, from git.

    roadmap-bot history [--since 7d|2026-01-01] [--module M] [--json] [--roadmap-repo URL]

Reads ROADMAP_PATH on ROADMAP_BRANCH of ROADMAP_REPO (or --roadmap-repo) through the history
cache in DATABASE_URL, so a second run reads only the commits since the first.
"""

from __future__ import annotations

import argparse
import shutil

from ..config import load_settings
from ..errors import RoadmapFileError, SettingsError
from ..repo.history import Change, ChangeKind
from ..repo.mirror import GitFailed, display
from . import SubParsers, subcommand
from .options import json_option, since_option
from .reading import print_json
from .since import since_time


def add_parser(sub: SubParsers) -> argparse.ArgumentParser:
    p = subcommand(
        sub,
        "history",
        description="Every tick and untick of the roadmap, and modules added or removed, "
        "with commit, author and date, from the first-parent history of ROADMAP_BRANCH.",
    )
    since_option(p)
    p.add_argument("--module", metavar="MODULE", help="only this module (a unique prefix will do)")
    json_option(p, help="a JSON list of events")
    p.add_argument(
        "--roadmap-repo",
        metavar="URL_OR_PATH",
        help="the roadmap's git repository (default: ROADMAP_REPO)",
    )
    return p


def run(args: argparse.Namespace) -> int:
    # Everything a person typed is checked before any git or database work.
    since = since_time(args.since) if args.since else None
    settings = load_settings()
    repo = args.roadmap_repo or settings.roadmap_repo
    if not repo:
        raise SettingsError(
            "history needs a git repository: set ROADMAP_REPO or pass --roadmap-repo "
            "URL_OR_PATH (the bundled example has no history)"
        )
    from ..repo.source import GitSource, source_from_settings
    from ..store.db import engine
    from ..store.history import query_history, update_history

    source = source_from_settings(settings.model_copy(update={"roadmap_repo": repo}))
    assert isinstance(source, GitSource)
    # The source's mirror carries the token rules of source_from_settings (GITHUB_TOKEN only
    # for the GitHub host); building another would repeat them.
    mirror = source.mirror
    mirror.check_remote()
    db = engine(settings.database_url)
    done = update_history(db, mirror, source.branch, source.path)
    if done.total_events == 0:
        try:
            present = mirror.entry(done.head, source.path) is not None
        except GitFailed:
            present = False
        if not present:
            raise RoadmapFileError(
                f"{source.path} has no history on {source.branch} of {display(repo)}"
            )
    changes = query_history(db, done.key, since=since, module=args.module)
    if args.json:
        print_json([c.to_json() for c in changes])
        return 0
    if not changes:
        print(f"no changes to {source.location}" + (f" since {args.since}" if since else ""))
        return 0
    for line in text_lines(changes):
        print(line)
    return 0


def describe(change: Change) -> str:
    """✔ Module / Column, ✗ Module / Column, + Module (added to Group), - Module (removed)."""
    if change.kind == ChangeKind.MODULE_ADDED:
        return f"+ {change.module} (added to {change.group})"
    if change.kind == ChangeKind.MODULE_REMOVED:
        return f"- {change.module} (removed from {change.group})"
    mark = "✔" if change.kind == ChangeKind.TICK else "✗"
    return f"{mark} {change.module} / {change.column}"


AUTHOR_WIDTH = 18  # a long author name is cut rather than pushing the change off the line


def text_lines(changes: list[Change], columns: int | None = None) -> list[str]:
    """One aligned line per change: date (the author's own offset, as git shows it),
    author, what changed, short sha; each line fits the terminal (`columns`, default its
    width or COLUMNS, else 80): a long author or change is cut with an ellipsis."""
    columns = columns or shutil.get_terminal_size().columns
    authors = min(max(len(c.author) for c in changes), AUTHOR_WIDTH)
    whats = [describe(c) for c in changes]
    # date (16) + author + sha (7) + three gaps of two; the change gets what is left.
    room = max(columns - 16 - authors - 7 - 6, 20)
    width = min(max(len(w) for w in whats), room)
    return [
        f"{c.date:%Y-%m-%d %H:%M}  {_cut(c.author, authors):<{authors}}  "
        f"{_cut(w, width):<{width}}  {c.commit[:7]}"
        for c, w in zip(changes, whats, strict=True)
    ]


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
