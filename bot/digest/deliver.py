"""Posting the digest: exactly once per channel per period, retried, never silently lost.

`post_digest` takes the delivery marker in the store first (one taker wins, across threads,
processes and instances), posts the message, records its ts, uploads the chart into its
thread (files_upload_v2), then marks the marker posted. Transient Slack failures (rate
limits, 5xx, connection errors) are retried with backoff honouring Retry-After; permanent
ones (not_in_channel, invalid_auth...) are not. What could not be posted is marked failed,
logged at error level and returned: a later run (the CLI, a restart) takes a failed marker
again, and then only does what is missing (a posted message is never posted again).

One window is left: a crash after Slack accepted the message but before its ts is stored
means the next taker (after the lease) posts again. Slack has no idempotency key for
chat.postMessage; the window is one HTTP round trip.
"""

from __future__ import annotations

import logging
import time
import urllib.error
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy import Engine

from bot.blockkit.kit import Message
from bot.config import Settings
from bot.repo.source import RoadmapSource
from bot.store import digest as store

from .build import Built, build_digest
from .chart import ALT_TEXT
from .compose import Digest
from .schedule import DigestSchedule

log = logging.getLogger(__name__)

POSTED, ALREADY_POSTED, IN_PROGRESS, FAILED = "posted", "already_posted", "in_progress", "failed"
TRIES = 4
BACKOFF = 2.0  # seconds before the second try; doubles
MAX_WAIT = 60.0  # never sleep longer than this for one retry (a long Retry-After included)
FILENAME = "roadmap-burnup.png"
CHART_TITLE = "Burn-up: done cells against scope"
# Slack errors worth another try; anything else (not_in_channel, invalid_blocks...) fails now.
TRANSIENT = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)


@dataclass(frozen=True)
class DeliveryOutcome:
    channel: str
    period_key: str
    status: str  # posted | already_posted | in_progress | failed
    ts: str | None = None
    file_id: str | None = None
    attempts: int = 0  # Slack attempts made by this call
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status != FAILED

    def __str__(self) -> str:
        where = f"{self.channel} ({self.period_key})"
        return {
            POSTED: f"posted to {where}",
            ALREADY_POSTED: f"already posted to {where}",
            IN_PROGRESS: f"being posted to {where} by another run",
            FAILED: f"NOT posted to {where}: {self.error}",
        }[self.status]


def _utcnow() -> datetime:
    return datetime.now(UTC)


def post_digest(
    client: WebClient,
    engine: Engine,
    channel: str,
    digest_message: Message,
    png: bytes | None,
    period_key: str,
    *,
    now: Callable[[], datetime] = _utcnow,
    sleep: Callable[[float], None] = time.sleep,
    tries: int = TRIES,
    backoff: float = BACKOFF,
    max_wait: float = MAX_WAIT,
    lease: timedelta = store.LEASE,
    chart_title: str = "",
) -> DeliveryOutcome:
    """Post `digest_message` and the chart to `channel`, unless it is already posted (or
    being posted) for `period_key`."""
    claim = store.take(engine, channel, period_key, now(), lease)
    if claim is None:
        found = store.delivery(engine, channel, period_key)
        state = found.state if found else None
        status = ALREADY_POSTED if state == store.POSTED else IN_PROGRESS
        log.info("digest %s for %s: %s", period_key, channel, status)
        return DeliveryOutcome(channel, period_key, status, found.message_ts if found else None)
    ts, file_id = claim.message_ts, claim.file_id
    error = "no attempt made"
    attempt = 0
    while attempt < max(1, tries):
        attempt += 1
        try:
            if ts is None:
                resp = client.chat_postMessage(
                    channel=channel,
                    unfurl_links=False,
                    unfurl_media=False,
                    **digest_message.as_kwargs(),
                )
                ts = str(resp["ts"])
                if not store.record_message(engine, claim, ts, now()):
                    return _lost(channel, period_key, ts, attempt)
            if png and file_id is None:
                up = client.files_upload_v2(
                    channel=channel,
                    thread_ts=ts,
                    content=png,
                    filename=FILENAME,
                    title=chart_title or CHART_TITLE,
                    alt_txt=ALT_TEXT,
                )
                file_id = (up.get("file") or {}).get("id") or "uploaded"
            if not store.mark_posted(engine, claim, now(), ts, file_id):
                return _lost(channel, period_key, ts, attempt)
            log.info("digest %s posted to %s (ts %s)", period_key, channel, ts)
            return DeliveryOutcome(channel, period_key, POSTED, ts, file_id, attempt)
        except Exception as err:  # classified below; anything unknown is not retried
            error, wait = _failure(err, attempt, backoff)
            what = "message" if ts is None else "chart upload"
            error = f"{what}: {error}"
            if wait is None or attempt >= tries:
                break
            log.warning("digest %s to %s: %s; retrying in %.1fs", period_key, channel, error, wait)
            sleep(min(wait, max_wait))
            if not store.renew(engine, claim, now()):
                return _lost(channel, period_key, ts, attempt)
    if ts is not None:
        error = f"{error} (the message is posted, ts {ts}; only the chart is missing)"
    store.mark_failed(engine, claim, error, now(), ts)
    log.error(
        "digest %s NOT posted to %s after %d attempt(s): %s", period_key, channel, attempt, error
    )
    return DeliveryOutcome(channel, period_key, FAILED, ts, file_id, attempt, error)


def _lost(channel: str, period_key: str, ts: str | None, attempts: int) -> DeliveryOutcome:
    # Our lease ran out and another run took the marker over: it finishes the job.
    log.warning("digest %s for %s: marker taken over by another run", period_key, channel)
    return DeliveryOutcome(channel, period_key, IN_PROGRESS, ts, None, attempts)


def _failure(err: Exception, attempt: int, backoff: float) -> tuple[str, float | None]:
    """(what went wrong, seconds to wait before retrying or None for "do not retry")."""
    delay = backoff * 2 ** (attempt - 1)
    if isinstance(err, SlackApiError):
        resp = err.response
        code = str(resp.get("error") or f"HTTP {resp.status_code}")
        if resp.status_code == 429 or code == "ratelimited":
            return code, max(delay, _retry_after(resp.headers) or 0.0)
        if code in TRANSIENT or resp.status_code >= 500:
            return code, delay
        return code, None
    if isinstance(err, SlackClientError | urllib.error.URLError | OSError | TimeoutError):
        return f"{type(err).__name__}: {err}", delay  # the network, or the upload URL
    return f"{type(err).__name__}: {err}", None


def _retry_after(headers: Any) -> float | None:
    for key, value in dict(headers or {}).items():
        if key.lower() == "retry-after":
            value = value[0] if isinstance(value, list | tuple) else value
            try:
                return float(value)
            except (TypeError, ValueError):
                return None
    return None


# --- where it goes, and when ---------------------------------------------------------------


def digest_channels(settings: Settings, engine: Engine) -> list[str]:
    """DIGEST_CHANNEL and every subscribed channel, each once."""
    channels = [settings.digest_channel] if settings.digest_channel else []
    channels += [s.channel for s in store.subscribed(engine)]
    return list(dict.fromkeys(channels))


def deliver(
    settings: Settings,
    source: RoadmapSource,
    client: WebClient,
    engine: Engine,
    channels: Iterable[str],
    period_key: str,
    since: timedelta,
    now: datetime,
    **post: Any,
) -> list[DeliveryOutcome]:
    """Build the digest once and post it to each channel not yet served for `period_key`.
    A digest that cannot be built is a failure for every channel (reported, not raised)."""
    channels = list(dict.fromkeys(channels))
    pending = [c for c in channels if not store.posted(engine, c, period_key)]
    done = [DeliveryOutcome(c, period_key, ALREADY_POSTED) for c in channels if c not in pending]
    if not pending:
        return done
    try:
        built = build_digest(settings, source, engine, since, now)
    except Exception as err:
        log.exception("digest %s could not be built", period_key)
        return done + [
            DeliveryOutcome(c, period_key, FAILED, error=f"not built: {err}") for c in pending
        ]
    filters = group_filters(engine)
    narrowed: dict[tuple[str, ...], Built] = {(): built}  # channels with one filter share it
    outcomes = []
    for c in pending:
        key = tuple(filters.get(c, ()))
        if key not in narrowed:
            narrowed[key] = built.for_groups(key)
        mine = narrowed[key]
        outcomes.append(
            post_digest(
                client,
                engine,
                c,
                mine.message,
                mine.png,
                period_key,
                chart_title=upload_title(mine.digest),
                **post,
            )
        )
    return done + outcomes


def group_filters(engine: Engine) -> dict[str, list[str]]:
    """Channel -> the groups its digest is narrowed to (`/roadmap subscribe digest <group>`);
    a channel not in it gets the whole digest."""
    from bot.store import live

    found: dict[str, list[str]] = {}
    for sub in live.subscriptions(engine):
        if sub.kind == live.DIGEST and sub.group_key:
            found.setdefault(sub.channel, []).append(sub.group_name)
    return found


def upload_title(digest: Digest) -> str:
    """The uploaded chart's title: a filtered digest's names its groups."""
    if digest.scope:
        return f"Burn-up of {digest.scope_label}: done cells against scope"
    return CHART_TITLE


def scheduled(
    settings: Settings,
    source: RoadmapSource,
    client: WebClient,
    engine: Engine,
    clock: Callable[[], datetime] = _utcnow,
) -> DigestSchedule:
    """The schedule `serve` starts: at each slot, the digest of the period since the slot
    before, to DIGEST_CHANNEL and every subscribed channel."""

    def run(slot: datetime) -> list[DeliveryOutcome]:
        start, end = schedule.period(slot)
        channels = digest_channels(settings, engine)
        if not channels:
            key = schedule.period_key(slot)
            log.info("digest %s: no channel (set DIGEST_CHANNEL or /roadmap subscribe)", key)
            return []
        return deliver(
            settings, source, client, engine, channels, schedule.period_key(slot), end - start, end
        )

    schedule = DigestSchedule(settings, run, clock=clock)
    return schedule
