"""One redact for git's messages and the logs: known secrets, token shapes, URL credentials."""

from __future__ import annotations

import logging
import sys

from bot import logs
from bot.redact import redact


def test_a_known_secret_and_url_credentials_are_removed() -> None:
    line = redact("fatal: https://x:tok@h/ said tok", ("tok",))
    assert line == "fatal: https://h/ said [redacted]"


def test_token_shaped_words_are_removed_without_being_named() -> None:
    line = redact("bad xoxb-123-abc and ghp_Abc123 and github_pat_11AB_cd")
    assert line == "bad [redacted] and [redacted] and [redacted]"


def test_empty_secrets_leave_the_text_alone() -> None:
    assert redact("nothing to hide here", ("",)) == "nothing to hide here"


def test_log_lines_use_the_same_redact() -> None:
    record = logging.LogRecord(
        "roadmap_bot", logging.INFO, __file__, 1, "push to https://u:pw@h/r failed", (), None
    )
    record.fields = {"token": "xapp-1-A"}  # type: ignore[attr-defined]
    text = logs._TextFormatter("%(message)s").format(record)
    assert text == "push to https://h/r failed token='[redacted]'"
    assert logs.redact is redact


def test_a_long_traceback_keeps_its_end_and_every_field_is_cut() -> None:
    try:
        raise ValueError("z" * 10_000 + " the last line says what went wrong ghp_inTheError1")
    except ValueError:
        exc_info = sys.exc_info()
    long_message = "x" * 50_000
    for fmt in ("json", "text"):
        record = logging.LogRecord(
            "roadmap_bot", logging.ERROR, __file__, 1, long_message, (), exc_info
        )
        record.fields = {"text": "y" * 50_000, "nested": {"who": "xoxb-1-nested"}}  # type: ignore[attr-defined]
        line = logs.formatter(fmt).format(record)
        assert len(line) < 10_000
        assert "the last line says what went wrong" in line
        assert "ghp_inTheError1" not in line and "xoxb-1-nested" not in line
