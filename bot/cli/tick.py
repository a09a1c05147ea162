"""`roadmap-bot tick MODULE COLUMN [--untick] [--roadmap FILE] [--no-commit]`.

With --roadmap FILE the file is edited in place (one cell, byte-exact) and, when it is in a
git work tree, committed alone. Without it, ROADMAP_REPO is ticked the way a click in Slack
ticks it: recorded, applied by the one applier, then reported.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from ..config import load_settings
from ..errors import UserInputError
from ..repo import worktree
from ..roadmap.edit import set_cell
from ..roadmap.lookup import find_column
from ..roadmap.parse import decode, parse
from . import EXIT_FAILED, SubParsers, subcommand
from .options import roadmap_option
from .reading import module_named, one


def add_parser(sub: SubParsers) -> argparse.ArgumentParser:
    s = subcommand(sub, "tick")
    s.add_argument("module", metavar="MODULE")
    s.add_argument("column", metavar="COLUMN")
    s.add_argument("--untick", action="store_true", help="mark the cell open again")
    roadmap_option(s)
    s.add_argument("--no-commit", action="store_true", help="edit the file only, even in git")
    return s


def run(args: argparse.Namespace) -> int:
    if not args.roadmap:
        return _tick_repo(args)
    path = Path(args.roadmap)
    text = _read(path)
    roadmap = parse(text, source=str(path))
    module = module_named(roadmap, args.module)
    column = one(find_column(roadmap, args.column), "column")
    edit = set_cell(text, roadmap, module, column, done=not args.untick)
    if not edit.changed:
        print(edit.message)
        return 0
    repo = None if args.no_commit else worktree.work_tree(path)
    if repo is not None:
        worktree.check_clean(repo, path)
    _write_atomic(path, edit.text)
    if repo is None:
        print(edit.message)
        return 0
    try:
        sha = worktree.commit_path(repo, path, f"roadmap: {edit.message}")
    except BaseException:
        _write_atomic(path, text)  # a tick that could not be committed is not left behind
        raise
    print(f"{edit.message}; committed {sha[:10]}")
    return 0


def _tick_repo(args: argparse.Namespace) -> int:
    """Tick ROADMAP_REPO the way a click in Slack does: recorded, applied by the one
    applier (commit, push or pull request per TICK_MODE), then reported."""
    import getpass
    import uuid

    from ..repo.source import source_from_settings
    from ..store.db import engine
    from ..store.ticks import TickState
    from ..ticks.service import build_tick_service, tick_mode

    settings = load_settings()
    if not settings.roadmap_repo:
        raise UserInputError(
            "tick needs --roadmap FILE or ROADMAP_REPO (the bundled example is read-only here; "
            "`serve` ticks a copy of it)"
        )
    if args.no_commit:
        raise UserInputError(
            "--no-commit is for --roadmap FILE; a tick on ROADMAP_REPO is a commit"
        )
    if tick_mode(settings) is None:
        raise UserInputError(
            "ticks are off for this ROADMAP_REPO: set GITHUB_TOKEN (pull requests) or TICK_MODE"
        )
    roadmap = source_from_settings(settings).refresh().roadmap
    module = module_named(roadmap, args.module)
    column = one(find_column(roadmap, args.column), "column")
    service = build_tick_service(settings, engine(settings.database_url))
    if service is None:
        raise UserInputError("ticks are off for this ROADMAP_REPO")
    user = getpass.getuser()
    tick, _ = service.record(
        key=uuid.uuid4().hex,
        module=module.qualified,
        column=column,
        line=module.line,
        done=not args.untick,
        user_id=f"cli:{user}",
        user_name=user,
        surface="cli",
    )
    for outcome in service.run_now():
        if outcome.tick.id != tick.id:
            continue
        where = outcome.url or (outcome.sha or "")[:10]
        print(f"{outcome.detail} ({outcome.state}{': ' + where if where else ''})")
        return EXIT_FAILED if outcome.state in (TickState.FAILED, TickState.CLOSED) else 0
    print("recorded; the applier of another process will apply it")
    return 0


def _read(path: Path) -> str:
    from ..repo.source import read_bytes

    return decode(read_bytes(path), str(path))


def _write_atomic(path: Path, text: str) -> None:
    """Replace the file in one step, so a crash never leaves half a roadmap."""
    mode = path.stat().st_mode & 0o7777
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
