"""Pull requests on GitHub through PyGithub, behind a handful of calls.

The git side (branches, commits, pushes) is done with real git elsewhere; this module only
opens, finds, updates and comments on the bot's pull request. Every call retries transient
faults itself (5xx, timeouts, dropped connections, rate limits) with bounded backoff through an
injectable ``sleep``, and PyGithub's own retry is switched off so the two never stack.
Failures surface as ``bot.errors.ForgeError``: one line for people, never containing the token.
"""

from __future__ import annotations

import email.utils
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
from github import Auth, Github, GithubException
from github.PullRequest import PullRequest as GhPullRequest
from github.Repository import Repository

from bot.errors import ForgeError

__all__ = ["Forge", "PullRequest", "repository_from_remote"]

DEFAULT_API_URL = "https://api.github.com"
# The REST API version the bot is written (and tested) against, sent on every call as
# X-GitHub-Api-Version so a newer default on GitHub's side cannot change an answer's shape.
API_VERSION = "2022-11-28"

_T = TypeVar("_T")
_NAME = r"[A-Za-z0-9_.-]+"
_REPOSITORY = re.compile(rf"({_NAME})/({_NAME})")
# A re-posted comment is recognised among the comments of the last few minutes; generous
# because GitHub's clock and ours may disagree.
_COMMENT_WINDOW_S = 600.0


@dataclass(frozen=True)
class PullRequest:
    """What the bot needs to know about a pull request."""

    number: int
    url: str  # html_url: the page people open
    state: str  # "open" | "closed"
    merged: bool
    head: str  # branch name
    base: str  # branch name
    title: str
    body: str
    # GitHub's verdict on merging, read from a single-pull GET only (lists do not carry it):
    # "dirty" = conflicts with the base, "behind" = the base's protection wants the branch
    # up to date, "clean"/"blocked"/"unstable"/"unknown"/None = nothing the bot must fix.
    mergeable_state: str | None = None

    @property
    def needs_update(self) -> bool:
        """GitHub will not merge it as it is: it conflicts, or must be up to date first."""
        return self.state == "open" and self.mergeable_state in ("dirty", "behind")


@dataclass(frozen=True)
class _Retry:
    """A transient fault: wait ``wait`` seconds; ``give_up`` is the message if we run out."""

    wait: float
    give_up: str
    status: int | None = None
    retry_after: float | None = None


class Forge:
    """The bot's pull requests in one GitHub repository (``owner/name``)."""

    def __init__(
        self,
        token: str,
        repository: str,
        api_url: str = DEFAULT_API_URL,
        *,
        retries: int = 5,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        seconds_between_requests: float | None = 0.25,
        seconds_between_writes: float | None = 1.0,
        timeout: int = 15,
        max_wait: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """``retries``: further attempts after the first. Waits double from ``backoff``
        seconds; a rate limit that asks for longer than ``max_wait`` seconds is not slept
        through but raised at once (``ForgeError.retry_after``) so the caller can come back
        later instead of holding its lock. ``clock`` reads X-RateLimit-Reset against now.
        """
        self._token = token
        if not token or not token.strip():
            raise self._error("no GitHub token: set GITHUB_TOKEN")
        if not _REPOSITORY.fullmatch(repository or ""):
            raise self._error(f"GitHub repository must look like owner/name, got {repository!r}")
        parts = urlsplit(api_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            shown = re.sub(r"//[^/@]*@", "//", api_url)  # no userinfo: it may hold a secret
            raise self._error(f"GitHub API URL must be http(s)://host[/path], got {shown!r}")
        self.repository = repository
        self.owner = repository.split("/")[0]
        # Shown in messages: host and port only, never userinfo from a pasted URL.
        self.api_host = parts.hostname + (f":{parts.port}" if parts.port else "")
        self._retries = max(0, retries)
        self._backoff = backoff
        self._sleep = sleep
        self._timeout = timeout
        self._max_wait = max_wait
        self._clock = clock
        self._repo: Repository | None = None
        self._github = Github(
            auth=Auth.Token(token),
            base_url=api_url.rstrip("/"),
            timeout=timeout,  # whole seconds: PyGithub asserts an int
            # Ours is the only retry: PyGithub's default would re-POST after a 5xx on its own
            # and stack its waits on top of ours.
            retry=None,
            seconds_between_requests=seconds_between_requests,
            seconds_between_writes=seconds_between_writes,
            # Objects are fetched only when read, so an edit or a comment is one request.
            lazy=True,
            user_agent="roadmap-bot",
            api_version=API_VERSION,
        )

    # -- public calls ------------------------------------------------------------------------

    def open_pull(self, head: str, base: str) -> PullRequest | None:
        """The open pull request from branch ``head`` (of this repository) into ``base``."""
        repo = self._repository()

        def find() -> PullRequest | None:
            found = repo.get_pulls(state="open", head=f"{self.owner}:{head}", base=base)
            for pr in found:
                # GitHub silently ignores a head filter it cannot parse and lists everything.
                if pr.head.ref == head and pr.base.ref == base:
                    return _pull(pr)
            return None

        return self._call(f"looking up the pull request from {head} into {base}", find)

    def ensure_pull(self, head: str, base: str, title: str, body: str) -> PullRequest:
        """Open the pull request from ``head`` into ``base``, or update the open one.

        Idempotent: a create that GitHub carried out but answered with a 5xx or a timeout is
        retried, answered 422 "already exists", and resolved by looking the pull request up.
        """
        existing = self.open_pull(head, base)
        if existing is None:
            repo = self._repository()

            def create() -> PullRequest | None:
                try:
                    return _pull(repo.create_pull(base=base, head=head, title=title, body=body))
                except GithubException as exc:
                    if exc.status == 422 and _already_exists(exc):
                        return None
                    raise

            action = f"opening a pull request from {head} into {base}"
            created = self._call(action, create)
            if created is not None:
                return created
            # Someone (our own earlier attempt, or another instance) got there first.
            existing = self.open_pull(head, base)
            if existing is None:
                raise self._error(
                    f"GitHub says a pull request from {head} into {base} already exists "
                    f"in {self.repository}, but none is open",
                    status=422,
                )
        if existing.title == title and existing.body == body:
            return existing
        return self.update_pull(existing.number, title, body)

    def update_pull(self, number: int, title: str, body: str) -> PullRequest:
        repo = self._repository()

        def edit() -> PullRequest:
            pr = repo.get_pull(number)
            pr.edit(title=title, body=body)
            return _pull(pr)

        return self._call(
            f"updating pull request #{number}", edit, not_found=self._pull_not_found(number)
        )

    def get_pull(self, number: int) -> PullRequest:
        repo = self._repository()
        return self._call(
            f"reading pull request #{number}",
            lambda: _pull(repo.get_pull(number), full=True),
            not_found=self._pull_not_found(number),
        )

    def comment(self, number: int, text: str, *, once: str | None = None) -> bool:
        """Comment on pull request ``number``; a retry never posts the same comment twice.
        ``once``: a marker (kept in the text, e.g. an HTML comment): nothing is posted when
        a comment holding it is already there, whoever posted it and whenever. True when
        this call posted."""
        repo = self._repository()
        since = datetime.fromtimestamp(self._clock() - _COMMENT_WINDOW_S, UTC)
        attempted = False
        posted = False

        def post() -> None:
            nonlocal attempted, posted
            issue = repo.get_issue(number)
            if once is not None and any(once in (c.body or "") for c in issue.get_comments()):
                return
            # A POST that failed with a 5xx or a timeout may still have been carried out.
            if attempted and any(c.body == text for c in issue.get_comments(since=since)):
                return
            attempted = True
            issue.create_comment(text)
            posted = True

        self._call(
            f"commenting on pull request #{number}", post, not_found=self._pull_not_found(number)
        )
        return posted

    def close(self) -> None:
        """Release the HTTP connections."""
        self._github.close()

    def __enter__(self) -> Forge:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Forge({self.repository!r} at {self.api_host})"

    # -- plumbing ----------------------------------------------------------------------------

    def _repository(self) -> Repository:
        """The repository, read once: its 404 is the clearest "wrong name or no access"."""
        if self._repo is None:

            def load() -> Repository:
                repo = self._github.get_repo(self.repository)
                repo.complete()
                return repo

            self._repo = self._call(
                f"reading repository {self.repository}",
                load,
                not_found=f"repository {self.repository} not found or not visible to the token",
            )
        return self._repo

    def _pull_not_found(self, number: int) -> str:
        return f"pull request #{number} not found in {self.repository}"

    def _call(self, action: str, fn: Callable[[], _T], *, not_found: str | None = None) -> _T:
        """Run ``fn``, retrying transient faults; anything else becomes a ForgeError."""
        attempts = self._retries + 1
        retry: _Retry | None = None
        last: BaseException | None = None
        for attempt in range(1, attempts + 1):
            try:
                return fn()
            except GithubException as exc:
                retry, last = self._classify(exc, action, attempt, not_found), exc
            except requests.exceptions.Timeout as exc:
                retry = _Retry(
                    self._delay(attempt),
                    f"GitHub did not answer within {self._timeout} s while {action}",
                )
                last = exc
            except requests.exceptions.SSLError as exc:
                raise self._error(
                    f"TLS with {self.api_host} failed while {action}: check GITHUB_API_URL"
                ) from exc
            except (
                requests.exceptions.ConnectionError,
                requests.exceptions.ChunkedEncodingError,
            ) as exc:
                retry = _Retry(
                    self._delay(attempt), f"could not reach GitHub at {self.api_host} ({action})"
                )
                last = exc
            if attempt < attempts:
                self._sleep(retry.wait)
        assert retry is not None
        raise self._error(
            f"{retry.give_up}; gave up after {attempts} attempt{'s' if attempts > 1 else ''}",
            status=retry.status,
            retry_after=retry.retry_after,
            transient=True,
        ) from last

    def _classify(
        self, exc: GithubException, action: str, attempt: int, not_found: str | None
    ) -> _Retry:
        """A retry plan for a transient GitHub error; raises ForgeError for the rest."""
        status = exc.status
        message = _github_message(exc)
        wait = self._rate_limit_wait(exc)
        if wait is not None:
            seconds = math.ceil(wait)
            if wait > self._max_wait:
                # Too long to hold the applier's lock: tell the caller when to come back.
                raise self._error(
                    f"GitHub rate limit: retry after {seconds} s ({action})",
                    status=status,
                    retry_after=wait,
                    transient=True,
                ) from exc
            return _Retry(
                wait,
                f"GitHub rate limit: retry after {seconds} s (still limited while {action})",
                status=status,
                retry_after=wait,
            )
        if status >= 500:
            return _Retry(
                self._delay(attempt), f"GitHub kept failing ({status}) while {action}", status
            )
        if status == 401:
            raise self._error(
                f"GitHub refused the token (401) while {action}: check GITHUB_TOKEN",
                status=status,
            ) from exc
        if status == 404 and not_found is not None:
            raise self._error(not_found, status=status) from exc
        if status == 403:
            if "not accessible by integration" in message.lower():
                # A GitHub App or fine-grained token without the permission: name it.
                raise self._error(
                    f"GitHub denied {action} (403): {message}; GITHUB_TOKEN needs the "
                    f"pull_requests: write permission on {self.repository}",
                    status=status,
                ) from exc
            raise self._error(
                f"GitHub denied {action} (403): {message or 'forbidden'}; "
                f"the token may lack access to {self.repository}",
                status=status,
            ) from exc
        raise self._error(
            f"GitHub refused {action} ({status}): {message or 'no reason given'}", status=status
        ) from exc

    def _rate_limit_wait(self, exc: GithubException) -> float | None:
        """Seconds to wait if ``exc`` is a rate limit, per GitHub's documented headers."""
        if exc.status not in (403, 429):
            return None
        headers = {k.lower(): str(v) for k, v in (exc.headers or {}).items()}
        retry_after = _parse_retry_after(headers.get("retry-after"), self._clock())
        if retry_after is not None:
            return retry_after
        if headers.get("x-ratelimit-remaining") == "0" and "x-ratelimit-reset" in headers:
            try:
                reset = float(headers["x-ratelimit-reset"])
            except ValueError:
                reset = None
            if reset is not None:
                # +1: the reset is "after" that second, and clocks differ a little.
                return max(0.0, reset - self._clock()) + 1.0
        message = (_github_message(exc) or "").lower()
        if exc.status == 429 or "rate limit" in message:
            # GitHub's advice when it gives no header: wait at least a minute.
            return max(60.0, self._backoff)
        return None

    def _delay(self, attempt: int) -> float:
        return min(self._backoff * 2 ** (attempt - 1), self._max_wait)

    def _error(
        self,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        transient: bool = False,
    ) -> ForgeError:
        # One line, and the token scrubbed even if some message ever echoed it.
        text = " ".join(message.split())
        if self._token:
            text = text.replace(self._token, "[token]")
        return ForgeError(text, status=status, retry_after=retry_after, transient=transient)


def _pull(pr: GhPullRequest, *, full: bool = False) -> PullRequest:
    """``full``: ``pr`` came from the single-pull endpoint, so mergeable_state is there to
    read (on a list item, reading it would cost a GET)."""
    return PullRequest(
        number=pr.number,
        url=pr.html_url,
        state=pr.state,
        # merged_at is in list items too; `merged` is not, and reading it would cost a GET.
        merged=pr.merged_at is not None,
        head=pr.head.ref,
        base=pr.base.ref,
        title=pr.title or "",
        body=pr.body or "",
        mergeable_state=pr.mergeable_state if full else None,
    )


def _github_message(exc: GithubException) -> str:
    """GitHub's message plus the messages of its validation errors, on one line."""
    data: Any = exc.data
    if not isinstance(data, dict):
        return ""
    parts = [str(data.get("message") or "")]
    for error in data.get("errors") or []:
        if isinstance(error, dict):
            detail = error.get("message") or " ".join(
                str(error[k]) for k in ("field", "code") if error.get(k)
            )
            if detail:
                parts.append(str(detail))
        elif error:
            parts.append(str(error))
    return ": ".join(p for p in parts if p)


def _already_exists(exc: GithubException) -> bool:
    return "a pull request already exists" in _github_message(exc).lower()


def _parse_retry_after(value: str | None, now: float) -> float | None:
    """Retry-After is delta-seconds or an HTTP date (RFC 9110)."""
    if value is None or not value.strip():
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


# user@host:path; a one-letter "host" is a Windows drive, not a remote.
_SCP_LIKE = re.compile(r"^(?:[^@/\s]+@)?[^:/\s]{2,}:(?!//)(?P<path>.+)$")


def repository_from_remote(url: str) -> str | None:
    """``owner/name`` from a git remote URL of github.com or a GitHub Enterprise host.

    Accepts https/http/ssh/git URLs (``https://github.com/o/n(.git)``,
    ``ssh://git@ghe.example.com:2222/o/n.git``) and scp-like ``git@github.com:o/n.git``.
    Anything else (local paths, file URLs, nested GitLab groups) is None.
    """
    text = (url or "").strip()
    if not text:
        return None
    if "://" in text:
        parts = urlsplit(text)
        if parts.scheme not in ("http", "https", "ssh", "git", "git+ssh", "ssh+git"):
            return None
        if not parts.hostname:
            return None
        path = parts.path
    else:
        match = _SCP_LIKE.match(text)
        if match is None:
            return None
        path = match["path"]
    path = path.strip("/")
    path = path.removesuffix(".git").rstrip("/")
    found = _REPOSITORY.fullmatch(path)
    if found is None or found[2] in (".", "..") or found[1] in (".", ".."):
        return None
    return f"{found[1]}/{found[2]}"
