"""Secrets out of every line a person or a log sees: the one `redact` of the bot.

Three kinds of secret are removed: the ones the caller knows (a token it holds, the Basic
header made from it), anything shaped like a Slack or GitHub token, and the user:password@
of a URL (git repeats a remote's URL in its errors). Used by the git runner for git's
messages and by the log formatters for every log line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "[redacted]"
# Slack tokens (xoxb-, xapp-, ...) and GitHub tokens (ghp_, github_pat_) look like these.
_TOKEN = re.compile(r"\b(xox[abposr]-[\w-]+|xapp-[\w-]+|gh[pousr]_\w+|github_pat_\w+)")
_USERINFO = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]*@")


def without_userinfo(text: str) -> str:
    """`text` with any user:password@ taken out of the URLs in it."""
    return _USERINFO.sub(r"\1", text)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with `secrets`, token-shaped words and URL credentials removed."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    return without_userinfo(_TOKEN.sub(MASK, text))
