"""One log line per request; JSON lines when LOG_FORMAT=json. Tokens never reach a log."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .redact import redact

__all__ = ["LOGGER", "redact", "request", "setup"]

LOGGER = logging.getLogger("roadmap_bot")


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        data.update(getattr(record, "fields", {}))
        if record.exc_info:
            data["error"] = redact(self.formatException(record.exc_info))
        return json.dumps(data, ensure_ascii=False, default=str)


class _TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "fields", {})
        extra = " ".join(
            f"{k}={v!r}" if isinstance(v, str) else f"{k}={v}" for k, v in fields.items()
        )
        record.msg = redact(record.getMessage() + (" " + extra if extra else ""))
        record.args = ()
        return redact(super().format(record))


def setup(fmt: str = "text", level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(
        _JsonFormatter()
        if fmt == "json"
        else _TextFormatter("%(asctime)s %(levelname)s %(message)s")
    )
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
