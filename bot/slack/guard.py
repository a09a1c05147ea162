"""What stands in front of Bolt on `POST /slack/events`: only a signed, readable request that
was not handled already gets through.

Bolt parses a request before it verifies its signature, so a body that is not UTF-8 or a
`payload` that is not JSON was a 500 with a traceback in the log, signed or not. Here, in
order:

1. a body larger than Slack ever sends is refused (413) before it is read;
2. the signature (Slack's v0 HMAC over the raw bytes, timestamp within 5 minutes) is
   verified before anything is parsed: 401;
3. the body must be UTF-8 and either a form (whose `payload`, if any, is a JSON object) or a
   JSON object: 400;
4. an Events API delivery whose `event_id` was already taken, by this process or by
   another instance on the same database (`taken`), is acknowledged and dropped: Slack
   retries deliveries it thinks timed out, up to three times;
5. a request no listener handles (a new button, a callback we do not know) is acknowledged
   with 200 and logged once, so Slack does not retry it; Bolt would answer 404.

Each refusal is one short log line, without the body and without a traceback.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

MAX_BODY = 1 << 20  # bytes; Slack's largest payloads (a modal's state) are far below a MiB
MAX_AGE = 5 * 60  # seconds a signed request stays valid (Slack's rule), either way
SEEN_EVENTS = 10_000  # event ids remembered; Slack's last retry comes ~5 minutes after
SEEN_SECONDS = 3600.0


class Rejected(Exception):
    """A request refused before Bolt sees it: an HTTP status and a short reason to log."""

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def signed(secret: str, body: bytes, timestamp: str | None, signature: str | None) -> bool:
    """Slack's v0 signature over the raw bytes, and a timestamp within MAX_AGE of now."""
    if not secret or not timestamp or not signature:
        return False
    try:
        age = abs(time.time() - int(timestamp))
    except ValueError:
        return False
    if age > MAX_AGE:
        return False
    base = b"v0:" + timestamp.encode("ascii", "replace") + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def read_body(body: bytes, content_type: str) -> dict[str, Any]:
    """The request as Bolt will parse it, or Rejected("400 ...") with the reason."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Rejected("400 Bad Request", "body is not UTF-8") from None
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/json" or (not kind and text.lstrip().startswith("{")):
        return _object(text, "JSON body")
    if kind != "application/x-www-form-urlencoded":
        raise Rejected("400 Bad Request", "body is neither a form nor JSON")
    form = {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}
    if "payload" in form:
        return _object(form["payload"], "payload")
    return form


def _object(text: str, what: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError:
        raise Rejected("400 Bad Request", f"{what} is not valid JSON") from None
    if not isinstance(data, dict):
        raise Rejected("400 Bad Request", f"{what} is not a JSON object")
    return data


def describe(data: dict[str, Any]) -> str:
    """What a request asked for, in a few words for a log line (ids only, no user text)."""
    kind = str(data.get("type") or ("command" if "command" in data else "request"))
    if kind == "block_actions":
        ids = ",".join(str(a.get("action_id", "?")) for a in data.get("actions") or [])
        return f"{kind} action_id={ids[:100]}"
    if kind == "event_callback":
        event = data.get("event") or {}
        return f"{kind} event={str(event.get('type', '?'))[:60]}"
    if kind == "command":
        return f"command {str(data.get('command', '?'))[:60]}"
    callback = data.get("callback_id") or (data.get("view") or {}).get("callback_id")
    return f"{kind[:60]} callback_id={str(callback)[:100]}" if callback else kind[:60]


class SeenEvents:
    """Event ids already taken, for an hour at most and SEEN_EVENTS at most (oldest go)."""

    def __init__(self, size: int = SEEN_EVENTS, ttl: float = SEEN_SECONDS) -> None:
        self.size = size
        self.ttl = ttl
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, event_id: str) -> bool:
        """True the first time `event_id` is offered (and it is remembered), else False."""
        now = time.monotonic()
        with self._lock:
            while self._seen and (
                len(self._seen) >= self.size or now - next(iter(self._seen.values())) > self.ttl
            ):
                self._seen.popitem(last=False)
            if event_id in self._seen:
                return False
            self._seen[event_id] = now
            return True


class Deliveries:
    """Which Events API deliveries are first: this process's memory, then the state store
    (`take_event`, shared by every instance). Used by the guard (HTTP) and by Socket Mode,
    where Slack retries an envelope with the same event_id just the same."""

    def __init__(self, take_event: Callable[[str], bool] | None = None) -> None:
        """`take_event(event_id)`: True the first time any instance takes it (the state
        store); without it, this process's memory alone decides."""
        self.events = SeenEvents()
        self.take_event = take_event

    def first(self, event_id: str) -> bool:
        if not self.events.first_time(event_id):
            return False
        if self.take_event is None:
            return True
        try:
            return self.take_event(event_id)
        except Exception as err:  # the store is down: better handled twice than never
            why = (str(err).splitlines() or [type(err).__name__])[0][:200]
            log.warning("event %s: cannot check the state store (%s)", event_id[:40], why)
            return True


class Guard:
    """The WSGI app for `POST /slack/events`: checks, then `bolt` (see the module's doc)."""

    def __init__(
        self,
        bolt: WsgiApp,
        signing_secret: str,
        take_event: Callable[[str], bool] | None = None,
    ) -> None:
        """`take_event(event_id)`: see Deliveries."""
        self.bolt = bolt
        self.secret = signing_secret
        self.deliveries = Deliveries(take_event)

    def first_delivery(self, event_id: str) -> bool:
        return self.deliveries.first(event_id)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            body = self._body(environ)
            headers = (
                environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP"),
                environ.get("HTTP_X_SLACK_SIGNATURE"),
            )
            if not signed(self.secret, body, *headers):
                if _ssl_check(body):
                    return _answer(start_response, "200 OK", None)
                raise Rejected("401 Unauthorized", "signature missing, wrong or too old")
            data = read_body(body, environ.get("CONTENT_TYPE", ""))
        except Rejected as err:
            log.warning("POST /slack/events refused: %s %s", err.status.split()[0], err.reason)
            return _answer(start_response, err.status, {"error": err.reason})
        event_id = data.get("event_id") if data.get("type") == "event_callback" else None
        if isinstance(event_id, str) and not self.first_delivery(event_id):
            retry = environ.get("HTTP_X_SLACK_RETRY_NUM", "")
            log.info("event %s delivered again (retry %s): already taken", event_id[:40], retry)
            return _answer(start_response, "200 OK", None)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        answered: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            answered["status"], answered["headers"] = status, headers
            return lambda _data: None  # Bolt's adapter returns its body; it never write()s

        out = self.bolt(environ, capture)
        status = answered.get("status", "500 Internal Server Error")
        if status.startswith("404"):
            # No listener took it (Bolt says 404, and Slack would retry): acknowledge it.
            log.warning("no listener for %s; acknowledged", describe(data))
            return _answer(start_response, "200 OK", None)
        start_response(status, answered.get("headers", []))
        return out

    def _body(self, environ: dict[str, Any]) -> bytes:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise Rejected("400 Bad Request", "Content-Length is not a number") from None
        if length > MAX_BODY:
            raise Rejected("413 Content Too Large", f"body of {length} bytes")
        stream = environ.get("wsgi.input")
        return stream.read(length) if stream is not None and length > 0 else b""


def _ssl_check(body: bytes) -> bool:
    """Slack's certificate check of a slash command's URL (`ssl_check=1&token=...`), which
    may come unsigned and asks only for a 200 (Bolt answers it before verifying too)."""
    if len(body) > 1024:
        return False
    form = parse_qs(body.decode("ascii", "replace"))
    return form.get("ssl_check") == ["1"]


def _answer(start_response: StartResponse, status: str, data: dict[str, Any] | None) -> list[bytes]:
    body = b"" if data is None else json.dumps(data).encode()
    headers = [("Content-Length", str(len(body)))]
    if data is not None:
        headers.append(("Content-Type", "application/json"))
    start_response(status, headers)
    return [body]


class _Unhandled(logging.Filter):
    """Bolt's own warning for an unhandled request is a dozen lines with a code suggestion;
    the guard logs one line instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Unhandled request")


logging.getLogger("slack_bolt.App").addFilter(_Unhandled())
