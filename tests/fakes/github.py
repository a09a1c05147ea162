"""A fake GitHub REST API: a real HTTP server on 127.0.0.1 that keeps pull requests in memory.

    with FakeGitHub(token="ghp_test", repository="acme/docs") as gh:
        forge = Forge("ghp_test", "acme/docs", gh.url,
                      seconds_between_requests=None, seconds_between_writes=None)
        forge.ensure_pull("roadmap-bot/docs", "main", "Roadmap ticks", "...")
        assert [p["title"] for p in gh.pulls.values()] == ["Roadmap ticks"]

What it serves (under ``gh.url``, which is ``http://127.0.0.1:PORT`` plus the optional
``prefix``, e.g. ``"/api/v3"`` as on GitHub Enterprise Server):

- ``GET /repos/{owner}/{repo}``
- ``GET /repos/{owner}/{repo}/pulls?state=&head=&base=&page=&per_page=`` (paginated with a
  ``Link`` header). Like GitHub, a ``head`` filter that is not ``owner:branch`` is ignored.
- ``POST /repos/{owner}/{repo}/pulls``: 201, or 422 "A pull request already exists for
  owner:branch." when an open pull request has the same head and base.
- ``GET`` / ``PATCH /repos/{owner}/{repo}/pulls/{n}`` (title, body, state, base)
- ``GET /repos/{owner}/{repo}/issues/{n}``, ``GET`` / ``POST .../issues/{n}/comments``
  (``since`` honoured)
- ``PUT /repos/{owner}/{repo}/pulls/{n}/merge`` (``merge_method`` merge or squash) and
  ``DELETE /repos/{owner}/{repo}/git/refs/heads/{branch}``: these need ``git_dir``, the bare
  repository the fake stands in front of; merging writes the merge or squash commit on the
  base there, as GitHub does, and ``delete_branch_on_merge`` deletes the head branch after.
  With ``git_dir`` a single pull's ``mergeable_state`` is worked out from the repository:
  "dirty" when head and base conflict, "behind" when the base is in ``require_up_to_date``
  and the head lacks its tip, else "clean".

``X-GitHub-Api-Version`` is read like GitHub reads it: absent means 2022-11-28, a version the
fake does not know is answered 400; ``Request.api_version`` is what the request sent.

Every ``url`` in its JSON points back at the fake, because PyGithub follows them. Each request
needs ``Authorization: token <token>`` or ``Bearer <token>``; otherwise 401 "Bad credentials".
Every request is recorded in ``gh.requests``. Faults are injected with ``fail_next`` (any
status, headers and body; ``apply_first=True`` carries the request out before answering with
the fault, like a gateway that fails after the backend did the work) and ``delay_next``.
"""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from tests.support.git import GIT_ENV

from .server import FakeServer, QuietHandler

DEFAULT_TOKEN = "ghp_fakeTokenForTests0123456789abcdef"
DEFAULT_REPOSITORY = "acme/docs"
DOCS = "https://docs.github.com/rest"
API_VERSIONS = ("2022-11-28",)  # the versions GitHub's REST API answers to
# Who GitHub writes a merge or squash commit as, in the fake.
MERGER = {
    "GIT_AUTHOR_NAME": "Mona Merger",
    "GIT_AUTHOR_EMAIL": "mona@example.com",
    "GIT_COMMITTER_NAME": "GitHub",
    "GIT_COMMITTER_EMAIL": "noreply@github.com",
}

_JSON = dict[str, Any]


@dataclass(frozen=True)
class Request:
    """One request the fake received, as it arrived, with the status it was answered with."""

    method: str
    path: str  # without the prefix and the query string
    query: dict[str, str]
    json: Any
    headers: dict[str, str]  # header names lower-cased
    status: int

    @property
    def api_version(self) -> str | None:
        """The X-GitHub-Api-Version the request sent (None: it sent none)."""
        return self.headers.get("x-github-api-version")


@dataclass
class _Fault:
    method: str
    pattern: re.Pattern[str]
    status: int | None  # None: answer normally (a pure delay)
    headers: dict[str, str]
    body: Any
    delay: float
    apply_first: bool
    times: int

    def matches(self, method: str, path: str) -> bool:
        return self.method in ("*", method) and self.pattern.search(path) is not None


class _Answer(Exception):
    """Raised inside a route to answer with an error status."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


def _error(status: int, message: str, **extra: Any) -> _Answer:
    return _Answer(status, {"message": message, **extra, "documentation_url": DOCS})


def _invalid(resource: str, code: str, field: str | None = None, message: str = "") -> _Answer:
    """GitHub's 422 "Validation Failed", with one error: a field's `code` (missing_field,
    invalid), or a `custom` one with its `message`."""
    error = {"resource": resource, "code": code}
    if field is not None:
        error["field"] = field
    if message:
        error["message"] = message
    return _error(422, "Validation Failed", errors=[error])


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class FakeGitHub(FakeServer):
    """A fake GitHub REST API server for one repository; see the module docstring."""

    thread_name = "fake-github"

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        repository: str = DEFAULT_REPOSITORY,
        prefix: str = "",
        default_branch: str = "main",
        git_dir: Path | None = None,
    ) -> None:
        self.token = token
        self.git_dir = git_dir
        self.delete_branch_on_merge = False  # the repository setting of that name
        self.require_up_to_date: set[str] = set()  # base branches protected "strict"
        self.owner, self.name = repository.split("/")
        self.prefix = prefix.rstrip("/")
        self.default_branch = default_branch
        self.requests: list[Request] = []
        self.pulls: dict[int, _JSON] = {}
        self.comments: dict[int, list[_JSON]] = {}
        self._faults: list[_Fault] = []
        self._numbers = itertools.count(1)
        self._comment_ids = itertools.count(1001)
        self._lock = threading.RLock()
        self._recorded = threading.Condition(self._lock)
        self._stopping = threading.Event()

    # -- lifecycle (start, stop, port, root: FakeServer) -------------------------------------

    def handler(self) -> type[BaseHTTPRequestHandler]:
        return _handler_for(self)

    def started(self) -> None:
        self._stopping.clear()

    def stopping(self) -> None:
        # Wake delayed handlers so they do not outlive the test.
        self._stopping.set()

    @property
    def url(self) -> str:
        """The API base URL (GITHUB_API_URL): ``root`` plus ``prefix``, no trailing slash."""
        return f"{self.root}{self.prefix}"

    @property
    def repository(self) -> str:
        return f"{self.owner}/{self.name}"

    # -- configuration -----------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        path_regex: str,
        status: int,
        headers: Mapping[str, str] | None = None,
        body: Any = None,
        times: int = 1,
        *,
        apply_first: bool = False,
        delay: float = 0.0,
    ) -> None:
        """Answer the next ``times`` matching requests with ``status``.

        ``method`` is an HTTP method or ``"*"``; ``path_regex`` is searched in the path without
        the prefix and query string. ``body``: dict/list sent as JSON, str/bytes as is, None
        for a GitHub-shaped default for the status. A 2xx status with a body replaces the
        normal answer. ``apply_first`` carries the request out (state changes stick) before
        answering with the fault. ``delay`` seconds pass before the answer.
        """
        self._add_fault(method, path_regex, status, headers, body, times, apply_first, delay)

    def delay_next(
        self,
        method: str,
        path_regex: str,
        seconds: float,
        times: int = 1,
        *,
        apply_first: bool = False,
    ) -> None:
        """Wait ``seconds`` before handling the next ``times`` matching requests (timeouts).

        By default the request is carried out after the wait; ``apply_first`` carries it out
        before, so a client that timed out finds its change already made.
        """
        self._add_fault(method, path_regex, None, None, None, times, apply_first, seconds)

    def _add_fault(
        self,
        method: str,
        path_regex: str,
        status: int | None,
        headers: Mapping[str, str] | None,
        body: Any,
        times: int,
        apply_first: bool,
        delay: float,
    ) -> None:
        fault = _Fault(
            method=method.upper(),
            pattern=re.compile(path_regex),
            status=status,
            headers=dict(headers or {}),
            body=body,
            delay=delay,
            apply_first=apply_first,
            times=times,
        )
        with self._lock:
            self._faults.append(fault)

    def add_pull(
        self,
        head: str,
        base: str | None = None,
        title: str = "A pull request",
        body: str = "",
        *,
        state: str = "open",
        merged: bool = False,
        user: str | None = None,
    ) -> _JSON:
        """Seed a pull request directly (no request recorded); returns its stored state."""
        with self._lock:
            pull = self._new_pull(head, base or self.default_branch, title, body, user)
            if state == "closed":
                self.close_pull(pull["number"], merged=merged)
            return pull

    def close_pull(self, number: int, merged: bool = False) -> None:
        """Close a pull request, as a person would on GitHub, merging it if ``merged``."""
        with self._lock:
            pull = self.pulls[number]
            now = _now()
            pull.update(state="closed", closed_at=now, updated_at=now, merged=merged)
            pull["merged_at"] = now if merged else None

    def merge_pull(self, number: int, method: str = "squash", title: str | None = None) -> str:
        """Merge a pull request as the merge button does (needs ``git_dir``): a squash
        commit (one parent, the PR's whole change) or a merge commit on the base; the head
        branch is deleted after when ``delete_branch_on_merge``. Returns the new base tip."""
        with self._lock:
            pull = self.pulls[number]
            if pull["state"] != "open":
                raise _error(405, "Pull Request is not mergeable")
            if method not in ("merge", "squash"):
                raise _invalid("PullRequest", "invalid", "merge_method")
            base, head = pull["base"], pull["head"]
            base_tip, head_tip = self._sha(base), self._sha(head)
            if base_tip is None or head_tip is None:
                raise _error(422, "Head branch was modified. Review and try the merge again.")
            tree = self._merged_tree(base_tip, head_tip)
            if tree is None:
                raise _error(405, "Pull Request is not mergeable")
            subject = title or f"{pull['title']} (#{number})"
            parents = ["-p", base_tip] + (["-p", head_tip] if method == "merge" else [])
            made = self._git("commit-tree", tree, *parents, "-m", subject).strip()
            self._git("update-ref", f"refs/heads/{base}", made, base_tip)
            self.close_pull(number, merged=True)
            if self.delete_branch_on_merge:
                self.delete_branch(head)
            return made

    def delete_branch(self, branch: str) -> None:
        """Delete a branch of ``git_dir``, as the branch's trash can (or the setting) does."""
        with self._lock:
            if self._sha(branch) is None:
                raise _invalid("Reference", "custom", message="Reference does not exist")
            self._git("update-ref", "-d", f"refs/heads/{branch}")

    def clear(self) -> None:
        """Forget recorded requests and pending faults (state is kept)."""
        with self._lock:
            self.requests.clear()
            self._faults.clear()

    # -- inspection --------------------------------------------------------------------------

    def requests_to(self, method: str, path_regex: str) -> list[Request]:
        pattern = re.compile(path_regex)
        with self._lock:
            return [
                r
                for r in self.requests
                if method.upper() in ("*", r.method) and pattern.search(r.path)
            ]

    def wait_for(
        self, method: str, path_regex: str, count: int = 1, timeout: float = 5.0
    ) -> list[Request]:
        """Wait until ``count`` matching requests have been answered (a delayed request is
        recorded only when its answer goes out); return them."""
        deadline = time.monotonic() + timeout
        with self._recorded:
            while len(found := self.requests_to(method, path_regex)) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"expected {count} {method} {path_regex} request(s), got {len(found)}"
                    )
                self._recorded.wait(left)
            return found

    def open_pulls(self) -> list[_JSON]:
        with self._lock:
            return [p for p in self.pulls.values() if p["state"] == "open"]

    def pull_json(self, number: int, *, full: bool = True) -> _JSON:
        """The JSON GitHub would send for a pull request (``full=False``: as in a list)."""
        with self._lock:
            return self._pull_json(self.pulls[number], full=full)

    # -- JSON rendering ----------------------------------------------------------------------

    def _api(self, path: str) -> str:
        return f"{self.url}{path}"

    def _user_json(self, login: str) -> _JSON:
        return {
            "login": login,
            "id": abs(hash(login)) % 100_000,
            "type": "Organization" if login == self.owner else "User",
            "site_admin": False,
            "url": self._api(f"/users/{login}"),
            "html_url": f"{self.root}/{login}",
        }

    def _repo_json(self) -> _JSON:
        base = self._api(f"/repos/{self.owner}/{self.name}")
        return {
            "id": 4242,
            "name": self.name,
            "full_name": self.repository,
            "owner": self._user_json(self.owner),
            "private": True,
            "fork": False,
            "default_branch": self.default_branch,
            "url": base,
            "html_url": f"{self.root}/{self.repository}",
            "pulls_url": f"{base}/pulls{{/number}}",
            "issues_url": f"{base}/issues{{/number}}",
            "issue_comment_url": f"{base}/issues/comments{{/number}}",
            "permissions": {"admin": False, "push": True, "pull": True},
        }

    def _part_json(self, branch: str) -> _JSON:
        return {
            "label": f"{self.owner}:{branch}",
            "ref": branch,
            "sha": self._sha(branch) or "0" * 40,
            "user": self._user_json(self.owner),
            "repo": self._repo_json(),
        }

    def _pull_json(self, pull: _JSON, *, full: bool) -> _JSON:
        n = pull["number"]
        repo = self._api(f"/repos/{self.owner}/{self.name}")
        data: _JSON = {
            "id": 90_000 + n,
            "number": n,
            "state": pull["state"],
            "locked": False,
            "title": pull["title"],
            "body": pull["body"],
            "user": self._user_json(pull["user"]),
            "draft": pull["draft"],
            "created_at": pull["created_at"],
            "updated_at": pull["updated_at"],
            "closed_at": pull["closed_at"],
            "merged_at": pull["merged_at"],
            "head": self._part_json(pull["head"]),
            "base": self._part_json(pull["base"]),
            "url": f"{repo}/pulls/{n}",
            "html_url": f"{self.root}/{self.repository}/pull/{n}",
            "issue_url": f"{repo}/issues/{n}",
            "comments_url": f"{repo}/issues/{n}/comments",
            "review_comments_url": f"{repo}/pulls/{n}/comments",
            "commits_url": f"{repo}/pulls/{n}/commits",
            "statuses_url": f"{repo}/statuses/{'0' * 40}",
        }
        if full:
            state = self._mergeable_state(pull)
            # Only the single-pull endpoint carries these, as on GitHub.
            data.update(
                merged=pull["merged"],
                mergeable=None if pull["state"] == "closed" else state != "dirty",
                mergeable_state=state,
                comments=len(self.comments.get(n, [])),
                commits=1,
                changed_files=1,
            )
        return data

    def _issue_json(self, pull: _JSON) -> _JSON:
        n = pull["number"]
        repo = self._api(f"/repos/{self.owner}/{self.name}")
        return {
            "id": 80_000 + n,
            "number": n,
            "state": pull["state"],
            "title": pull["title"],
            "body": pull["body"],
            "user": self._user_json(pull["user"]),
            "url": f"{repo}/issues/{n}",
            "html_url": f"{self.root}/{self.repository}/pull/{n}",
            "comments_url": f"{repo}/issues/{n}/comments",
            "pull_request": {
                "url": f"{repo}/pulls/{n}",
                "html_url": f"{self.root}/{self.repository}/pull/{n}",
            },
            "comments": len(self.comments.get(n, [])),
            "created_at": pull["created_at"],
            "updated_at": pull["updated_at"],
            "closed_at": pull["closed_at"],
        }

    # -- state -------------------------------------------------------------------------------

    def _new_pull(self, head: str, base: str, title: str, body: str, user: str | None) -> _JSON:
        now = _now()
        number = next(self._numbers)
        pull: _JSON = {
            "number": number,
            "state": "open",
            "title": title,
            "body": body,
            "head": head,
            "base": base,
            "user": user or "roadmap-bot",
            "draft": False,
            "merged": False,
            "created_at": now,
            "updated_at": now,
            "closed_at": None,
            "merged_at": None,
        }
        self.pulls[number] = pull
        return pull

    def _pull(self, number: str) -> _JSON:
        pull = self.pulls.get(int(number))
        if pull is None:
            raise _error(404, "Not Found")
        return pull

    def _branch(self, ref: Any, field: str) -> str:
        if not isinstance(ref, str) or not ref:
            raise _invalid("PullRequest", "missing_field", field)
        owner, _, branch = ref.rpartition(":")
        if owner and owner.lower() != self.owner.lower():
            raise _invalid("PullRequest", "invalid", field)
        return branch

    # -- git (with git_dir) ------------------------------------------------------------------

    def _git(self, *args: str, check: bool = True) -> str:
        if self.git_dir is None:
            raise _error(501, "this fake has no git_dir: it cannot merge or delete branches")
        done = subprocess.run(
            ["git", *args],
            cwd=self.git_dir,
            env={**GIT_ENV, **MERGER},
            capture_output=True,
            check=False,
        )
        if check and done.returncode != 0:
            raise _error(500, f"git {args[0]} failed: {done.stderr.decode().strip()}")
        return done.stdout.decode() if done.returncode == 0 else ""

    def _sha(self, branch: str) -> str | None:
        if self.git_dir is None:
            return None
        found = self._git("rev-parse", "--verify", "-q", f"refs/heads/{branch}", check=False)
        return found.strip() or None

    def _merged_tree(self, base_tip: str, head_tip: str) -> str | None:
        """The tree of base and head merged, None when they conflict (git >= 2.38)."""
        assert self.git_dir is not None
        done = subprocess.run(
            ["git", "merge-tree", "--write-tree", base_tip, head_tip],
            cwd=self.git_dir,
            env=GIT_ENV,
            capture_output=True,
            check=False,
        )
        return done.stdout.decode().split("\n", 1)[0] if done.returncode == 0 else None

    def _mergeable_state(self, pull: _JSON) -> str | None:
        if pull["state"] != "open":
            return None
        if self.git_dir is None:
            return "clean"
        base_tip, head_tip = self._sha(pull["base"]), self._sha(pull["head"])
        if base_tip is None or head_tip is None:
            return "unknown"
        if self._merged_tree(base_tip, head_tip) is None:
            return "dirty"
        behind = subprocess.run(
            ["git", "merge-base", "--is-ancestor", base_tip, head_tip],
            cwd=self.git_dir,
            env=GIT_ENV,
            check=False,
        ).returncode
        if pull["base"] in self.require_up_to_date and behind != 0:
            return "behind"
        return "clean"

    # -- routes ------------------------------------------------------------------------------

    def _route(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
        parts = path.strip("/").split("/")
        if len(parts) < 3 or parts[0] != "repos":
            raise _error(404, "Not Found")
        if parts[1].lower() != self.owner.lower() or parts[2].lower() != self.name.lower():
            raise _error(404, "Not Found")
        rest = parts[3:]
        with self._lock:
            match method, rest:
                case "GET", []:
                    return 200, self._repo_json()
                case "GET", ["pulls"]:
                    return 200, self._list_pulls(query)
                case "POST", ["pulls"]:
                    return 201, self._create_pull(body)
                case "GET", ["pulls", n] if n.isdigit():
                    return 200, self._pull_json(self._pull(n), full=True)
                case "PATCH", ["pulls", n] if n.isdigit():
                    return 200, self._edit_pull(self._pull(n), body)
                case "PUT", ["pulls", n, "merge"] if n.isdigit():
                    method = (body or {}).get("merge_method") or "merge"
                    title = (body or {}).get("commit_title")
                    sha = self.merge_pull(self._pull(n)["number"], method, title)
                    return 200, {"sha": sha, "merged": True, "message": "Pull Request merged"}
                case "DELETE", ["git", "refs", "heads", *branch] if branch:
                    self.delete_branch(unquote("/".join(branch)))
                    return 204, None
                case "GET", ["issues", n] if n.isdigit():
                    return 200, self._issue_json(self._pull(n))
                case "GET", ["issues", n, "comments"] if n.isdigit():
                    since = query.get("since", "")
                    found = self.comments.get(self._pull(n)["number"], [])
                    return 200, [c for c in found if c["updated_at"] >= since]
                case "POST", ["issues", n, "comments"] if n.isdigit():
                    return 201, self._create_comment(self._pull(n), body)
        raise _error(404, "Not Found")

    def _list_pulls(self, query: dict[str, str]) -> list[_JSON]:
        state = query.get("state", "open")
        found = [p for p in self.pulls.values() if state == "all" or p["state"] == state]
        head = query.get("head")
        # GitHub applies the head filter only in its documented owner:branch form.
        if head and ":" in head:
            owner, _, branch = head.partition(":")
            if owner.lower() == self.owner.lower():
                found = [p for p in found if p["head"] == branch]
            else:
                found = []
        if "base" in query:
            found = [p for p in found if p["base"] == query["base"]]
        return [self._pull_json(p, full=False) for p in found]

    def _create_pull(self, body: Any) -> _JSON:
        if not isinstance(body, dict):
            raise _error(400, "Problems parsing JSON")
        head = self._branch(body.get("head"), "head")
        base = self._branch(body.get("base"), "base")
        title = body.get("title")
        if not isinstance(title, str) or not title.strip():
            raise _invalid("PullRequest", "missing_field", "title")
        if head == base:
            raise _invalid("PullRequest", "custom", message=f"No commits between {base} and {head}")
        for p in self.pulls.values():
            if p["state"] == "open" and p["head"] == head and p["base"] == base:
                raise _invalid(
                    "PullRequest",
                    "custom",
                    message=f"A pull request already exists for {self.owner}:{head}.",
                )
        pull = self._new_pull(head, base, title, body.get("body") or "", None)
        pull["draft"] = bool(body.get("draft", False))
        return self._pull_json(pull, full=True)

    def _edit_pull(self, pull: _JSON, body: Any) -> _JSON:
        if not isinstance(body, dict):
            raise _error(400, "Problems parsing JSON")
        for key in ("title", "body", "base"):
            if key in body:
                pull[key] = body[key] if body[key] is not None else ""
        if body.get("state") in ("open", "closed") and not pull["merged"]:
            pull["state"] = body["state"]
            pull["closed_at"] = _now() if body["state"] == "closed" else None
        pull["updated_at"] = _now()
        return self._pull_json(pull, full=True)

    def _create_comment(self, pull: _JSON, body: Any) -> _JSON:
        if not isinstance(body, dict) or not isinstance(body.get("body"), str):
            raise _invalid("IssueComment", "missing_field", "body")
        n = pull["number"]
        cid = next(self._comment_ids)
        now = _now()
        repo = self._api(f"/repos/{self.owner}/{self.name}")
        comment: _JSON = {
            "id": cid,
            "body": body["body"],
            "user": self._user_json("roadmap-bot"),
            "created_at": now,
            "updated_at": now,
            "url": f"{repo}/issues/comments/{cid}",
            "html_url": f"{self.root}/{self.repository}/pull/{n}#issuecomment-{cid}",
            "issue_url": f"{repo}/issues/{n}",
        }
        self.comments.setdefault(n, []).append(comment)
        return comment

    # -- request handling --------------------------------------------------------------------

    def _take_fault(self, method: str, path: str) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def _authorized(self, authorization: str | None) -> bool:
        scheme, _, value = (authorization or "").partition(" ")
        return scheme.lower() in ("token", "bearer") and value.strip() == self.token

    def _handle(
        self, method: str, raw_path: str, headers: dict[str, str], raw_body: bytes
    ) -> tuple[int, dict[str, str], Any]:
        split = urlsplit(raw_path)
        path = split.path
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        body: Any = None
        parse_error = False
        if raw_body:
            try:
                body = json.loads(raw_body)
            except ValueError:
                parse_error = True
        if self.prefix:
            if path == self.prefix or path.startswith(self.prefix + "/"):
                path = path[len(self.prefix) :] or "/"
            else:
                path = "//unprefixed" + path  # never routes: answered 404
        status, out_headers, answer = self._answer(method, path, query, headers, body, parse_error)
        with self._recorded:
            self.requests.append(Request(method, path, query, body, headers, status))
            self._recorded.notify_all()
        return status, out_headers, answer

    def _answer(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        headers: dict[str, str],
        body: Any,
        parse_error: bool,
    ) -> tuple[int, dict[str, str], Any]:
        out_headers = self._rate_headers()
        fault = self._take_fault(method, path)
        if fault is not None and not fault.apply_first:
            self._stopping.wait(fault.delay)
            if fault.status is not None:
                return self._fault_answer(fault, out_headers)
        if not self._authorized(headers.get("authorization")):
            return 401, out_headers, {"message": "Bad credentials", "documentation_url": DOCS}
        version = headers.get("x-github-api-version")
        if version is not None and version not in API_VERSIONS:
            return (
                400,
                out_headers,
                {
                    "message": f"Invalid API version provided: {version}",
                    "documentation_url": DOCS,
                },
            )
        out_headers["X-GitHub-Api-Version-Selected"] = version or API_VERSIONS[0]
        try:
            if parse_error:
                raise _error(400, "Problems parsing JSON")
            status, answer = self._route(method, path, query, body)
        except _Answer as exc:
            status, answer = exc.status, exc.body
        if fault is not None and fault.apply_first:
            self._stopping.wait(fault.delay)
            if fault.status is not None:
                return self._fault_answer(fault, out_headers)
        if isinstance(answer, list):
            answer, link = self._page(answer, query, method, path)
            if link:
                out_headers["Link"] = link
        return status, out_headers, answer

    def _fault_answer(
        self, fault: _Fault, out_headers: dict[str, str]
    ) -> tuple[int, dict[str, str], Any]:
        assert fault.status is not None
        out_headers.update(fault.headers)
        body = fault.body if fault.body is not None else _default_fault_body(fault)
        return fault.status, out_headers, body

    def _page(
        self, items: list[Any], query: dict[str, str], method: str, path: str
    ) -> tuple[list[Any], str | None]:
        per_page = int(query.get("per_page") or 30)
        page = int(query.get("page") or 1)
        chunk = items[(page - 1) * per_page : page * per_page]
        if page * per_page >= len(items):
            return chunk, None
        rest = {**query, "page": str(page + 1), "per_page": str(per_page)}
        qs = "&".join(f"{k}={v}" for k, v in rest.items())
        return chunk, f'<{self._api(path)}?{qs}>; rel="next"'

    @staticmethod
    def _rate_headers() -> dict[str, str]:
        return {
            "X-RateLimit-Limit": "5000",
            "X-RateLimit-Remaining": "4999",
            "X-RateLimit-Reset": str(int(time.time()) + 3600),
            "X-RateLimit-Used": "1",
            "X-RateLimit-Resource": "core",
        }


def _default_fault_body(fault: _Fault) -> Any:
    headers = {k.lower(): v for k, v in fault.headers.items()}
    status = fault.status
    if status == 401:
        return {"message": "Bad credentials", "documentation_url": DOCS}
    if status in (403, 429):
        if headers.get("x-ratelimit-remaining") == "0":
            return {"message": "API rate limit exceeded for user ID 1.", "documentation_url": DOCS}
        if status == 429 or "retry-after" in headers:
            return {
                "message": "You have exceeded a secondary rate limit. Please wait a few minutes "
                "before you try again.",
                "documentation_url": DOCS,
            }
        return {"message": "Resource not accessible by integration", "documentation_url": DOCS}
    if status == 404:
        return {"message": "Not Found", "documentation_url": DOCS}
    if status is not None and status >= 500:
        return {"message": "Server Error"}
    return {"message": "Injected failure"}


def _handler_for(fake: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(QuietHandler):
        server_version = "FakeGitHub/1.0"
        protocol_version = "HTTP/1.1"  # keep-alive, as PyGithub's pooled session expects

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                status, out_headers, answer = fake._handle(self.command, self.path, headers, raw)
            except Exception as exc:
                # A bug or an OS error in the fake (a git child that could not start): say
                # so on stderr and in the answer. Left to socketserver, the connection would
                # close unanswered and the test would only see RemoteDisconnected.
                told = traceback.format_exc()
                sys.stderr.write(f"FakeGitHub: {self.command} {self.path} crashed:\n{told}")
                status, out_headers = 500, {}
                answer = {"message": f"FakeGitHub crashed: {exc!r}", "traceback": told}
            if isinstance(answer, bytes):
                data, ctype = answer, "application/octet-stream"
            elif isinstance(answer, str):
                data, ctype = answer.encode(), "text/html; charset=utf-8"
            elif answer is None:
                data, ctype = b"", "application/json; charset=utf-8"
            else:
                data, ctype = json.dumps(answer).encode(), "application/json; charset=utf-8"
            try:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                for key, value in out_headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                # The client gave up (a timeout test): nothing left to tell it.
                self.close_connection = True

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

    return Handler
