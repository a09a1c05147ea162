"""What most subcommands do first: read the roadmap, find the one module or column named."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..config import Settings, load_settings
from ..errors import NotFoundError, UserInputError, did_you_mean, matches_several
from ..repo.source import BundledSource, RoadmapSource, Snapshot, source_from_settings
from ..roadmap.lookup import Found, find_module
from ..roadmap.model import Module, Roadmap


def source_for(settings: Settings, roadmap_file: str | None, note: str = "") -> RoadmapSource:
    """The roadmap a command reads: --roadmap FILE, ROADMAP_REPO, else the bundled example,
    which is said on stderr (stdout stays clean for --json)."""
    source = source_from_settings(settings, roadmap_file=roadmap_file)
    if isinstance(source, BundledSource):
        print(
            f"roadmap-bot: using the bundled example roadmap{note} "
            "(pass --roadmap FILE or set ROADMAP_REPO for yours)",
            file=sys.stderr,
        )
    return source


def load(args: argparse.Namespace, *, say_warnings: bool = True) -> tuple[Roadmap, str]:
    """The roadmap named by --roadmap, ROADMAP_REPO or the bundled example, and where it
    was read. Warnings in it are counted on stderr unless the command shows them itself."""
    _, snap = load_snapshot(args, say_warnings=say_warnings)
    return snap.roadmap, snap.location


def load_snapshot(
    args: argparse.Namespace, *, say_warnings: bool = True
) -> tuple[RoadmapSource, Snapshot]:
    """`load`, keeping the source (for its history) and the snapshot (for its commit)."""
    source = source_for(load_settings(), args.roadmap)
    snap = source.snapshot()
    if snap.roadmap.warnings and say_warnings:
        n = len(snap.roadmap.warnings)
        print(
            f"roadmap-bot: {n} warning{'s' * (n != 1)} in {snap.location}; "
            "run `roadmap-bot check` to see them",
            file=sys.stderr,
        )
    return source, snap


def module_named(roadmap: Roadmap, query: str) -> Module:
    item: Module = one(find_module(roadmap, query), "module")
    return item


def one(found: Found[Any], kind: str) -> Any:
    """The one item a lookup found; a one-line error naming the candidates or suggestions."""
    if found.item is not None:
        return found.item
    if found.candidates:
        names = [label(c) for c in found.candidates[:10]]
        more = len(found.candidates) - len(names)
        raise UserInputError(matches_several(kind, found.query, names, more=more))
    suggestions = [label(s) for s in found.suggestions]
    raise NotFoundError(did_you_mean(kind, found.query, suggestions))


def label(item: Any) -> str:
    return (
        item.qualified
        if isinstance(item, Module) and "/" not in item.name
        else getattr(item, "name", str(item))
    )


def print_json(data: Any) -> None:
    # pydantic-core's encoder: the same bytes as json.dumps(indent=2), much faster on
    # big roadmaps (imported here so other commands do not pay for it).
    from ..roadmap.export import dumps, dumps_utf8

    out = sys.stdout
    buffer = getattr(out, "buffer", None)
    if buffer is not None and (out.encoding or "").replace("-", "").lower() == "utf8":
        # The encoder's bytes as they are: decoding megabytes only to encode them again
        # was a tenth of a big roadmap's `show --json`.
        out.flush()
        buffer.write(dumps_utf8(data) + b"\n")
        buffer.flush()
        return
    print(dumps(data))
