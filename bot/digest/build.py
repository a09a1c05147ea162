"""Everything the digest needs, gathered from settings: the roadmap now and at period start,
the history, open bot pull requests; then composed and charted.

This is the shell around the pure `compose` and `burnup_png`: it reads git and the store.
Reading the history is in one place (`read_changes`) so the history cache can be wired in
without touching anything else.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Engine

from bot.blockkit.kit import Message
from bot.config import Settings
from bot.docs.cache import cache_for
from bot.errors import BotError, RoadmapFileError, SettingsError
from bot.repo.history import Change, read_history
from bot.repo.mirror import GitFailed
from bot.repo.source import GitSource, RoadmapSource, Snapshot
from bot.roadmap import parse
from bot.roadmap.model import Roadmap
from bot.store.history import cached_history

from .blocks import to_blocks
from .chart import burnup_png
from .compose import Digest, DriftCounts, OpenPR, Part, compose
from .text import to_text

log = logging.getLogger(__name__)

DEFAULT_SINCE = timedelta(days=7)
CHART_TITLE_ROOM = 60  # characters of a chart title before the numbers (chart.py cuts there)
_GITHUB_PATH = re.compile(r"^/([\w.-]+)/([\w.-]+?)(?:\.git)?/?$")

ReadChanges = Callable[[Settings, RoadmapSource, Engine | None], list[Change] | None]
OpenPrs = Callable[[Settings, Engine | None], Sequence[Mapping[str, Any] | OpenPR]]


@dataclass(frozen=True)
class Inputs:
    """What a digest is composed from, kept so it can be composed again for some groups
    (a channel's filter) without reading git a second time."""

    now_roadmap: Roadmap
    start_roadmap: Roadmap | None
    in_period: Sequence[Change]
    all_changes: Sequence[Change]
    start: datetime
    end: datetime
    open_prs: Sequence[Mapping[str, Any] | OpenPR] = ()
    commit_url: Callable[[str], str | None] | None = None
    location: str = ""
    notes: Sequence[str] = ()
    drift: DriftCounts | None = None

    def compose(self, groups: Sequence[str] = ()) -> Digest:
        return compose(
            self.now_roadmap,
            self.start_roadmap,
            self.in_period,
            self.all_changes,
            self.start,
            self.end,
            open_prs=self.open_prs,
            commit_url=self.commit_url,
            location=self.location,
            notes=self.notes,
            drift=self.drift,
            groups=groups,
        )

    def chart(self, digest: Digest) -> bytes:
        """`digest`'s chart: for a filtered one, its groups' cells only, titled with them."""
        if not digest.scope:
            return burnup_png(
                self.all_changes, self.now_roadmap, self.start, self.end, forecasts=digest.forecast
            )
        part = Part(self.now_roadmap, digest.scope)
        return burnup_png(
            [c for c in self.all_changes if part.covers(c)],
            part.only(self.now_roadmap),
            self.start,
            self.end,
            forecasts=digest.forecast,
            title=chart_title(digest.scope),
        )


def chart_title(groups: Sequence[str], room: int = CHART_TITLE_ROOM) -> str:
    """A filtered chart's title: its groups' names; with too many to show, how many first
    ("7 groups: Access Modules, Host…"), as the title is cut to its room."""
    names = ", ".join(groups)
    return names if len(names) <= room else f"{len(groups)} groups: {names}"


@dataclass(frozen=True)
class Built:
    digest: Digest
    png: bytes
    snapshot: Snapshot
    inputs: Inputs | None = None  # None: made by hand (tests); cannot be narrowed

    def for_groups(self, groups: Sequence[str]) -> Built:
        """The digest and chart of `groups` alone (a channel's filter); itself without."""
        if not groups or self.inputs is None:
            return self
        digest = self.inputs.compose(groups)
        return Built(digest, self.inputs.chart(digest), self.snapshot, self.inputs)

    @property
    def message(self) -> Message:
        return to_blocks(self.digest)

    @property
    def text(self) -> str:
        return to_text(self.digest)


def zone(settings: Settings) -> ZoneInfo:
    try:
        return ZoneInfo(settings.digest_tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            f"setting DIGEST_TZ: unknown time zone {settings.digest_tz!r} "
            "(use a name like Europe/Paris or UTC)"
        ) from None


def build_digest(
    settings: Settings,
    source: RoadmapSource,
    engine: Engine | None,
    since: timedelta,
    now: datetime,
    *,
    read_changes: ReadChanges | None = None,
    open_prs: OpenPrs | None = None,
) -> Built:
    """The digest of the `since` before `now` (shown in DIGEST_TZ) and its chart."""
    tz = zone(settings)
    end = (now if now.tzinfo else now.replace(tzinfo=UTC)).astimezone(tz)
    start = end - since
    snap = source.refresh()  # a digest is worth a fetch: say what is on the branch now
    notes: list[str] = []
    try:
        changes = (read_changes or history)(settings, source, engine)
    except BotError as err:  # the digest still goes out, saying what it cannot know
        log.warning("digest: the history cannot be read (%s)", err)
        changes = None
        notes.append(f"The history could not be read ({err}); what changed is unknown.")
    start_roadmap: Roadmap | None = None
    if changes is None:
        all_changes: list[Change] = []
        in_period: list[Change] = []
    else:
        all_changes = [c for c in changes if c.date <= end]
        in_period = [c for c in all_changes if c.date > start]
        if isinstance(source, GitSource):
            start_roadmap = roadmap_at(source, start)
    prs = (open_prs or bot_pull_requests)(settings, engine)
    drift = drift_counts(source, snap, start) if isinstance(source, GitSource) else None
    inputs = Inputs(
        snap.roadmap,
        start_roadmap,
        in_period,
        all_changes,
        start,
        end,
        open_prs=prs,
        commit_url=commit_url_for(settings),
        location=snap.location,
        notes=notes,
        drift=drift,
    )
    digest = inputs.compose()
    return Built(digest, inputs.chart(digest), snap, inputs)


def history(
    settings: Settings, source: RoadmapSource, engine: Engine | None
) -> list[Change] | None:
    """Every change to the roadmap file on the branch, oldest first; None when the roadmap
    is not read from git (the bundled example, a plain file): there is no history.

    The one place the history is read: through the history cache when there is a state
    store (only new commits are read), else straight from the mirror's log (~0.2 s for
    2,000 commits). The caller has just fetched (source.refresh()), so no second fetch.
    """
    if not isinstance(source, GitSource):
        return None
    mirror = source.mirror  # the source's own mirror: same lock, same cache
    if engine is not None:
        return cached_history(engine, mirror, source.branch, source.path, fetch=False)
    with mirror.lock():
        changes, _model = read_history(
            mirror.path, f"refs/remotes/origin/{source.branch}", source.path
        )
    return changes


def drift_counts(source: GitSource, snap: Snapshot, start: datetime) -> DriftCounts | None:
    """The docs drift at `snap`'s commit and at period start (through the shared cache).
    None when the repo has no docs site drift can read: the digest says nothing then."""
    if not snap.commit:
        return None
    cache = cache_for(str(source.mirror.path), source.path)
    try:
        now = cache.get(snap.commit)
    except BotError as err:
        log.warning("digest: drift cannot be checked (%s)", err)
        return None
    if now.report is None:
        return None
    before: int | None = None
    then = commit_at(source, start)
    if then:
        try:
            old = cache.get(then)
        except BotError:
            old = None
        if old is not None and old.report is not None:
            counts = old.report.counts()
            before = counts["error"] + counts["warning"]
    c = now.report.counts()
    return DriftCounts(c["error"], c["warning"], c["info"], before)


def commit_at(source: GitSource, when: datetime) -> str | None:
    """The branch's last first-parent commit committed before `when`; None if none."""
    ref = f"refs/remotes/origin/{source.branch}"
    before = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    try:
        with source.mirror.lock():
            found = source.mirror.run("rev-list", "-1", "--first-parent", f"--before={before}", ref)
    except GitFailed:
        return None
    return found.decode().strip() or None


def roadmap_at(source: GitSource, when: datetime) -> Roadmap | None:
    """The roadmap on the fetched branch as it was at `when` (last first-parent commit
    committed before it); an empty roadmap when the file did not exist yet; None when that
    version cannot be read (the caller then rebuilds it from the changes)."""
    ref = f"refs/remotes/origin/{source.branch}"
    before = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    mirror = source.mirror
    try:
        with mirror.lock():
            found = mirror.run("rev-list", "-1", "--first-parent", f"--before={before}", ref)
            commit_sha = found.decode().strip()
            if not commit_sha:
                return Roadmap(columns=(), groups=())
            entry = mirror.entry(commit_sha, source.path)
            if entry is None or entry[0] != "blob":
                return Roadmap(columns=(), groups=())  # the branch existed, the file not yet
            data = mirror.blob(entry[1])
    except GitFailed:
        return None
    commit = commit_sha
    try:
        return parse.parse(parse.decode(data, source.path), source=source.path)
    except RoadmapFileError as err:
        log.warning("digest: the roadmap at %s cannot be read (%s)", commit[:10], err)
        return None


def commit_url_for(settings: Settings) -> Callable[[str], str | None] | None:
    """Links to commits on GitHub (or GitHub Enterprise): GITHUB_REPOSITORY, else an https
    ROADMAP_REPO on the GitHub host of GITHUB_API_URL. None when neither says where."""
    host = urlsplit(settings.github_api_url).hostname
    if not host:
        return None
    host = host.removeprefix("api.")
    repository = settings.github_repository
    if not repository and settings.roadmap_repo:
        remote = urlsplit(settings.roadmap_repo)
        found = _GITHUB_PATH.match(remote.path)
        if remote.scheme == "https" and remote.hostname == host and found:
            repository = f"{found[1]}/{found[2]}"
    if not repository:
        return None
    base = f"https://{host}/{repository}/commit/"
    return lambda sha: base + sha


def bot_pull_requests(settings: Settings, engine: Engine | None) -> list[OpenPR]:
    """The open bot pull requests, from the tick store (ticks waiting in a PR): no GitHub
    call, so the digest never waits on or fails because of GitHub."""
    if engine is None:
        return []
    try:
        from bot.store import ticks as store
        from bot.ticks.service import repo_key
    except ImportError:  # ticks not in this version
        return []
    try:
        waiting = [
            t for t in store.open_ticks(engine, repo_key(settings)) if t.state == store.IN_PR
        ]
    except Exception as err:  # the digest goes out without this section rather than not at all
        log.warning("digest: cannot read the bot's pull requests (%s)", err)
        return []
    prs: dict[str, list[Any]] = {}
    for t in waiting:
        if t.pr_url:
            prs.setdefault(t.pr_url, []).append(t)
    return [
        OpenPR(
            title=f"{len(ts)} tick{'s' * (len(ts) != 1)} from Slack",
            url=url,
            number=ts[0].pr_number,
            author=None,
            opened=min(t.created_at for t in ts),
        )
        for url, ts in prs.items()
    ]
