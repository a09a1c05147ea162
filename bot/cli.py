"""`roadmap-bot`: the roadmap from a terminal, and the entry point of the server.

Failures a person can cause (a bad name, a bad file, a bad setting) exit 2 with one line on
stderr and write nothing; no traceback ever reaches the terminal for them.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import terminal
from .config import load_settings
from .roadmap.edit import set_cell
from .roadmap.export import (
    blockers_json,
    column_json,
    dumps,
    module_json,
    next_json,
    roadmap_json,
)
from .roadmap.lookup import Found, find_any, find_column, find_module
from .roadmap.model import Group, Module, Roadmap, RoadmapError
from .roadmap.parse import decode, parse

EXIT_USAGE = 2


class UserError(Exception):
    """Stops the command with one line and exit status 2."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except (UserError, RoadmapError) as err:
        print(f"roadmap-bot: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="roadmap-bot",
        description="Readiness roadmap from a markdown table in git, in your terminal and Slack.",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def roadmap_option(sp: argparse.ArgumentParser) -> None:
        sp.add_argument(
            "--roadmap",
            metavar="FILE",
            help="a roadmap file (default: ROADMAP_REPO, else the bundled example)",
        )

    s = sub.add_parser("show", help="the whole roadmap, or one module or group")
    s.add_argument("module", nargs="?", metavar="MODULE")
    roadmap_option(s)
    s.add_argument("--json", action="store_true")
    s.set_defaults(run=cmd_show)

    s = sub.add_parser("next", help="modules not done and not blocked: what to work on now")
    roadmap_option(s)
    s.add_argument("--json", action="store_true")
    s.set_defaults(run=cmd_next)

    s = sub.add_parser("blockers", help="what blocks a module, from the dependency order")
    s.add_argument("module", metavar="MODULE")
    roadmap_option(s)
    s.add_argument("--json", action="store_true")
    s.set_defaults(run=cmd_blockers)

    s = sub.add_parser("tick", help="tick (or untick) one cell of a roadmap file")
    s.add_argument("module", metavar="MODULE")
    s.add_argument("column", metavar="COLUMN")
    s.add_argument("--untick", action="store_true", help="mark the cell open again")
    roadmap_option(s)
    s.add_argument("--no-commit", action="store_true", help="edit the file only, even in git")
    s.set_defaults(run=cmd_tick)

    s = sub.add_parser("check", help="warnings and errors in a roadmap file (for a docs CI)")
    roadmap_option(s)
    s.add_argument("--strict", action="store_true", help="exit 1 when there are warnings")
    s.set_defaults(run=cmd_check)

    s = sub.add_parser("serve", help="run the Slack app (HTTP on $PORT, or Socket Mode)")
    s.set_defaults(run=cmd_serve)

    from .commands import digest, history

    history.add_parser(sub)
    digest.add_parser(sub)
    return p


# --- reading -------------------------------------------------------------------------------


def _load(args: argparse.Namespace) -> tuple[Roadmap, str]:
    """The roadmap named by --roadmap, ROADMAP_REPO or the bundled example (said on stderr)."""
    from .commands import source_for

    source = source_for(load_settings(), args.roadmap)
    snap = source.snapshot()
    if snap.roadmap.warnings and args.run is not cmd_check:
        n = len(snap.roadmap.warnings)
        print(
            f"roadmap-bot: {n} warning{'s' * (n != 1)} in {snap.location}; "
            "run `roadmap-bot check` to see them",
            file=sys.stderr,
        )
    return snap.roadmap, snap.location


def _module(roadmap: Roadmap, query: str) -> Module:
    return _one(find_module(roadmap, query), "module")


def _one(found: Found[Any], kind: str) -> Any:
    if found.item is not None:
        return found.item
    if found.candidates:
        names = ", ".join(_label(c) for c in found.candidates[:10])
        more = f" and {len(found.candidates) - 10} more" if len(found.candidates) > 10 else ""
        raise UserError(f"'{found.query}' matches several {kind}s: {names}{more}; say which")
    hint = (
        f"; did you mean {', '.join(_label(s) for s in found.suggestions)}?"
        if found.suggestions
        else ""
    )
    raise UserError(f"no {kind} '{found.query}'{hint}")


def _label(item: Any) -> str:
    return (
        item.qualified
        if isinstance(item, Module) and "/" not in item.name
        else getattr(item, "name", str(item))
    )


def _print_json(data: Any) -> None:
    print(dumps(data))


# --- commands ------------------------------------------------------------------------------


def cmd_show(args: argparse.Namespace) -> int:
    roadmap, _ = _load(args)
    out = terminal.console()
    if args.module is None:
        if args.json:
            _print_json(roadmap_json(roadmap))
        else:
            out.print(terminal.roadmap_view(roadmap, out.width))
        return 0
    # A module, a group ("Host Modules") or a column ("API"), as /roadmap reads it.
    item = _one(find_any(roadmap, args.module), "module")
    if isinstance(item, str):
        if args.json:
            _print_json(column_json(roadmap, item))
        else:
            out.print(terminal.column_view(roadmap, item))
        return 0
    if isinstance(item, Group):
        if args.json:
            from .roadmap.analysis import group_blockers

            data = {**_group_json(item), "blockers": blockers_json(group_blockers(roadmap, item))}
            _print_json(data)
        else:
            out.print(terminal.group_view(roadmap, item))
        return 0
    if args.json:
        _print_json(module_json(roadmap, item))
    else:
        out.print(terminal.module_view(roadmap, item))
    return 0


def _group_json(group: Group) -> dict[str, Any]:
    from .roadmap.export import group_json

    return group_json(group)


def cmd_next(args: argparse.Namespace) -> int:
    roadmap, _ = _load(args)
    if args.json:
        _print_json(next_json(roadmap))
    else:
        terminal.console().print(terminal.next_view(roadmap))
    return 0


def cmd_blockers(args: argparse.Namespace) -> int:
    roadmap, _ = _load(args)
    module = _module(roadmap, args.module)
    if args.json:
        data = module_json(roadmap, module)
        _print_json({k: data[k] for k in ("name", "group", "blockers")})
    else:
        terminal.console().print(terminal.blockers_view(roadmap, module))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    roadmap, location = _load(args)
    for w in roadmap.warnings:
        where = f"{location}:{w.line}" if w.line else location
        print(f"{where}: warning: {w.message}")
    n = len(roadmap.warnings)
    modules = len(roadmap.modules)
    print(
        f"{location}: {modules} modules in {len(roadmap.groups)} groups, "
        f"{len(roadmap.columns)} columns; {n} warning{'s' * (n != 1)}",
        file=sys.stderr,
    )
    return 1 if (args.strict and n) else 0


def cmd_tick(args: argparse.Namespace) -> int:
    if not args.roadmap:
        return _tick_repo(args)
    path = Path(args.roadmap)
    text = _read(path)
    roadmap = parse(text, source=str(path))
    module = _module(roadmap, args.module)
    column = _one(find_column(roadmap, args.column), "column")
    edit = set_cell(text, roadmap, module, column, done=not args.untick)
    if not edit.changed:
        print(edit.message)
        return 0
    repo = None if args.no_commit else _work_tree(path)
    if repo is not None:
        _check_clean(repo, path)
    _write_atomic(path, edit.text)
    if repo is not None:
        try:
            sha = _commit(repo, path, f"roadmap: {edit.message}")
        except Exception as err:
            _write_atomic(path, text)  # a tick that could not be committed is not left behind
            raise UserError(f"{path}: git commit failed: {_first_line(err)}") from None
        print(f"{edit.message}; committed {sha[:10]}")
    else:
        print(edit.message)
    return 0


def _tick_repo(args: argparse.Namespace) -> int:
    """Tick ROADMAP_REPO the way a click in Slack does: recorded, applied by the one
    applier (commit, push or pull request per TICK_MODE), then reported."""
    import getpass
    import uuid

    from .repo.source import source_from_settings
    from .store.db import engine
    from .ticks.service import build_tick_service, tick_mode

    settings = load_settings()
    if not settings.roadmap_repo:
        raise UserError(
            "tick needs --roadmap FILE or ROADMAP_REPO (the bundled example is read-only here; "
            "`serve` ticks a copy of it)"
        )
    if args.no_commit:
        raise UserError("--no-commit is for --roadmap FILE; a tick on ROADMAP_REPO is a commit")
    if tick_mode(settings) is None:
        raise UserError(
            "ticks are off for this ROADMAP_REPO: set GITHUB_TOKEN (pull requests) or TICK_MODE"
        )
    roadmap = source_from_settings(settings).refresh().roadmap
    module = _module(roadmap, args.module)
    column = _one(find_column(roadmap, args.column), "column")
    service = build_tick_service(settings, engine(settings.database_url))
    if service is None:
        raise UserError("ticks are off for this ROADMAP_REPO")
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
        return 1 if outcome.state in ("failed", "closed") else 0
    print("recorded; the applier of another process will apply it")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .slack.server import serve

    return serve()


# --- files and git for `tick` ----------------------------------------------------------------


def _read(path: Path) -> str:
    from .repo.source import read_bytes

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


def _work_tree(path: Path) -> Any:
    import git

    try:
        repo = git.Repo(path.resolve().parent, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return None
    return None if repo.bare else repo


def _check_clean(repo: Any, path: Path) -> None:
    """Refuse before writing when a commit would carry more than the one cell."""
    rel = os.path.relpath(path.resolve(), repo.working_tree_dir)
    status = repo.git.status("--porcelain", "--", rel)
    if status.startswith("??"):
        raise UserError(f"{path}: not tracked by git; add and commit it first, or pass --no-commit")
    if status:
        raise UserError(f"{path}: has uncommitted changes; commit them first, or pass --no-commit")


def _first_line(err: Exception) -> str:
    text = str(getattr(err, "stderr", "") or err).strip()
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return lines[-1] if lines else type(err).__name__


def _commit(repo: Any, path: Path, message: str) -> str:
    # Commit only this path, so whatever else the person has staged stays out of it.
    rel = os.path.relpath(path.resolve(), repo.working_tree_dir)
    repo.git.commit("-m", message, "--only", "--", rel)
    return str(repo.head.commit.hexsha)


if __name__ == "__main__":
    raise SystemExit(main())
