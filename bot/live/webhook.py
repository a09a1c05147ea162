"""`POST /github/webhook`: GitHub says the branch moved; the feed checks at once.

Every request is verified first: `X-Hub-Signature-256` must be the HMAC-SHA256 of the raw
body under GITHUB_WEBHOOK_SECRET (compared in constant time). A missing or wrong signature,
or no secret configured, is 401 and nothing else happens (no store write, no wake). Then the
`X-GitHub-Delivery` id is recorded: a redelivery of an id seen before is answered 200 and
does nothing new. A `push` to the roadmap's branch and any `pull_request` event wake the
feed (answered 202 at once: the check runs in the feed's thread, never on the request);
`ping` and other events are answered and ignored.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from bot.store import live as store

log = logging.getLogger(__name__)

PATH = "/github/webhook"
MAX_BODY = 25 * 1024 * 1024  # GitHub caps payloads at 25 MB
EVENTS = ("push", "pull_request")

StartResponse = Callable[..., Any]


def signature(secret: str, body: bytes) -> str:
    """What GitHub sends in X-Hub-Signature-256 for `body`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verified(secret: str | None, body: bytes, header: str | None) -> bool:
    if not secret or not header:
        return False
    return hmac.compare_digest(signature(secret, body), header.strip())


class GitHubWebhook:
    """The WSGI endpoint; `wake` asks the feed to check now."""

    def __init__(
        self,
        secret: str | None,
        engine: Engine,
        branch: str,
        wake: Callable[[], None],
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.secret = secret
        self.engine = engine
        self.branch = branch
        self.wake = wake
        self.now = now

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            return _reply(start_response, "405 Method Not Allowed", {"error": "POST only"})
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            return _reply(start_response, "413 Content Too Large", {"error": "body size"})
        body = environ["wsgi.input"].read(length) if length else b""
        if not verified(self.secret, body, environ.get("HTTP_X_HUB_SIGNATURE_256")):
            log.warning("github webhook: bad or missing signature; ignored")
            return _reply(start_response, "401 Unauthorized", {"error": "bad signature"})
        event = str(environ.get("HTTP_X_GITHUB_EVENT") or "")
        delivery = str(environ.get("HTTP_X_GITHUB_DELIVERY") or "")
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            return _reply(start_response, "400 Bad Request", {"error": "body is not JSON"})
        if delivery and not store.first_delivery(self.engine, delivery, event, self.now()):
            log.info("github webhook: delivery %s seen before; nothing new", delivery)
            return _reply(start_response, "200 OK", {"ok": True, "redelivery": True})
        if not self._wakes(event, payload):
            return _reply(start_response, "200 OK", {"ok": True, "ignored": event or None})
        log.info("github webhook: %s (delivery %s): checking the branch now", event, delivery)
        self.wake()
        return _reply(start_response, "202 Accepted", {"ok": True, "refresh": True})

    def _wakes(self, event: str, payload: Any) -> bool:
        if event == "pull_request":
            return True
        if event == "push":
            ref = payload.get("ref") if isinstance(payload, dict) else None
            return ref in (None, f"refs/heads/{self.branch}")
        return False


def _reply(start_response: StartResponse, status: str, data: dict[str, Any]) -> list[bytes]:
    body = json.dumps(data).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]
