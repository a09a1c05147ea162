"""Why the remote said no, in one line a person can act on.

git's own words for a refusal are poor messages: a hook's reason hides in `remote:` lines
after "failed to push some refs to '<the remote's path>'", and a refused token reads "could
not read Username ... terminal prompts disabled". This module reads git's output and gives
one of:

- `PushRejected`: the branch moved (non-fast-forward, a stale lease). Fetch, re-apply, retry.
- `PushRefusedForNow` (a PushRejected): the remote could not take the push at this moment
  (it could not lock or update the ref: another push was landing). Retried like a moved
  branch, with backoff: the same push usually goes through a moment later.
- `GitRefused` (bot.errors, not transient): a pre-receive/update hook or a protected branch
  declined, the token was refused (401) or may not write (403), the GitHub host redirected
  git elsewhere (a renamed repo; the token does not follow redirects), or the remote said
  no for a reason we do not know. A policy says no, and it will say no again until a person acts, so
  retrying for an hour only delays telling them: fail at once, with the remote's reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from ..errors import GitError, GitRefused
from ..redact import redact, without_userinfo

__all__ = ["PushRefusedForNow", "PushRejected", "auth_refusal", "push_refusal"]

_MAX_REASON = 300  # characters of the remote's own words kept in a message
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# The ref could not be locked or written on the remote: another update was in flight
# (receive-pack's "failed to lock" / "failed to update ref", git's "cannot lock ref"), or
# the remote's unpacking failed (a full disk, a dropped connection). Nothing a person does.
_FOR_NOW = ("failed to lock", "failed to update ref", "cannot lock ref", "unpacker error")
# A branch that moved: fetch and re-apply (git's words for a non-fast-forward or a lease).
_MOVED = ("[rejected]", "stale info", "fetch first", "non-fast-forward")


class PushRejected(GitError):
    """The remote moved (or the lease failed): fetch, re-apply, try again."""


class PushRefusedForNow(PushRejected):
    """The remote could not take the push just now (its ref was locked): try again shortly."""


def remote_lines(stderr: str, hide: Iterable[str] = ()) -> list[str]:
    """What the remote itself said (`remote: ...`), cleaned: colours, blank lines and the
    remote's path or URL (`hide`) taken out."""
    found = []
    for line in stderr.splitlines():
        if not line.startswith("remote:"):
            continue
        text = _ANSI.sub("", line[len("remote:") :]).strip()
        text = text.removeprefix("error:").strip()  # GitHub: "remote: error: GH006: ..."
        for secret in hide:
            if secret:
                text = text.replace(secret, "the remote")
        if text:
            found.append(text)
    return found


def push_refusal(
    stdout: str, stderr: str, branch: str, hide: Iterable[str], secrets: Iterable[str]
) -> GitError | None:
    """The error for a push that failed with a per-ref verdict (`git push --porcelain`),
    None when git gave none (a network failure, an auth failure: see auth_refusal).

    `hide`: the remote's path and URL, never shown; `secrets`: the token and its header."""
    verdict = next((ln for ln in stdout.splitlines() if ln.startswith("!")), "")
    if not verdict:
        return None
    status = verdict.split("\t")[-1].strip()  # "[remote rejected] (pre-receive hook declined)"
    reason = status[status.find("(") + 1 : status.rfind(")")] if "(" in status else status
    hidden = [h for h in hide if h]
    if "[remote rejected]" not in status:
        if any(word in status for word in _MOVED):
            return PushRejected(redact(status, secrets))
        return None
    if any(word in reason for word in _FOR_NOW):
        return PushRefusedForNow(f"the remote could not update {branch} just now ({reason})")
    said = "; ".join(remote_lines(stderr, hidden))
    if len(said) > _MAX_REASON:
        said = said[: _MAX_REASON - 1] + "…"
    message = f"the remote refused the push to {branch} ({reason})"
    return GitRefused(redact(f"{message}: {said}" if said else message, secrets))


def auth_refusal(stderr: str, remote: str, token_sent: bool, pushing: bool) -> GitRefused | None:
    """A refused or missing credential (HTTP 401), a token that may not do this (403), or a
    redirect not followed with a token, said with the setting to fix; None otherwise."""
    host = _host(remote)
    text = stderr.lower()
    if (
        "could not read username" in text
        or "authentication failed" in text
        or "returned error: 401" in text
    ):
        why = (
            "GITHUB_TOKEN was refused; check that it is valid and not expired"
            if token_sent
            else "no token was sent: set GITHUB_TOKEN (it goes only to the GitHub host "
            "that GITHUB_API_URL names)"
        )
        return GitRefused(f"authentication failed at {host} (HTTP 401): {why}")
    if "returned error: 403" in text or re.search(r"permission to \S+ denied", text):
        if pushing:
            return GitRefused(
                f"GITHUB_TOKEN may not push to {host} (HTTP 403): give it the "
                "contents: write permission on the roadmap's repository"
            )
        return GitRefused(
            f"GITHUB_TOKEN may not read from {host} (HTTP 403): give it the "
            "contents: read permission on the roadmap's repository"
        )
    redirect = re.search(r"returned error: (30[1278])", text)
    if redirect and token_sent:
        return GitRefused(
            f"{host} redirects git elsewhere (HTTP {redirect.group(1)}); GITHUB_TOKEN is not "
            "sent across redirects: set ROADMAP_REPO to the repository's current address"
        )
    return None


def _host(remote: str) -> str:
    """The remote's host (and port) only: its path is not for messages."""
    parts = urlsplit(without_userinfo(remote))
    return parts.netloc or "the remote"
