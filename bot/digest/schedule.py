"""When the digest goes out: DIGEST_CRON in DIGEST_TZ, with APScheduler's CronTrigger.

The decisions are plain methods of an injected clock (`slot`, `due`, `tick`), so tests drive
them without waiting; `start()` only asks a BackgroundScheduler to call `tick` at each slot
(and once at start-up, to catch up on a slot missed by a restart).

Each run is keyed by its slot (the cron time it belongs to, in DIGEST_TZ): every instance,
the CLI and the schedule compute the same key, and the delivery marker in the store keeps
it to one post per channel per slot.

APScheduler 3 reads a numeric weekday as 0 = Monday, where cron means 0 = Sunday (fixed
only in APScheduler 4), so "0 9 * * 1" would fire on Tuesdays. Weekday numbers are turned
into names here, with cron's meaning, before the trigger sees them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot.config import Settings
from bot.errors import SettingsError

from .build import zone

log = logging.getLogger(__name__)

RETRY_MINUTES = 15
CATCH_UP = timedelta(hours=6)  # a slot missed by a restart is still posted within this
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # cron's numbering: 0 = Sunday
_LOOKBACK = (
    timedelta(minutes=1),
    timedelta(hours=1),
    timedelta(days=1),
    timedelta(days=8),
    timedelta(days=32),
    timedelta(days=367),
    timedelta(days=366 * 8),
)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def cron_trigger(expr: str, tz: ZoneInfo) -> CronTrigger:
    """DIGEST_CRON as a trigger; a SettingsError naming the setting when it is not one."""
    fields = expr.split()
    if len(fields) != 5:
        raise SettingsError(
            f"setting DIGEST_CRON: {expr!r} needs 5 fields (minute hour day month weekday), "
            "like '0 9 * * mon'"
        )
    try:
        fields[4] = weekdays(fields[4])
        return CronTrigger.from_crontab(" ".join(fields), timezone=tz)
    except ValueError as err:
        raise SettingsError(f"setting DIGEST_CRON: {expr!r}: {err}") from None


def weekdays(field: str) -> str:
    """A crontab weekday field with cron's numbers (0 or 7 = Sunday) as day names."""
    if field in ("*", "?"):
        return "*"
    days: set[int] = set()
    for part in field.lower().split(","):
        spec, _, step_text = part.partition("/")
        step = int(step_text) if step_text.isdigit() and int(step_text) > 0 else None
        if step_text and step is None:
            raise ValueError(f"bad step in weekday field {field!r}")
        if spec == "*":
            first, last = 0, 6
        elif "-" in spec:
            a, _, b = spec.partition("-")
            first, last = _day(a), _day(b)
            if last == 0 and b.strip() == "7":
                last = 7  # "5-7" is Friday to Sunday
        else:
            first = last = _day(spec)
            if step is not None:
                last = 6  # "1/2": from Monday, every other day
        if first > last:
            raise ValueError(f"weekday range {spec!r} runs backwards")
        days.update(d % 7 for d in range(first, last + 1, step or 1))
    # Monday first, as APScheduler lists them; names mean the same in every version.
    return ",".join(_DAYS[d] for d in sorted(days, key=lambda d: (d + 6) % 7))


def _day(text: str) -> int:
    text = text.strip()
    if text.isdigit() and 0 <= int(text) <= 7:
        return int(text) % 7
    if text[:3] in _DAYS and text in (text[:3], _long_name(text[:3])):
        return _DAYS.index(text[:3])
    raise ValueError(f"{text!r} is not a weekday (0-7 or sun..sat)")


def _long_name(short: str) -> str:
    return {
        "sun": "sunday",
        "mon": "monday",
        "tue": "tuesday",
        "wed": "wednesday",
        "thu": "thursday",
        "fri": "friday",
        "sat": "saturday",
    }[short]


class DigestSchedule:
    """Runs `run(slot)` once per DIGEST_CRON slot in this process.

    `run` is called with the slot (a DIGEST_TZ datetime); it must not raise (failures are
    logged here if it does). Exactly-once across processes is the store's job, not this.
    """

    def __init__(
        self,
        settings: Settings,
        run: Callable[[datetime], Any],
        clock: Callable[[], datetime] = _utcnow,
        catch_up: timedelta = CATCH_UP,
    ) -> None:
        self.tz = zone(settings)
        self.trigger = cron_trigger(settings.digest_cron, self.tz)
        self.cron = settings.digest_cron
        self.run = run
        self.clock = clock
        self.catch_up = catch_up
        self.last_run: datetime | None = None  # the slot last run by this process
        self._lock = threading.Lock()
        self._scheduler: Any = None

    # -- pure decisions ------------------------------------------------------------------------

    def next_run(self, after: datetime) -> datetime:
        """The first slot strictly after `after`."""
        found = self.trigger.get_next_fire_time(
            None, after.astimezone(self.tz) + timedelta(microseconds=1)
        )
        if found is None:  # a cron expression always fires again; the trigger has no end
            raise SettingsError(f"setting DIGEST_CRON: {self.cron!r} never fires")
        return found

    def slot(self, at: datetime) -> datetime | None:
        """The latest slot at or before `at` (None if there is none in eight years)."""
        at = at.astimezone(self.tz)
        for back in _LOOKBACK:  # widen until a slot is in the window, then walk forward
            found = self.trigger.get_next_fire_time(None, at - back)
            if found is not None and found <= at:
                while (later := self.next_run(found)) <= at:
                    found = later
                return found
        return None

    def period(self, slot: datetime) -> tuple[datetime, datetime]:
        """What the digest at `slot` covers: from the slot before it up to it."""
        before = self.slot(slot - timedelta(seconds=1))
        return (before or slot - timedelta(days=7)), slot

    def period_key(self, slot: datetime) -> str:
        """The same string in every process for the same slot: "2024-05-06T09:00+02:00"."""
        return slot.astimezone(self.tz).isoformat(timespec="minutes")

    def current_key(self, now: datetime) -> str:
        """The key of the slot `now` falls in (the CLI posts under it, like the schedule)."""
        slot = self.slot(now)
        return self.period_key(slot if slot is not None else now)

    def due(self, last_run: datetime | None, now: datetime) -> bool:
        """True when a slot passed after `last_run`, at most `catch_up` ago."""
        slot = self.slot(now)
        if slot is None or (last_run is not None and slot <= last_run):
            return False
        return now - slot <= self.catch_up

    # -- the shell -----------------------------------------------------------------------------

    def tick(self, now: datetime | None = None) -> datetime | None:
        """Run the digest if a slot is due; the slot run, or None."""
        now = now or self.clock()
        with self._lock:  # the cron job and the start-up catch-up may overlap
            if not self.due(self.last_run, now):
                return None
            slot = self.slot(now)
            assert slot is not None
            previous, self.last_run = self.last_run, slot
        try:
            outcomes = self.run(slot)
            failed = [o for o in outcomes or () if getattr(o, "status", "") == "failed"]
        except Exception:
            log.exception("digest for %s failed", self.period_key(slot))
            failed = [None]
        if failed:
            # Not done with this slot: the retry job runs it again (within catch_up); the
            # markers make the channels already posted to answer "already posted".
            with self._lock:
                if self.last_run == slot:
                    self.last_run = previous
        return slot

    def start(self) -> None:
        """Call `tick` at every slot and once now, in a background thread."""
        from apscheduler.schedulers.background import BackgroundScheduler

        if self._scheduler is not None:
            return
        scheduler = BackgroundScheduler(timezone=self.tz, daemon=True)
        grace = int(self.catch_up.total_seconds())
        scheduler.add_job(
            self.tick,
            self.trigger,
            id="digest",
            coalesce=True,  # several missed slots run once
            max_instances=1,
            misfire_grace_time=grace,
        )
        scheduler.add_job(self.tick, "date", id="digest-catch-up", misfire_grace_time=grace)
        # A failed post is tried again every RETRY_MINUTES while its slot is in catch_up.
        scheduler.add_job(
            self.tick, "interval", minutes=RETRY_MINUTES, id="digest-retry", max_instances=1
        )
        scheduler.start()
        self._scheduler = scheduler
        log.info(
            "digest scheduled (%s, %s); next %s", self.cron, self.tz, self.next_run(self.clock())
        )

    def stop(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
