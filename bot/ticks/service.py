"""The tick service: record a tick, wake the applier, tell people what happened.

The applier runs in one background thread per process; across processes and instances the
applier lock (file lock, PostgreSQL advisory lock) keeps it to one at a time per repo. Ticks
left pending by a process that died are applied by the next run, on start-up or on the timer.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.config import Settings, TickMode
from bot.errors import SettingsError
from bot.repo.commit import Identity
from bot.repo.mirror import Mirror, local_path
from bot.store import ticks as store
from bot.store.ticks import Tick

from .applier import Applier, PullRequests, TickOutcome
from .permissions import TickPolicy, tick_policy

log = logging.getLogger(__name__)

Notify = Callable[[list[TickOutcome]], list[TickOutcome] | None]

WAITING_SECONDS = 1.0
# How long a stopping service lets the run in flight finish before ending its git. Under
# gunicorn's graceful_timeout (bot/slack/server.py), so the worker exits by itself.
STOP_SECONDS = 10.0
RETRY_MAX_SECONDS = 5.0  # a failed run is tried again after 0.5, 1, 2, 4, then every 5 s


def tick_mode(settings: Settings) -> TickMode | None:
    """TICK_MODE, or its default: pr with a GitHub token, local for a repo on this machine
    (and the bundled example), None (ticks off) for a remote without a token."""
    if settings.tick_mode:
        return settings.tick_mode
    if settings.github_token:
        return TickMode.PR
    if not settings.roadmap_repo or local_path(settings.roadmap_repo) is not None:
        return TickMode.LOCAL
    return None


def repo_key(settings: Settings) -> str:
    return f"{settings.roadmap_repo}#{settings.roadmap_branch}:{settings.roadmap_path}"


@dataclass
class TickService:
    engine: Engine
    applier: Applier
    policy: TickPolicy
    mode: TickMode
    # Tells people (bot.slack.tick_results.tell); returns the outcomes Slack accepted (None:
    # all of them). None: nobody to tell here (the CLI): news stays for a `serve` to tell.
    notify: Notify | None = None
    interval: float = 60.0
    _wake: threading.Event = field(default_factory=threading.Event)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _run_lock: threading.Lock = field(default_factory=threading.Lock)
    # Cards ask what is waiting on every /roadmap; a database query each time was most of a
    # card's cost. Kept for a second (other instances' ticks still show up quickly) and
    # dropped whenever this process records or applies a tick.
    _waiting: tuple[float, dict[str, dict[str, str]]] | None = None
    waiting_known: bool = True  # False while the store cannot say what is waiting
    version: int = 0  # changes whenever what is waiting changes: a key for cached cards
    # One thread, so people are told in the order their ticks were applied.
    _teller: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="tick-teller")
    )

    @property
    def repo(self) -> str:
        return self.applier.repo_key

    def record(self, *, key: str, **fields: object) -> tuple[Tick, bool]:
        """Record a tick once per key (a key is scoped to this repo)."""
        scoped = store.idempotency_key(self.repo, key)
        try:
            return store.record(self.engine, key=scoped, repo=self.repo, **fields)  # type: ignore[arg-type]  # fields are the typed keywords of store.record, passed through
        finally:
            self._waiting = None

    def pending_review(self) -> dict[str, dict[str, str]]:
        return store.pending_review(self.engine, self.repo)

    def waiting(self) -> dict[str, dict[str, str]]:
        """{module: {column: PR link or ""}} for every tick not yet landed: cards show them
        as pending rather than as done or open."""
        now = time.monotonic()
        cached = self._waiting
        if cached is not None and now - cached[0] < WAITING_SECONDS:
            return cached[1]
        found: dict[str, dict[str, str]] = {}
        known = True
        try:
            waiting = store.open_ticks(self.engine, self.repo)
        except SQLAlchemyError as err:
            known = False
            # The store is down: answer without the waiting ticks rather than not at all,
            # saying they are unknown (kept for a second too, so requests do not all wait).
            reason = str(getattr(err, "orig", None) or err).strip().splitlines()
            log.warning(
                "state store unreachable; answering without waiting ticks: %s",
                reason[0] if reason else "",
            )
            waiting = []
        for t in waiting:
            found.setdefault(t.module, {})[t.column] = t.pr_url or ""
        if cached is None or cached[1] != found or known != self.waiting_known:
            self.version += 1  # cached cards are drawn again (with or without the note)
        self.waiting_known = known
        self._waiting = (now, found)
        return found

    def run_now(self, tell_later: bool = False) -> list[TickOutcome]:
        """Apply what is open, tell people, return the outcomes (one run at a time here).
        `tell_later`: hand the telling to a thread of its own, so the next run (ticks that
        arrived meanwhile) need not wait for Slack to be told about this one."""
        with self._run_lock:
            outcomes = self.applier.run_once()
        self._waiting = None
        if self.notify is not None:
            # Told from the store, not from `outcomes`: news an earlier process recorded and
            # died before telling (on any instance) is told too, once.
            if tell_later:
                self._teller.submit(self.tell_news)
            else:
                self.tell_news()
        return outcomes

    def tell_news(self) -> int:
        """Tell whatever news of this repo's ticks is untold, holding the news lock (so two
        instances do not both tell it); mark told what Slack accepted. Returns how many."""
        if self.notify is None:
            return 0
        try:
            with store.news_lock(self.engine, self.repo):
                return self._tell_taken(self.notify, store.take_news(self.engine, self.repo))
        except SQLAlchemyError as err:
            log.warning("cannot read the ticks' news to tell (%s); told later", _first(err))
            return 0

    def _tell_taken(self, notify: Notify, taken: list[tuple[int, Tick, store.News]]) -> int:
        if not taken:
            return 0
        outcomes = [TickOutcome(t, n.state, n.detail, n.sha, n.url, n.module) for _, t, n in taken]
        news_id = {id(o): taken[i][0] for i, o in enumerate(outcomes)}
        try:
            accepted = notify(outcomes)
        except Exception:  # the change is made and recorded; the news is told on a later run
            log.exception("could not tell people about %d tick(s)", len(outcomes))
            return 0
        done = outcomes if accepted is None else accepted
        try:
            store.told(self.engine, [news_id[id(o)] for o in done if id(o) in news_id])
        except SQLAlchemyError as err:  # told, not marked: told again on a later run
            log.warning("could not mark %d tick(s) told (%s)", len(done), _first(err))
        return len(done)

    def submit(self) -> None:
        self._wake.set()

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="tick-applier", daemon=True)
            self._thread.start()

    def stop(self, grace: float = STOP_SECONDS) -> None:
        """Take no more work; let the run in flight finish for up to `grace` seconds, then end
        its git processes (the run stops, its ticks stay pending for the next start); tell
        whatever was recorded. Bounded, so a deploy's SIGTERM never waits on a hung push."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=grace)
            if self._thread.is_alive():
                log.warning("tick applier still busy after %g s; ending its git", grace)
                self.applier.mirror.git.close()
                self._thread.join(timeout=grace)
        self._teller.shutdown(wait=True)

    def _loop(self) -> None:
        self._wake.set()  # start-up: apply what a previous process left pending
        failures = 0
        while not self._stop.is_set():
            # After a failed run (the store or the repo unreachable) try again soon, not on
            # the interval: ticks waiting through an outage apply seconds after it ends.
            self._wake.wait(self.interval if not failures else retry_delay(failures))
            self._wake.clear()
            if self._stop.is_set():
                break
            try:
                self.run_now(tell_later=True)
                failures = 0
            except Exception as err:
                failures += 1
                if failures == 1:
                    log.exception("tick applier run failed; retrying")
                else:
                    first = str(err).strip().splitlines()[:1]
                    log.warning("tick applier run failed again (%s); retrying", *first or [""])


def _first(err: Exception) -> str:
    lines = str(getattr(err, "orig", None) or err).strip().splitlines()
    return lines[0][:200] if lines else type(err).__name__


def retry_delay(failures: int) -> float:
    """Seconds before the next try after `failures` failed runs in a row: short, growing."""
    return min(RETRY_MAX_SECONDS, 0.5 * 2 ** (failures - 1))


def build_tick_service(
    settings: Settings,
    engine: Engine,
    forge_factory: Callable[[], PullRequests] | None = None,
    people: Callable[[str], Identity | None] | None = None,
    commit_url: Callable[[str], str | None] | None = None,
    notify: Notify | None = None,
) -> TickService | None:
    """The service for the configured repo, or None when ticks are off. Raises SettingsError
    (one line naming the setting) for a bad tick configuration."""
    mode = tick_mode(settings)
    if mode is None or not settings.roadmap_repo:
        return None
    policy = tick_policy(settings.tick_allowed, mode)
    cache = Path(settings.cache_dir) if settings.cache_dir else None
    forge: PullRequests | None = None
    if mode == TickMode.PR:
        if not settings.github_token:
            raise SettingsError("setting GITHUB_TOKEN: TICK_MODE=pr opens pull requests on GitHub")
        forge = forge_factory() if forge_factory else _forge(settings)
    mirror = Mirror(
        settings.roadmap_repo, cache, token=settings.github_token, api_url=settings.github_api_url
    )
    applier = Applier(
        engine=engine,
        mirror=mirror,
        repo_key=repo_key(settings),
        branch=settings.roadmap_branch,
        path=settings.roadmap_path.strip("/"),
        mode=mode,
        bot=Identity(settings.tick_author_name, settings.tick_author_email),
        forge=forge,
        rebase=settings.tick_rebase,
        people=people or (lambda _u: None),
        commit_url=commit_url or (lambda _s: None),
    )
    return TickService(
        engine,
        applier,
        policy,
        mode,
        notify=notify,
        interval=settings.tick_interval_seconds,
    )


def _forge(settings: Settings) -> PullRequests:
    from bot.forge.github import Forge, repository_from_remote

    repository = settings.github_repository or repository_from_remote(settings.roadmap_repo or "")
    if not repository:
        raise SettingsError(
            "setting GITHUB_REPOSITORY: cannot tell owner/name from ROADMAP_REPO; set it"
        )
    return Forge(settings.github_token or "", repository, settings.github_api_url)
