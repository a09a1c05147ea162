"""Time travel: the roadmap as it was at a date, from the branch's history.

`at_time` reads what people type after `@` or `--at` (a date, or a date and time; UTC
unless it says otherwise); `snapshot_at` finds the last commit on the fetched branch's
first-parent line made before that moment and reads the roadmap file there. Each failure
is one line naming what was typed: a bad date, a date in the future, a date before the
file existed, a roadmap not read from git.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.errors import GitError, RoadmapFileError, UserInputError
from bot.roadmap import parse

from .source import GitSource, RoadmapSource, Snapshot


def at_time(value: str, now: datetime | None = None) -> datetime:
    """`2026-10-01` (its start, UTC) or `2026-10-01T12:00+02:00`. Not a date, or later
    than now: UserInputError."""
    text = value.strip().removeprefix("@")
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise UserInputError(
            f"@{text}: not a date; write it like 2026-10-01 (or 2026-10-01T12:00)"
        ) from None
    when = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
    if when > (now or datetime.now(UTC)):
        raise UserInputError(f"@{text}: that date is still to come")
    return when


def snapshot_at(source: RoadmapSource, when: datetime, typed: str | None = None) -> Snapshot:
    """The roadmap on the source's branch as of the last commit before `when`. Call after
    the source was read (its mirror fetched)."""
    said = f"@{typed or when.date().isoformat()}"
    if not isinstance(source, GitSource):
        raise UserInputError(
            f"{said}: the roadmap's history is in git; set ROADMAP_REPO to look back in time"
        )
    mirror = source.mirror
    ref = f"refs/remotes/origin/{source.branch}"
    before = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    fmt = "--format=%H%x00%cI%x00%an%x00%s"
    found = mirror.run("log", "-1", "--first-parent", f"--before={before}", fmt, ref, "--")
    record = found.decode("utf-8", "replace").rstrip("\n")
    entry = None
    if record:
        sha, date, author, subject = record.split("\0", 3)
        entry = mirror.entry(sha, source.path)
    if not record or entry is None or entry[0] != "blob":
        first = _first_commit_date(source)
        since = f" (it was added on {first:%Y-%m-%d})" if first else ""
        raise UserInputError(f"{said}: {source.path} did not exist on {source.branch} yet{since}")
    try:
        text = parse.decode(mirror.blob(entry[1]), source=source.path)
        roadmap = parse.parse(text, source=source.path)
    except RoadmapFileError as err:
        raise RoadmapFileError(f"{err} (commit {sha[:7]} on {source.branch}, {said})") from None
    return Snapshot(
        roadmap=roadmap,
        text=text,
        location=f"{source.location} as of {when:%Y-%m-%d}",
        commit=sha,
        committed_at=datetime.fromisoformat(date),
        author=author,
        subject=subject,
        blob=entry[1],
    )


def _first_commit_date(source: GitSource) -> datetime | None:
    """When the file first appeared on the branch, for the error line; None if never."""
    ref = f"refs/remotes/origin/{source.branch}"
    try:
        out = source.mirror.run(
            "log",
            "--first-parent",
            "--reverse",
            "--diff-filter=A",
            "--format=%cI",
            ref,
            "--",
            source.path,
        )
    except GitError:
        return None
    first = out.decode().split()
    return datetime.fromisoformat(first[0]) if first else None
