"""One log line per request; JSON lines when LOG_FORMAT=json. Tokens never reach a log."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .redact import redact

__all__ = ["LOGGER", "formatter", "redact", "request", "setup"]

LOGGER = logging.getLogger("roadmap_bot")
# Log lines stay short whatever people type: a field (a /roadmap text) keeps this many
# characters, a message or a traceback this many. Tokens are redacted before the cut.
MAX_FIELD = 300
MAX_MESSAGE = 4000


def cut(text: str, limit: int) -> str:
    """`text`, or its first `limit` characters and how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit} more characters)"


def cut_head(text: str, limit: int) -> str:
    """`text`, or its last `limit` characters: a traceback's end says what went wrong."""
    if len(text) <= limit:
        return text
    return f"… ({len(text) - limit} characters before) {text[-limit:]}"


def clean(value: Any, limit: int = MAX_FIELD) -> Any:
    """A field's value made fit for a log line: every string in it redacted and cut, in
    lists and dicts too; numbers and booleans as they are."""
    if isinstance(value, str):
        return cut(redact(value), limit)
    if isinstance(value, dict):
        return {cut(redact(str(k)), 60): clean(v, limit) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v, limit) for v in value[:20]]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return cut(redact(str(value)), limit)


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": clean(record.getMessage(), MAX_MESSAGE),
        }
        for key, value in getattr(record, "fields", {}).items():
            data[cut(str(key), 60)] = clean(value)
        if record.exc_info:
            data["error"] = cut_head(redact(self.formatException(record.exc_info)), MAX_MESSAGE)
        return json.dumps(data, ensure_ascii=False, default=str)


class _TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = {k: clean(v) for k, v in getattr(record, "fields", {}).items()}
        extra = " ".join(
            f"{k}={v!r}" if isinstance(v, str) else f"{k}={v}" for k, v in fields.items()
        )
        message = clean(record.getMessage(), MAX_MESSAGE)
        record.msg = message + (" " + extra if extra else "")
        record.args = ()
        if record.exc_info and not record.exc_text:  # super() appends it as it is
            record.exc_text = cut_head(redact(self.formatException(record.exc_info)), MAX_MESSAGE)
        return redact(super().format(record))


def formatter(fmt: str = "text") -> logging.Formatter:
    """The formatter of LOG_FORMAT `fmt` ("json" or "text")."""
    if fmt == "json":
        return _JsonFormatter()
    return _TextFormatter("%(asctime)s %(levelname)s %(message)s")


def setup(fmt: str = "text", level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(formatter(fmt))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


@contextmanager
def request(kind: str, **fields: Any) -> Iterator[dict[str, Any]]:
    """Logs one line when the block ends: kind, the fields set meanwhile, outcome, latency."""
    started = time.perf_counter()
    fields = {"kind": kind, **fields, "outcome": "ok"}
    try:
        yield fields
    except Exception:
        fields["outcome"] = "error"
        raise
    finally:
        fields["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
        level = logging.ERROR if fields["outcome"] == "error" else logging.INFO
        LOGGER.log(level, "request", extra={"fields": fields})
