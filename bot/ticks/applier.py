"""Apply recorded ticks to the roadmap repo, one applier per repo at a time.

direct / local: one commit per tick on the branch, pushed together; a rejected push means
the branch moved: fetch, re-apply every tick on the new tip, try again (bounded, backoff).

pr: the ticks roll into one bot branch per roadmap file and one open pull request. The branch
is regenerated from the current base with every tick still waiting re-applied (the way
Renovate regenerates its branches; no text rebase) and pushed with --force-with-lease.
A bot branch a person has committed to is left alone, and the person ticking is told.
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
    PushRejected,
    authors_since,
    bot_branch,
    merge_base_is,
    push,
)
from bot.repo.mirror import GitFailed, Mirror
from bot.roadmap.edit import set_cell
from bot.roadmap.model import Module, Roadmap, normalize
from bot.roadmap.parse import decode, parse
from bot.store import ticks as store
from bot.store.ticks import Tick, TickState

if TYPE_CHECKING:  # PyGithub is imported only where a forge is made
    from bot.forge.github import PullRequest

log = logging.getLogger(__name__)

GIVE_UP_SECONDS = 3600.0  # a tick kept pending through outages fails after this long


class PullRequests(Protocol):
    """What the applier needs of the forge (bot.forge.github.Forge provides it)."""

    def ensure_pull(self, head: str, base: str, title: str, body: str) -> PullRequest: ...
    def get_pull(self, number: int) -> PullRequest: ...
    def comment(self, number: int, text: str) -> None: ...


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
            except (GitError, ForgeError) as err:
                outcomes = self._setback(waiting, err)
            for o in outcomes:
                extra = (
                    {"pr_url": o.url, "pr_number": _pr_number(o.url)}
                    if self.mode == TickMode.PR
                    else {}
                )
                store.mark(
                    self.engine,
                    o.tick.id,
                    o.state,
                    sha=o.sha,
                    error=o.detail if o.state in (store.FAILED, store.PENDING) else None,
                    **extra,
                )
            # Only news goes back to people: a tick still waiting in the same PR is not news.
            return [o for o in outcomes if o.tick.state == store.PENDING or o.state != o.tick.state]

    # --- direct and local ------------------------------------------------------------------

    def _direct(self, pending: list[Tick]) -> list[TickOutcome]:
        if not pending:
            return []
        for attempt in range(self.attempts):
            self.mirror.fetch(self.branch)
            tip, text, roadmap = self._read(self.branch)
            with Chain(self.mirror, tip, self.path) as chain:
                outcomes, last = self._apply(chain, text, roadmap, pending, store.APPLIED)
            if last == tip:
                return outcomes
            try:
                push(self.mirror, last, self.branch)
                return outcomes
            except PushRejected as err:
                log.info("push to %s rejected (%s); re-applying on the new tip", self.branch, err)
                self.sleep(_backoff(attempt))
        return [
            TickOutcome(t, store.FAILED, f"the branch {self.branch} kept moving; try again")
            for t in pending
        ]

    def _apply(
        self, chain: Chain, text: str, roadmap: Roadmap, items: list[Tick], done_state: TickState
    ) -> tuple[list[TickOutcome], str]:
        """Each tick as its own commit on `chain`, except ticks asked for together (one
        batch: "Tick all N ready"), which become one commit listing every cell. Cell
        positions stay valid across the edits: a tick replaces one character with one."""
        outcomes: list[TickOutcome] = []
        commits: list[list[int]] = []  # per commit queued, the outcomes it carries
        for together in _batches(items):
            made: list[int] = []
            for t in together:
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
                made.append(len(outcomes))
                outcomes.append(TickOutcome(t, done_state, edit.message, module=name))
            if made:
                message = self._message(together[0], [outcomes[i].detail for i in made])
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
        transient = isinstance(err, GitFailed) or getattr(err, "transient", False)
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

    def _message(self, t: Tick, summaries: list[str]) -> str:
        """One commit's message: its one change, or every cell of a batch, one a line."""
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
        person = self.people(t.user_id)
        if person is not None and person.email:
            lines += ["", f"Co-authored-by: {person.name} <{person.email}>"]
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
        head = self._bot_branch
        for attempt in range(self.attempts):
            self.mirror.fetch(self.branch)
            base_tip, text, roadmap = self._read(self.branch)
            bot_tip = self._fetch_bot_branch(head)
            if bot_tip is not None:
                humans = [
                    a for a in authors_since(self.mirror, base_tip, bot_tip) if a != self.bot.email
                ]
                if humans:
                    refused = [t for t in waiting if t.state == store.PENDING]
                    self._say_on_pull(waiting, refused, roadmap)
                    note = (
                        f"someone committed to the bot branch {head} by hand, so the bot "
                        "leaves it alone; merge or close its pull request, then tick again"
                    )
                    return [
                        TickOutcome(t, store.FAILED, note, module=module_name(t, roadmap))
                        for t in refused
                    ]
            outcomes: list[TickOutcome] = []
            keep: list[Tick] = []
            self._pulls: dict[int, PullRequest] = {}
            for t in waiting:
                closed = self._closed_unmerged(t)
                if closed:
                    name = module_name(t, roadmap)
                    outcomes.append(TickOutcome(t, store.CLOSED, closed, url=t.pr_url, module=name))
                else:
                    keep.append(t)
            with Chain(self.mirror, base_tip, self.path) as chain:
                applied, last = self._apply(chain, text, roadmap, keep, store.IN_PR)
            for o in applied:
                if o.state == store.NOOP and o.tick.state == store.IN_PR:
                    # Its change is on the base now: the PR (or a person) landed it.
                    landed = f"{o.detail.split(' is ')[0]} landed"
                    outcomes.append(
                        replace(o, state=store.MERGED, detail=landed, url=o.tick.pr_url)
                    )
                else:
                    outcomes.append(o)
            on_branch = [o for o in outcomes if o.state == store.IN_PR]
            if not on_branch:
                return outcomes
            if not self._needs_push(waiting, base_tip, bot_tip):
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
            pr = self.forge.ensure_pull(
                head, self.branch, _pr_title(on_branch), _pr_body(on_branch)
            )
            url = pr.url
            return [replace(o, url=url) if o.state == store.IN_PR else o for o in outcomes]
        return [
            TickOutcome(t, store.FAILED, f"the bot branch {head} kept moving; try again")
            for t in waiting
            if t.state == store.PENDING
        ]

    def _say_on_pull(self, waiting: list[Tick], refused: list[Tick], roadmap: Roadmap) -> None:
        """Tell the pull request's reviewers too: the ticks refused wait for them."""
        number = next(
            (t.pr_number for t in waiting if t.state == store.IN_PR and t.pr_number), None
        )
        if number is None or not refused or self.forge is None:
            return
        asks = ", ".join(f"{module_name(t, roadmap)} / {t.column}" for t in refused)
        try:
            self.forge.comment(
                number,
                "roadmap-bot: someone committed to this branch by hand, so the bot leaves it "
                f"alone. Ticks asked for in Slack and not added: {asks}. Merge or close this "
                "pull request and they can be ticked again.",
            )
        except Exception as err:  # the comment is a courtesy; the person in Slack is told anyway
            log.warning("could not comment on pull request #%s: %s", number, err)

    def _fetch_bot_branch(self, head: str) -> str | None:
        try:
            self.mirror.fetch(head)
        except (GitError, SettingsError):
            return None  # not there (never made, or deleted by hand): regenerate it
        commit = self.mirror.commit(head)
        return commit.sha if commit else None

    def _closed_unmerged(self, t: Tick) -> str | None:
        if t.state != store.IN_PR or not t.pr_number or self.forge is None:
            return None
        pr = self._pulls.get(t.pr_number)
        if pr is None:
            pr = self._pulls[t.pr_number] = self.forge.get_pull(t.pr_number)
        if pr.state == "closed" and not pr.merged:
            return f"pull request #{t.pr_number} was closed without merging; the tick was dropped"
        return None

    def _needs_push(self, waiting: list[Tick], base_tip: str, bot_tip: str | None) -> bool:
        """Regenerate only when something changed: new ticks, a moved base, a lost branch.
        Otherwise every run would force-push new SHAs of the same change."""
        if bot_tip is None or any(t.state == store.PENDING for t in waiting):
            return True
        return not merge_base_is(self.mirror, base_tip, bot_tip)


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


def _backoff(attempt: int) -> float:
    return min(5.0, 0.1 * 2**attempt) * (0.5 + random.random())


def _pr_number(url: str | None) -> int | None:
    tail = (url or "").rstrip("/").rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else None


def _pr_title(items: list[TickOutcome]) -> str:
    if len(items) == 1:
        return f"Roadmap: {items[0].detail}"
    return f"Roadmap: {len(items)} changes from Slack"


def _pr_body(items: list[TickOutcome]) -> str:
    lines = [
        "Changes asked for in Slack through roadmap-bot, one commit each. This branch is",
        "regenerated from the base whenever the base moves or a new tick arrives; commit to it",
        "by hand and the bot leaves it alone.",
        "",
    ]
    for o in items:
        t = o.tick
        box = "x" if t.done else " "
        module = o.module_name
        where = where_asked(t)
        who = t.user_name or t.user_id
        lines.append(f"- [{box}] **{module}** / {t.column}: {t.verb} asked by {who} in {where}")
    return "\n".join(lines) + "\n"
