"""`roadmap-bot`: the roadmap from a terminal, and the entry point of the server.

Each subcommand is one module in this package with `add_parser(sub)` and `run(args)`, named
in `COMMANDS` below; to add one, write the module and add a line there. A module is imported
only when its subcommand runs or its own `--help` is asked for (click's LazyGroup idea), so
`roadmap-bot --help` imports none of them and a command pays only for what it uses.

Failures a person can cause (a bad name, a bad file, a bad setting) end with one line on
stderr and the error's exit code (bot.errors: 2 for input, 1 when the world refused) and
write nothing; no traceback ever reaches the terminal for them.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
from collections.abc import Sequence
from typing import Any, NamedTuple, Protocol, TypeAlias, cast

from ..errors import BotError

# What add_subparsers() returns: argparse's own (private) class, named once here.
SubParsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"

EXIT_OK = 0
EXIT_FAILED = 1  # the command ran and something refused (or `check --strict` found warnings)
EXIT_USAGE = 2  # bad input: nothing was changed
EXIT_INTERRUPTED = 130


class Command(NamedTuple):
    module: str  # imported when the command runs or its parser is built
    help: str  # shown by `roadmap-bot --help` without importing the module


COMMANDS: dict[str, Command] = {
    "show": Command("bot.cli.show", "the whole roadmap, or one module or group"),
    # Not bot.cli.next: importing it would bind `next` in this package over the builtin.
    "next": Command("bot.cli.next_up", "modules not done and not blocked: what to work on now"),
    "blockers": Command("bot.cli.blockers", "what blocks a module, from the dependency order"),
    "tick": Command("bot.cli.tick", "tick (or untick) one cell of a roadmap file"),
    "check": Command("bot.cli.check", "warnings and errors in a roadmap file (for a docs CI)"),
    "serve": Command("bot.cli.serve", "run the Slack app (HTTP on $PORT, or Socket Mode)"),
    "history": Command(
        "bot.cli.history",
        "ticks, unticks and modules added or removed, from the roadmap's git history",
    ),
    "digest": Command(
        "bot.cli.digest", "the weekly digest: print it (--dry-run) or post it to Slack"
    ),
    "drift": Command("bot.cli.drift", "check the roadmap against the mkdocs site it describes"),
}


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return run(args)
    except BotError as err:
        print(f"roadmap-bot: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


# Commands that read a roadmap (or its history), answer and exit. They build a few objects
# per cell (or event) and free none before the answer; the cyclic garbage collector would walk
# them again and again (a tenth of a big roadmap's `show --json`) and find nothing, so it is
# paused for them.
_NO_GC = frozenset(("show", "next", "blockers", "check", "history"))


def run(args: argparse.Namespace) -> int:
    """Run the parsed command; errors propagate (main turns them into one line)."""
    paused = args.command in _NO_GC and gc.isenabled()
    if paused:
        gc.disable()
    try:
        return int(_command(args.command).run(args) or EXIT_OK)
    finally:
        if paused:
            gc.enable()


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    argv = sys.argv[1:] if argv is None else list(argv)
    return parser(argv).parse_args(argv)


def parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The parser for `argv`: the subcommand it names is built in full, the others are
    listed by name and help only (their modules stay unimported)."""
    p = argparse.ArgumentParser(
        prog="roadmap-bot",
        description="Readiness roadmap from a markdown table in git, in your terminal and Slack.",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    wanted = next((a for a in argv if not a.startswith("-")), None)
    for name, command in COMMANDS.items():
        if name == wanted:
            _command(name).add_parser(sub)
        else:
            sub.add_parser(name, help=command.help)
    return p


def subcommand(sub: SubParsers, name: str, **kwargs: Any) -> argparse.ArgumentParser:
    """The parser of the subcommand `name`, with the help `COMMANDS` gives it (one wording
    for the full parser and the short listing)."""
    # No abbreviations: `history --roadmap F` would silently mean --roadmap-repo F.
    kwargs.setdefault("allow_abbrev", False)
    made: argparse.ArgumentParser = sub.add_parser(name, help=COMMANDS[name].help, **kwargs)
    return made


class CommandModule(Protocol):
    """What each subcommand module provides."""

    def add_parser(self, sub: SubParsers) -> argparse.ArgumentParser: ...
    def run(self, args: argparse.Namespace) -> int: ...


def _command(name: str) -> CommandModule:
    return cast(CommandModule, importlib.import_module(COMMANDS[name].module))
