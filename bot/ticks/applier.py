"""Apply recorded ticks to the roadmap repo, one applier per repo at a time.

direct / local: one commit per tick on the branch, pushed together; a rejected push means
the branch moved: fetch, re-apply every tick on the new tip, try again (bounded, backoff).
Each commit names its tick in a `Roadmap-Tick:` trailer and is recorded before the push, so
a run killed after the push is finished by the next one from git alone (reconcile.py).

pr: the ticks roll into one bot branch per roadmap file and one open pull request. The branch
is regenerated from the current base with every tick still waiting re-applied (the way
Renovate regenerates its branches; no text rebase) and pushed with --force-with-lease, but
only when needed (see bot/ticks/pull_request.py). A merged or closed pull request frees the
bot; a bot branch a person has committed to is left alone while its pull request is open.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import Engine

from bot.config import TickMode
from bot.errors import (
    ForgeError,
    GitError,
    RoadmapFileError,
    SettingsError,
    UserInputError,
)
from bot.repo.commit import (
    Chain,
    Identity,
    PushRefusedForNow,
    PushRejected,
    bot_branch,
    merge_base_is,
    push,
)
from bot.repo.git import GitStopped
from bot.repo.mirror import Mirror
from bot.roadmap.edit import set_cell
from bot.roadmap.model import Module, Roadmap, normalize
from bot.roadmap.parse import decode, parse
from bot.store import ticks as store
from bot.store.ticks import Tick, TickState

from . import pull_request as pr_flow
from .reconcile import landed, trailer

if TYPE_CHECKING:  # PyGithub is imported only where a forge is made
    from bot.forge.github import PullRequest

log = logging.getLogger(__name__)

GIVE_UP_SECONDS = 3600.0  # a tick kept pending through outages fails after this long


class PullRequests(Protocol):
    """What the applier needs of the forge (bot.forge.github.Forge provides it)."""

    def ensure_pull(self, head: str, base: str, title: str, body: str) -> PullRequest: ...
    def get_pull(self, number: int) -> PullRequest: ...
    def open_pull(self, head: str, base: str) -> PullRequest | None: ...
    def comment(self, number: int, text: str, *, once: str | None = None) -> bool: ...


@dataclass(frozen=True)
class TickOutcome:
    tick: Tick
    state: TickState  # the tick's new state
    detail: str  # one line for the person who ticked
    sha: str | None = None
    url: str | None = None  # commit or pull request link
    module: str | None = None  # the module's own name, when the applier read the roadmap

    @property
    def module_name(self) -> str:
        """The module as people call it: \"Deploy\", not \"CI/CD Modules/Deploy\"."""
        return self.module or module_name(self.tick)


def is_news(o: TickOutcome) -> bool:
    """Whether an outcome is told: a tick still waiting in the same PR is not news."""
    return o.tick.state == store.PENDING or o.state != o.tick.state


@dataclass
class Applier:
    engine: Engine
    mirror: Mirror
    repo_key: str
    branch: str
    path: str
    mode: TickMode
    bot: Identity
    forge: PullRequests | None = None
    people: Callable[[str], Identity | None] = lambda _user: None
    commit_url: Callable[[str], str | None] = lambda _sha: None
    rebase: str = "auto"  # TICK_REBASE: when to regenerate the bot branch (pr mode)
    attempts: int = 5
    sleep: Callable[[float], None] = time.sleep
    _bot_branch: str = field(init=False)

    def __post_init__(self) -> None:
        self._bot_branch = bot_branch(self.path)

    def run_once(self) -> list[TickOutcome]:
        """Apply whatever is open now. Every outcome is recorded before it is returned."""
        with store.applier_lock(self.engine, self.repo_key), self.mirror.lock():
            waiting = store.open_ticks(self.engine, self.repo_key)
            if not waiting:
                return []
            try:
                if self.mode == TickMode.PR:
                    outcomes = self._pull_request(waiting)
                else:
                    outcomes = self._direct([t for t in waiting if t.state == store.PENDING])
            except (RoadmapFileError, SettingsError) as err:
                # The roadmap cannot be read on the branch (file gone, not UTF-8, no table):
                # every pending tick fails with the reason; nothing was written.
                outcomes = [
                    TickOutcome(t, store.FAILED, f"could not change the roadmap: {err}")
                    for t in waiting
                    if t.state == store.PENDING
                ]
            except GitStopped:
                # Shutting down mid-run: nothing more is recorded; the ticks stay pending with
                # any commit planned, and the next process finds out what reached the branch.
                log.warning("tick applier stopped mid-run; the next start takes it up")
                return []
            except (GitError, ForgeError) as err:
                outcomes = self._setback(waiting, err)
            for o in outcomes:
                self._record(o)
            return [o for o in outcomes if is_news(o)]

    # --- direct and local ------------------------------------------------------------------

    def _direct(self, pending: list[Tick]) -> list[TickOutcome]:
        """Commit, record what each tick became, push. Ticks that made no commit (no-op,
        refused) are settled before the push: they change nothing, so a crash cannot make
        them happen twice. The rest are planned (their commit recorded) before the push,
        and a later run finds them on the branch by their trailer (bot.ticks.reconcile)."""
        if not pending:
            return []
        settled: list[TickOutcome] = []
        try:
            return self._direct_attempts(pending, settled)
        except GitStopped:
            # Shutting down: what was settled is recorded and still to be told; the rest
            # stays pending (with its planned commit) for the next process.
            log.warning("tick applier stopped mid-run; the next start takes it up")
            return _in_order(settled)

    def _direct_attempts(
        self, pending: list[Tick], settled: list[TickOutcome]
    ) -> list[TickOutcome]:
        todo = pending
        for attempt in range(self.attempts):
            self.mirror.fetch(self.branch)
            tip, text, roadmap = self._read(self.branch)
            if attempt == 0:
                found, todo = self._reconcile(tip, roadmap, todo)
                settled += found
            with Chain(self.mirror, tip, self.path) as chain:
                outcomes, last = self._apply(chain, text, roadmap, todo, store.APPLIED)
            commits = [o for o in outcomes if o.state == store.APPLIED]
            others = [o for o in outcomes if o.state != store.APPLIED]
            for o in others:
                self._record(o)
            settled += others
            if last == tip:
                return _in_order(settled)
            store.plan(self.engine, {o.tick.id: o.sha for o in commits if o.sha})
            try:
                push(self.mirror, last, self.branch)
                return _in_order(settled + commits)
            except PushRejected as err:
                if isinstance(err, PushRefusedForNow) and attempt == self.attempts - 1:
                    raise  # the remote stays busy: keep the ticks for the next run (_setback)
                log.info("push to %s rejected (%s); re-applying on the new tip", self.branch, err)
                todo = [o.tick for o in commits]
                self.sleep(_backoff(attempt))
        return _in_order(
            settled
            + [
                TickOutcome(t, store.FAILED, f"the branch {self.branch} kept moving; try again")
                for t in todo
            ]
        )

    def _reconcile(
        self, tip: str, roadmap: Roadmap, pending: list[Tick]
    ) -> tuple[list[TickOutcome], list[Tick]]:
        """Ticks planned by an earlier run (a commit recorded, the outcome not) that are on
        the branch: applied. The others are still to do."""
        planned = [t for t in pending if t.sha]
        found = landed(self.mirror, tip, planned)
        done = []
        for t in planned:
            if t.id in found:
                sha, subject = found[t.id]
                detail = subject.removeprefix("roadmap: ")
                name = module_name(t, roadmap)
                url = self.commit_url(sha)
                done.append(TickOutcome(t, store.APPLIED, detail, sha=sha, url=url, module=name))
                log.info("tick %s was pushed as %s before a restart; recorded now", t.id, sha)
        return done, [t for t in pending if t.id not in found]

    def _record(self, o: TickOutcome) -> None:
        """The outcome, and with it (when it is news) what to tell: the service tells it from
        the store, so a process killed before telling leaves it for the next run."""
        extra = (
            {"pr_url": o.url, "pr_number": _pr_number(o.url)} if self.mode == TickMode.PR else {}
        )
        news = store.News(o.state, o.detail, o.sha, o.url, o.module) if is_news(o) else None
        store.mark(
            self.engine,
            o.tick.id,
            o.state,
            news,
            sha=o.sha,
            error=o.detail if o.state in (store.FAILED, store.PENDING) else None,
            **extra,
        )

    def _apply(
        self, chain: Chain, text: str, roadmap: Roadmap, items: list[Tick], done_state: TickState
    ) -> tuple[list[TickOutcome], str]:
        """Each tick as its own commit on `chain`, except ticks asked for together (one
        batch: "Tick all N ready"), which become one commit listing every cell. Cell
        positions stay valid across the edits: a tick replaces one character with one."""
        outcomes: list[TickOutcome] = []
        commits: list[list[int]] = []  # per commit queued, the outcomes it carries
        edited: set[tuple[str, str]] = set()
        for together in _batches(items):
            made: list[int] = []
            for t in together:
                if (t.module, normalize(t.column)) in edited:
                    # The same cell again (untick, then tick again): read it as now written.
                    roadmap, edited = parse(text, self.path), set()
                module = resolve(roadmap, t)
                column = _column(roadmap, t.column)
                name = module.name if module is not None else module_name(t, roadmap)
                if module is None or column is None:
                    what = f"module {name!r}" if module is None else f"column {t.column!r}"
                    outcomes.append(
                        TickOutcome(
                            t,
                            store.FAILED,
                            f"{what} is no longer in the roadmap; nothing was changed",
                            module=name,
                        )
                    )
                    continue
                try:
                    edit = set_cell(text, roadmap, module, column, t.done)
                except (UserInputError, RoadmapFileError) as err:
                    failed = f"{err}; nothing was changed"
                    outcomes.append(TickOutcome(t, store.FAILED, failed, module=name))
                    continue
                if not edit.changed:
                    outcomes.append(TickOutcome(t, store.NOOP, edit.message, module=name))
                    continue
                text = edit.text
                edited.add((t.module, normalize(t.column)))
                made.append(len(outcomes))
                outcomes.append(TickOutcome(t, done_state, edit.message, module=name))
            if made:
                message = self._message(
                    [outcomes[i].tick for i in made], [outcomes[i].detail for i in made]
                )
                chain.add(text.encode("utf-8"), message, self.bot, self.bot)
                commits.append(made)
        for made, sha in zip(commits, chain.write(), strict=True):
            for i in made:
                outcomes[i] = replace(outcomes[i], sha=sha, url=self.commit_url(sha))
        return outcomes, chain.parent

    def _setback(self, waiting: list[Tick], err: Exception) -> list[TickOutcome]:
        """The repository or GitHub failed. A failure that may pass (network, 5xx, rate
        limit) keeps the ticks pending for the next run, telling each person once; after
        GIVE_UP_SECONDS, or for a failure that will not pass (a refused token), they fail."""
        transient = bool(getattr(err, "transient", False))  # GitRefused and most 4xx: not
        now = datetime.now(UTC)
        outcomes = []
        for t in waiting:
            if t.state != store.PENDING:
                continue
            age = (now - _aware(t.created_at)).total_seconds()
            if not transient or age > GIVE_UP_SECONDS:
                outcomes.append(
                    TickOutcome(t, store.FAILED, f"could not change the roadmap: {err}")
                )
            elif t.error is None:
                outcomes.append(
                    TickOutcome(t, store.PENDING, f"{err}; the tick is kept and retried")
                )
        log.warning("tick applier: %s (%s)", err, "will retry" if transient else "giving up")
        return outcomes

    def _message(self, ticks: list[Tick], summaries: list[str]) -> str:
        """One commit's message: its one change, or every cell of a batch, one a line. The
        batch's ticks were asked by one person in one place: the first one speaks for all."""
        t = ticks[0]
        who = t.user_name or t.user_id
        asked = (
            f"Asked by {who} on the command line."
            if t.surface == "cli"
            else (f"Asked by {who} (Slack {t.user_id}) in {where_asked(t)}.")
        )
        if len(summaries) == 1:
            lines = [f"roadmap: {summaries[0]}", "", asked]
        else:
            verbs = {s.split(" ", 1)[0] for s in summaries}
            verb = verbs.pop() if len(verbs) == 1 else "changed"
            lines = [
                f"roadmap: {verb} {len(summaries)} cells",
                "",
                *(f"- {s}" for s in summaries),
                "",
                asked,
            ]
        # Trailers, last: each tick's own (a restart finds its push by it), then the person.
        lines += ["", *(trailer(k) for k in ticks)]
        person = self.people(t.user_id)
        if person is not None and person.email:
            lines.append(f"Co-authored-by: {person.name} <{person.email}>")
        return "\n".join(lines) + "\n"

    def _read(self, branch: str) -> tuple[str, str, Roadmap]:
        commit = self.mirror.commit(branch)
        if commit is None:
            raise RoadmapFileError(f"branch {branch!r} was not fetched")
        entry = self.mirror.entry(commit.sha, self.path)
        if entry is None or entry[0] != "blob":
            raise RoadmapFileError(f"{self.path} is not in {branch} (commit {commit.sha[:7]})")
        text = decode(self.mirror.blob(entry[1]), self.path)
        return commit.sha, text, parse(text, self.path)

    # --- pull requests ---------------------------------------------------------------------

    def _pull_request(self, waiting: list[Tick]) -> list[TickOutcome]:
        if self.forge is None:
            raise SettingsError("TICK_MODE=pr needs GITHUB_TOKEN and GITHUB_REPOSITORY")
        forge = self.forge
        head = self._bot_branch
        for attempt in range(self.attempts):
            self.mirror.fetch(self.branch)
            base_tip, text, roadmap = self._read(self.branch)
            bot_tip = self._fetch_bot_branch(head)
            # Where the ticks' pull requests stand: a merged or closed one frees the bot.
            numbers = {t.pr_number for t in waiting if t.state == store.IN_PR and t.pr_number}
            pulls = {n: forge.get_pull(n) for n in sorted(numbers)}
            current = next(
                (p for p in pulls.values() if p.state == "open" and p.head == head), None
            )
            outcomes: list[TickOutcome] = []
            keep: list[Tick] = []
            for t in waiting:
                pr = pulls.get(t.pr_number or 0) if t.state == store.IN_PR else None
                if pr is not None and pr.state == "closed":
                    outcomes.append(self._finished(t, pr, text, roadmap))
                else:
                    keep.append(t)
            if bot_tip is not None and current is None:
                known = forge.open_pull(head, self.branch)
                dropped = any(p.state == "closed" and not p.merged for p in pulls.values())
                # Closed unmerged: its branch goes, as Renovate does; a new tick opens anew.
                if known is None and dropped and pr_flow.delete_branch(self.mirror, head, bot_tip):
                    bot_tip = None
                current = known
            if bot_tip is not None and current is not None:
                hands = pr_flow.hand_commits(self.mirror, base_tip, bot_tip, self.bot.email)
                taken_back = pr_flow.take_back_requested(current.body)
                if hands and not taken_back:
                    return outcomes + self._hands_off(keep, hands[0], current, roadmap)
            else:
                taken_back = False
            with Chain(self.mirror, base_tip, self.path) as chain:
                applied, last = self._apply(chain, text, roadmap, keep, store.IN_PR)
            for o in applied:
                if o.state == store.NOOP and o.tick.state == store.IN_PR:
                    # Its change is on the base now: the PR (or a person) landed it.
                    news = f"{o.detail.split(' is ')[0]} landed"
                    outcomes.append(replace(o, state=store.MERGED, detail=news, url=o.tick.pr_url))
                else:
                    outcomes.append(o)
            on_branch = [o for o in outcomes if o.state == store.IN_PR]
            if not on_branch:
                return outcomes
            regenerate = taken_back or pr_flow.needs_regenerate(
                self.rebase,
                new_ticks=any(t.state == store.PENDING for t in keep),
                branch_lost=bot_tip is None,
                pull=current,
                base_moved=bot_tip is not None
                and not merge_base_is(self.mirror, base_tip, bot_tip),
            )
            if not regenerate:
                return [
                    replace(o, sha=o.tick.sha, url=o.tick.pr_url) if o.state == store.IN_PR else o
                    for o in outcomes
                ]
            try:
                push(self.mirror, last, head, lease=bot_tip or "", force=True)
            except PushRejected as err:
                log.info("bot branch %s moved (%s); regenerating", head, err)
                self.sleep(_backoff(attempt))
                continue
            pr = self._open_pull(head, last, on_branch)
            return [replace(o, url=pr.url) if o.state == store.IN_PR else o for o in outcomes]
        return [
            TickOutcome(t, store.FAILED, f"the bot branch {head} kept moving; try again")
            for t in waiting
            if t.state == store.PENDING
        ]

    def _open_pull(self, head: str, pushed: str, on_branch: list[TickOutcome]) -> PullRequest:
        """Open or update the pull request for the branch just pushed. If GitHub refuses (a
        token without pull_requests: write answers 403) and no pull request shows the branch,
        the branch is deleted again: a bot branch nobody can see in a pull request would only
        confuse. The error goes on to fail (or keep) the ticks."""
        assert self.forge is not None
        where = {o.tick.id: where_asked(o.tick) for o in on_branch}
        try:
            return self.forge.ensure_pull(
                head, self.branch, pr_flow.pr_title(on_branch), pr_flow.pr_body(on_branch, where)
            )
        except ForgeError:
            try:
                orphan = self.forge.open_pull(head, self.branch) is None
            except ForgeError:
                orphan = True  # cannot tell: a branch without a PR is the worse outcome
            if orphan and pr_flow.delete_branch(self.mirror, head, pushed):
                log.warning("deleted the bot branch %s: no pull request could show it", head)
            raise

    def _finished(self, t: Tick, pr: PullRequest, text: str, roadmap: Roadmap) -> TickOutcome:
        """A tick whose pull request is merged or closed: landed, or closed, and said so."""
        name = module_name(t, roadmap)
        if pr.merged:
            module, column = resolve(roadmap, t), _column(roadmap, t.column)
            try:
                landed = (
                    module is not None
                    and column is not None
                    and not set_cell(text, roadmap, module, column, t.done).changed
                )
            except (UserInputError, RoadmapFileError):
                landed = False
            if landed:
                return TickOutcome(
                    t, store.MERGED, f"{name} / {t.column} landed", url=pr.url, module=name
                )
            note = f"pull request #{pr.number} was merged without this change; tick again"
            return TickOutcome(t, store.CLOSED, note, url=pr.url, module=name)
        note = (
            f"pull request #{pr.number} was closed without merging; the tick was dropped "
            "(tick again to ask anew)"
        )
        return TickOutcome(t, store.CLOSED, note, url=pr.url, module=name)

    def _hands_off(
        self, keep: list[Tick], first: pr_flow.HandCommit, pull: PullRequest, roadmap: Roadmap
    ) -> list[TickOutcome]:
        """A person has committed to the bot branch and its pull request is open: leave the
        branch alone, refuse the new ticks (each person told once, with the way out), and
        say so on the pull request once per takeover."""
        refused = [t for t in keep if t.state == store.PENDING]
        assert self.forge is not None
        asks = ", ".join(f"{module_name(t, roadmap)} / {t.column}" for t in refused)
        try:
            self.forge.comment(
                pull.number,
                pr_flow.hands_off_comment(first, f" (so far: {asks})" if asks else ""),
                once=pr_flow.HANDS_OFF_MARK,
            )
        except ForgeError as err:  # a courtesy; the person in Slack is told anyway
            log.warning("could not comment on pull request #%s: %s", pull.number, err)
        note = pr_flow.hands_off_note(self._bot_branch, pull)
        return [
            TickOutcome(t, store.FAILED, note, url=pull.url, module=module_name(t, roadmap))
            for t in refused
        ]

    def _fetch_bot_branch(self, head: str) -> str | None:
        try:
            self.mirror.fetch(head)
        except (GitError, SettingsError):
            # Not there (never made, deleted by hand or on merge): forget any stale copy.
            self.mirror.git.attempt("update-ref", "-d", f"refs/remotes/origin/{head}")
            return None
        commit = self.mirror.commit(head)
        return commit.sha if commit else None


def _batches(items: list[Tick]) -> list[list[Tick]]:
    """`items` in order, each alone except those of one batch, gathered where its first is."""
    out: list[list[Tick]] = []
    by_batch: dict[str, list[Tick]] = {}
    for t in items:
        if t.batch is None:
            out.append([t])
        elif t.batch in by_batch:
            by_batch[t.batch].append(t)
        else:
            by_batch[t.batch] = [t]
            out.append(by_batch[t.batch])
    return out


def where_asked(t: Tick) -> str:
    if t.surface == "cli":
        return "the command line"
    if t.surface == "home":
        return "App Home"
    return f"<#{t.channel}>" if t.channel else "Slack"


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)  # SQLite drops it


def resolve(roadmap: Roadmap, t: Tick) -> Module | None:
    """The module a tick names by "Group/Module", preferring the row it was shown at. Both
    names may hold "/", so every split point is tried."""
    for i, ch in enumerate(t.module):
        if ch != "/":
            continue
        group, key = t.module[:i], normalize(t.module[i + 1 :])
        same = [m for m in roadmap.modules if m.key == key and m.group == group]
        if same:
            return next((m for m in same if m.line == t.line), same[0])
    return None


def module_name(t: Tick, roadmap: Roadmap | None = None) -> str:
    """The module's own name from the tick's "Group/Module". Both names may hold "/"
    ("CI/CD Modules/Deploy"), so the split is the one lookups make: the module the tick
    resolves to, else the "/" after which the rest follows a group of the roadmap. Without
    a roadmap to tell, the whole qualified name: longer, but never a wrong half."""
    if roadmap is None:
        return t.module
    module = resolve(roadmap, t)
    if module is not None:
        return module.name
    groups = {g.key for g in roadmap.groups}
    for i, ch in enumerate(t.module):
        if ch == "/" and normalize(t.module[:i]) in groups:
            return t.module[i + 1 :]
    return t.module


def _column(roadmap: Roadmap, column: str) -> str | None:
    return next((c for c in roadmap.columns if normalize(c) == normalize(column)), None)


def _in_order(outcomes: list[TickOutcome]) -> list[TickOutcome]:
    """People are told in the order they ticked."""
    return sorted(outcomes, key=lambda o: o.tick.id)


def _backoff(attempt: int) -> float:
    return min(5.0, 0.1 * 2**attempt) * (0.5 + random.random())


def _pr_number(url: str | None) -> int | None:
    tail = (url or "").rstrip("/").rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else None
