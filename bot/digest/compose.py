"""What the digest says, as values: a pure function of two roadmaps and the history.

No clock, no git, no Slack: the period and every input are passed in, so the same inputs
always give the same digest (and tests need nothing but values). Rendering is elsewhere:
`bot.digest.blocks.to_blocks` (Slack) and `bot.digest.text.to_text` (terminal).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.repo.history import Change, ChangeKind
from bot.roadmap.analysis import group_blockers, next_modules, order_index
from bot.roadmap.forecast import WEEKS, Forecasts, forecast
from bot.roadmap.model import Cell, CellState, Group, Module, Roadmap, normalize

STALL_AFTER = timedelta(weeks=4)
CELL_KINDS = (ChangeKind.TICK, ChangeKind.UNTICK)


@dataclass(frozen=True, slots=True)
class ModuleRef:
    name: str
    group: str
    done: int
    total: int


@dataclass(frozen=True, slots=True)
class ChangeLine:
    """One commit's ticks (or unticks) of one module: several cells ticked together read
    as one line."""

    kind: ChangeKind  # TICK or UNTICK
    module: str
    group: str | None
    columns: tuple[str, ...]
    author: str
    commit: str
    date: datetime
    url: str | None = None


@dataclass(frozen=True, slots=True)
class GroupProgress:
    name: str
    done: int
    total: int
    done_before: int | None = None  # None: not known (no history, or a new group)
    progress: int = 0  # cells in progress (not done) now


@dataclass(frozen=True, slots=True)
class Stalled:
    name: str
    group: str
    done: int
    total: int
    last_change: datetime | None  # None: no change to it in the whole history


@dataclass(frozen=True, slots=True)
class OpenPR:
    title: str
    url: str | None = None
    number: int | None = None
    author: str | None = None
    opened: datetime | None = None


@dataclass(frozen=True, slots=True)
class DriftCounts:
    """Findings of `roadmap-bot drift` by severity, now and at period start (None: unknown)."""

    error: int
    warning: int
    info: int = 0
    before: int | None = None  # errors + warnings at period start

    @property
    def total(self) -> int:
        return self.error + self.warning


def drift_line(d: DriftCounts | None) -> str | None:
    if d is None or not d.total:
        return None
    parts = [f"{d.error} error{'s' * (d.error != 1)}"] if d.error else []
    if d.warning:
        parts.append(f"{d.warning} warning{'s' * (d.warning != 1)}")
    line = "Docs drift: " + ", ".join(parts)
    if d.before is not None:
        change = d.total - d.before
        if change:
            more = "more" if change > 0 else "fewer"
            line += f" ({abs(change)} {more} than at the start of the period)"
        else:
            line += " (as many as at the start of the period)"
    return line


@dataclass(frozen=True)
class Digest:
    title: str
    period_start: datetime
    period_end: datetime
    done: int
    total: int
    done_before: int | None  # None: the roadmap at period start is unknown (no history)
    total_before: int | None
    has_history: bool
    changes: tuple[ChangeLine, ...] = ()  # newest first
    ticks: int = 0
    unticks: int = 0
    authors: tuple[tuple[str, int], ...] = ()  # (name, cells changed), most first
    modules_added: tuple[str, ...] = ()
    modules_removed: tuple[str, ...] = ()
    newly_done: tuple[ModuleRef, ...] = ()
    newly_unblocked: tuple[ModuleRef, ...] = ()
    groups: tuple[GroupProgress, ...] = ()
    next: tuple[ModuleRef, ...] = ()
    stalled: tuple[Stalled, ...] = ()
    stalled_known: bool = False
    open_prs: tuple[OpenPR, ...] = ()
    location: str = ""
    notes: tuple[str, ...] = ()
    forecast: Forecasts | None = None  # None: no history, no pace to go by
    progress: int = 0  # cells in progress now (counted as not done in `done`)
    drift: DriftCounts | None = None  # the docs drift at period end; None: not checked
    # The groups a channel's digest is narrowed to, as the file names them; () = every group.
    scope: tuple[str, ...] = ()

    @property
    def scope_label(self) -> str:
        """What the headline counts: "Overall", or the groups a filtered digest covers."""
        return ", ".join(self.scope) if self.scope else "Overall"

    @property
    def drift_line(self) -> str | None:
        """ "Docs drift: 2 errors, 5 warnings (3 fewer than last week)"; None when there is
        no drift (or it was not checked): the line is there only when there is work."""
        return drift_line(self.drift)

    @property
    def percent(self) -> int:
        return _percent(self.done, self.total)

    @property
    def percent_before(self) -> int | None:
        if self.done_before is None or self.total_before is None:
            return None
        return _percent(self.done_before, self.total_before)

    @property
    def is_new(self) -> bool:
        """The roadmap had no cells at period start (the file is newer than the period)."""
        return self.total_before == 0 and self.done_before is not None

    @property
    def percent_change(self) -> int | None:
        """Percentage points gained over the period; None when unknown, or when the roadmap
        is new (an empty roadmap is not "100% done", so there is nothing to compare with)."""
        before = self.percent_before
        return None if before is None or self.is_new else self.percent - before


def compose(
    now_roadmap: Roadmap,
    start_roadmap: Roadmap | None,
    changes_in_period: Sequence[Change],
    all_changes: Sequence[Change],
    period_start: datetime,
    period_end: datetime,
    open_prs: Sequence[Mapping[str, Any] | OpenPR] = (),
    commit_url: Callable[[str], str | None] | None = None,
    location: str = "",
    stall_after: timedelta = STALL_AFTER,
    notes: Sequence[str] = (),
    forecast_weeks: int = WEEKS,
    drift: DriftCounts | None = None,
    groups: Sequence[str] = (),
) -> Digest:
    """The digest of `period_start`..`period_end`.

    `start_roadmap` is the roadmap as it was at period start; when None it is rebuilt from
    `now_roadmap` by undoing `changes_in_period` (exact for ticks and unticks, the common
    case), and when there is no history at all the change over the period is unknown.

    `groups` (a channel's filter) makes it the digest of those groups alone: the headline,
    its change in points, what changed, modules added or removed, the forecast and every
    list count their cells only. Blockers are still worked out on the whole roadmap: an
    earlier group outside the filter still blocks.
    """
    has_history = start_roadmap is not None or bool(all_changes)
    notes = list(notes)
    if start_roadmap is None and has_history:
        start_roadmap = revert(now_roadmap, changes_in_period)
    whole, whole_start, every_change = now_roadmap, start_roadmap, all_changes
    scope: tuple[str, ...] = ()
    if groups:
        part = Part(now_roadmap, groups)
        scope = part.names
        notes += part.notes
        now_roadmap = part.only(now_roadmap)
        start_roadmap = part.only(start_roadmap) if start_roadmap is not None else None
        changes_in_period = [c for c in changes_in_period if part.covers(c)]
        all_changes = [c for c in all_changes if part.covers(c)]
        in_scope: Callable[[str | None], bool] = part.has_group
    else:
        in_scope = _everything
    if not has_history and not notes:
        notes.append(
            "No history: the roadmap is not read from git, so what changed, stalled modules "
            "and the chart's past are unknown."
        )
    url = commit_url or (lambda _sha: None)
    cell_changes = [c for c in changes_in_period if c.kind in CELL_KINDS]
    authors = Counter(c.author for c in cell_changes)
    return Digest(
        title=now_roadmap.title or "Roadmap",
        period_start=period_start,
        period_end=period_end,
        done=now_roadmap.done,
        total=now_roadmap.total,
        done_before=start_roadmap.done if start_roadmap is not None else None,
        total_before=start_roadmap.total if start_roadmap is not None else None,
        has_history=has_history,
        changes=tuple(reversed(_change_lines(cell_changes, url))),
        ticks=sum(c.kind == ChangeKind.TICK for c in cell_changes),
        unticks=sum(c.kind == ChangeKind.UNTICK for c in cell_changes),
        authors=tuple(sorted(authors.items(), key=lambda a: (-a[1], a[0]))),
        modules_added=tuple(
            c.module for c in changes_in_period if c.kind == ChangeKind.MODULE_ADDED
        ),
        modules_removed=tuple(
            c.module for c in changes_in_period if c.kind == ChangeKind.MODULE_REMOVED
        ),
        newly_done=_newly_done(now_roadmap, start_roadmap),
        # Blocked or not is a matter of the whole roadmap (earlier groups may be outside the
        # filter): worked out on it, then narrowed.
        newly_unblocked=tuple(m for m in _newly_unblocked(whole, whole_start) if in_scope(m.group)),
        groups=_groups(now_roadmap, start_roadmap),
        next=tuple(_ref(m) for m in next_modules(whole) if in_scope(m.group)),
        stalled=tuple(
            s for s in _stalled(whole, every_change, period_end - stall_after) if in_scope(s.group)
        ),
        stalled_known=bool(all_changes),
        open_prs=tuple(p if isinstance(p, OpenPR) else open_pr(p) for p in open_prs),
        location=location,
        notes=tuple(notes),
        forecast=forecast(now_roadmap, all_changes, period_end, forecast_weeks)
        if has_history
        else None,
        drift=drift,
        progress=in_progress(now_roadmap.modules),
        scope=scope,
    )


def in_progress(modules: Iterable[Module]) -> int:
    """How many cells of `modules` are in progress."""
    return sum(c.state is CellState.PROGRESS for m in modules for c in m.cells)


def open_pr(data: Mapping[str, Any]) -> OpenPR:
    """An open pull request from a dict as GitHub's API (or our forge) gives it."""
    user = data.get("user")
    author = data.get("author") or (user.get("login") if isinstance(user, Mapping) else user)
    opened = data.get("opened") or data.get("created_at")
    if isinstance(opened, str):
        try:
            opened = datetime.fromisoformat(opened.replace("Z", "+00:00"))
        except ValueError:
            opened = None
    number = data.get("number")
    return OpenPR(
        title=str(data.get("title") or (f"#{number}" if number else "pull request")),
        url=data.get("html_url") or data.get("url"),
        number=int(number) if isinstance(number, int | str) and str(number).isdigit() else None,
        author=str(author) if author else None,
        opened=opened if isinstance(opened, datetime) else None,
    )


# --- the roadmap at period start -----------------------------------------------------------


def _prior_state(change: Change) -> CellState | None:
    """What a cell was before `change`: a tick was made on an open box, an untick on a
    ticked one. (History records only the new state; other transitions stay as they are.)"""
    if change.kind == ChangeKind.TICK:
        return CellState.OPEN
    if change.kind == ChangeKind.UNTICK:
        return CellState.DONE
    return None


def revert(now: Roadmap, changes: Iterable[Change]) -> Roadmap:
    """`now` with `changes` undone: the roadmap before them. Modules added by them are
    dropped; modules they removed cannot be brought back (their cells are unknown)."""
    cells: dict[tuple[str | None, str, str], CellState] = {}
    added: set[tuple[str | None, str]] = set()
    # Oldest first: for a cell changed several times, the first change tells its start.
    for c in sorted(changes, key=lambda c: c.date):
        key = (_gkey(c.group), normalize(c.module))
        if c.kind == ChangeKind.MODULE_ADDED:
            added.add(key)
        elif c.column is not None and (prior := _prior_state(c)) is not None:
            cells.setdefault((*key, c.column), prior)
    if not cells and not added:
        return now
    groups = []
    for g in now.groups:
        modules = []
        for m in g.modules:
            if (g.key, m.key) in added or (None, m.key) in added:
                continue
            new = tuple(_reverted_cell(cell, g.key, m.key, cells) for cell in m.cells)
            modules.append(m if new == m.cells else dataclasses.replace(m, cells=new))
        groups.append(dataclasses.replace(g, modules=tuple(modules)))
    return dataclasses.replace(now, groups=tuple(groups), cache={})


def _reverted_cell(
    cell: Cell, gkey: str, mkey: str, cells: Mapping[tuple[str | None, str, str], CellState]
) -> Cell:
    state = cells.get((gkey, mkey, cell.column)) or cells.get((None, mkey, cell.column))
    return cell if state is None or state is cell.state else dataclasses.replace(cell, state=state)


# --- sections ------------------------------------------------------------------------------


def _change_lines(changes: Sequence[Change], url: Callable[[str], str | None]) -> list[ChangeLine]:
    """Oldest first; consecutive changes of one commit, module and kind merged."""
    lines: list[ChangeLine] = []
    for c in sorted(changes, key=lambda c: c.date):  # stable: a commit's order is kept
        last = lines[-1] if lines else None
        if (
            last is not None
            and last.commit == c.commit
            and last.kind == c.kind
            and last.module == c.module
            and last.group == c.group
        ):
            if c.column and c.column not in last.columns:
                lines[-1] = dataclasses.replace(last, columns=(*last.columns, c.column))
            continue
        lines.append(
            ChangeLine(
                kind=c.kind,
                module=c.module,
                group=c.group,
                columns=(c.column,) if c.column else (),
                author=c.author,
                commit=c.commit,
                date=c.date,
                url=url(c.commit),
            )
        )
    return lines


def _modules_by_key(roadmap: Roadmap) -> dict[tuple[str, str], Module]:
    return {(normalize(m.group), m.key): m for m in roadmap.modules}


def _newly_done(now: Roadmap, start: Roadmap | None) -> tuple[ModuleRef, ...]:
    if start is None:
        return ()
    before = _modules_by_key(start)
    return tuple(
        _ref(m)
        for m in now.modules
        if m.total
        and m.is_done
        and not ((old := before.get((normalize(m.group), m.key))) and old.is_done and old.total)
    )


def _newly_unblocked(now: Roadmap, start: Roadmap | None) -> tuple[ModuleRef, ...]:
    """Modules still to do that were blocked at period start and are not blocked now
    (the ones done by now are in `newly_done`)."""
    if start is None:
        return ()
    blocked_before: dict[str, bool] = {}
    for g in start.groups:
        blocked_before[g.key] = bool(group_blockers(start, g))
    found = []
    for g in now.groups:
        if not blocked_before.get(g.key) or group_blockers(now, g):
            continue
        found += [_ref(m) for m in g.modules if not m.is_done]
    return tuple(found)


def ordered(groups: Iterable[Group], roadmap: Roadmap) -> list[Group]:
    """Dependency order first, then the groups it does not list, in file order."""
    index = order_index(roadmap)
    last = len(index)
    return sorted(groups, key=lambda g: index.get(g.key, last))


def _groups(now: Roadmap, start: Roadmap | None) -> tuple[GroupProgress, ...]:
    before = {g.key: g for g in start.groups} if start is not None else {}
    out = []
    for g in ordered(now.groups, now):
        old = before.get(g.key)
        out.append(
            GroupProgress(
                g.name, g.done, g.total, old.done if old else None, in_progress(g.modules)
            )
        )
    return tuple(out)


def _stalled(now: Roadmap, changes: Sequence[Change], cutoff: datetime) -> tuple[Stalled, ...]:
    """Modules not done, not blocked, with no change since `cutoff`; never-changed first,
    then oldest. A module of a blocked group is waiting for an earlier group, not stalled."""
    if not changes:
        return ()
    last: dict[tuple[str | None, str], datetime] = {}
    for c in changes:
        key = (_gkey(c.group), normalize(c.module))
        if key not in last or c.date > last[key]:
            last[key] = c.date
    blocked = {g.key for g in now.groups if group_blockers(now, g)}
    found = []
    for m in now.modules:
        if m.is_done or normalize(m.group) in blocked:
            continue
        # A change recorded without its group still counts for a module of that name.
        seen = [d for k in ((normalize(m.group), m.key), (None, m.key)) if (d := last.get(k))]
        when = max(seen) if seen else None
        if when is None or when <= cutoff:  # four weeks exactly is "4+ weeks"
            found.append(Stalled(m.name, m.group, m.done, m.total, when))
    found.sort(key=lambda s: (s.last_change is not None, s.last_change or cutoff))
    return tuple(found)


def _ref(m: Module) -> ModuleRef:
    return ModuleRef(m.name, m.group, m.done, m.total)


def _gkey(group: str | None) -> str | None:
    return normalize(group) if group else None


def _percent(done: int, total: int) -> int:
    return done * 100 // total if total else 100


def _everything(_group: str | None) -> bool:
    return True


class Part:
    """The groups a channel's digest is narrowed to (names or keys as a filter keeps them),
    read against the roadmap now: which groups, which changes are theirs."""

    def __init__(self, roadmap: Roadmap, groups: Sequence[str]) -> None:
        self.keys = {normalize(g) for g in groups}
        found: dict[str, str] = {}
        for g in ordered(roadmap.groups, roadmap):  # named as the digest lists them
            if g.key in self.keys:
                found.setdefault(g.key, g.name)
        missing = [g for g in groups if normalize(g) not in found]
        self.names = tuple(found.values()) or tuple(dict.fromkeys(groups))
        self.notes = [f"Not in the roadmap now: {', '.join(missing)}."] if missing else []
        self.notes.append(f"This channel follows {', '.join(self.names)} only.")
        self._known = {g.key for g in roadmap.groups}
        self._modules = {m.key for g in roadmap.groups if g.key in self.keys for m in g.modules}

    def has_group(self, group: str | None) -> bool:
        return group is not None and normalize(group) in self.keys

    def covers(self, change: Change) -> bool:
        """A change recorded in one of the groups; one with no group, or a group gone or
        renamed since, goes by its module's name (as the forecast and chart read it)."""
        if change.group:
            key = normalize(change.group)
            if key in self.keys:
                return True
            if key in self._known:
                return False  # another group's
        return normalize(change.module) in self._modules

    def only(self, roadmap: Roadmap) -> Roadmap:
        """`roadmap` with the other groups left out."""
        kept = tuple(g for g in roadmap.groups if g.key in self.keys)
        return dataclasses.replace(roadmap, groups=kept, cache={})
