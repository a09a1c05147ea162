"""`roadmap-bot digest [--channel C] [--since 7d] [--dry-run]`.

--dry-run prints the digest and saves the chart, with no Slack (and no database unless one
already exists); otherwise it posts to --channel or DIGEST_CHANNEL under the same period key
as the schedule, so the CLI and `serve` together still post once per period.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import textwrap
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import Settings, load_settings
from ..errors import SettingsError, UserInputError
from . import SubParsers, subcommand
from .options import roadmap_option, since_option
from .reading import source_for
from .since import since_span

if TYPE_CHECKING:  # SQLAlchemy is imported only when a digest is made, not for `--help`
    from sqlalchemy import Engine


def add_parser(sub: SubParsers) -> argparse.ArgumentParser:
    s = subcommand(sub, "digest")
    s.add_argument("--channel", metavar="C", help="the Slack channel id (default: DIGEST_CHANNEL)")
    since_option(s, default="7d")
    s.add_argument(
        "--dry-run", action="store_true", help="print the digest and save the chart; no Slack"
    )
    s.add_argument("--chart", metavar="FILE", help="where --dry-run saves the chart PNG")
    roadmap_option(
        s, help="a roadmap file (default: ROADMAP_REPO, else the bundled example); no history"
    )
    return s


def fit_terminal(text: str, columns: int) -> str:
    """Long lines wrapped at word boundaries to the terminal's width, continuation lines
    indented under their own line's text (a terminal would cut words mid-way)."""
    out: list[str] = []
    for line in text.splitlines():
        if len(line) <= columns:
            out.append(line)
            continue
        lead = " " * (len(line) - len(line.lstrip(" ")))
        out += textwrap.wrap(
            line, columns, subsequent_indent=lead + "  ", break_on_hyphens=False
        ) or [line]
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")


def run(args: argparse.Namespace) -> int:
    # Imported here: matplotlib and the Slack client are slow to import for other commands.
    from bot.digest.build import build_digest

    settings = load_settings()
    since = since_span(args.since)
    source = source_for(settings, args.roadmap, note=" (no history)")
    now = datetime.now(UTC)
    if args.dry_run:
        built = build_digest(settings, source, _existing_engine(settings), since, now)
        sys.stdout.write(fit_terminal(built.text, shutil.get_terminal_size().columns))
        path = _write_chart(built.png, args.chart)
        print(f"chart: {path}")
        return 0
    return _post(settings, source, args.channel, since, now)


def _post(settings: Settings, source: Any, channel: str | None, since: Any, now: datetime) -> int:
    from slack_sdk import WebClient

    from bot.digest.deliver import deliver
    from bot.digest.schedule import DigestSchedule
    from bot.store import db

    channel = channel or settings.digest_channel
    if not channel:
        raise SettingsError(
            "digest: no channel; pass --channel C, set DIGEST_CHANNEL, or --dry-run"
        )
    if not settings.slack_bot_token:
        raise SettingsError("setting SLACK_BOT_TOKEN: needed to post the digest (or use --dry-run)")
    engine = db.engine(settings.database_url)
    key = DigestSchedule(settings, run=lambda _slot: None).current_key(now)
    client = WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url)
    outcomes = deliver(settings, source, client, engine, [channel], key, since, now)
    for outcome in outcomes:
        print(f"roadmap-bot: digest {outcome}", file=sys.stdout if outcome.ok else sys.stderr)
    return 0 if all(o.ok for o in outcomes) else 1


def _existing_engine(settings: Settings) -> Engine | None:
    """The state store if there is one: a dry run must not create a SQLite file."""
    from sqlalchemy.engine import make_url

    from bot.store import db

    url = make_url(db.normalize_url(settings.database_url))
    if url.get_backend_name() == "sqlite" and not (url.database and Path(url.database).exists()):
        return None
    try:
        return db.engine(settings.database_url)
    except SettingsError as err:
        print(f"roadmap-bot: {err}; going on without it", file=sys.stderr)
        return None


def _write_chart(png: bytes, path: str | None) -> str:
    if path:
        try:
            Path(path).write_bytes(png)
        except OSError as err:
            raise UserInputError(f"--chart {path}: cannot write ({err.strerror})") from None
        return path
    fd, tmp = tempfile.mkstemp(prefix="roadmap-digest-", suffix=".png")
    with os.fdopen(fd, "wb") as f:
        f.write(png)
    return tmp
