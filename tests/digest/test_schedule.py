"""DIGEST_CRON in DIGEST_TZ, driven by an injected clock: nothing here waits for a slot."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.digest.schedule import DigestSchedule, weekdays
from bot.errors import SettingsError
from tests.support.settings import digest_settings

from .conftest import dt


class Clock:
    def __init__(self, now: str) -> None:
        self.now = dt(now)

    def __call__(self) -> datetime:
        return self.now

    def set(self, now: str) -> None:
        self.now = dt(now)


Made = tuple[DigestSchedule, list[datetime]]


def schedule(tmp_path: Path, clock: Clock | None = None, **values: object) -> Made:
    runs: list[datetime] = []
    kw = {"clock": clock} if clock else {}
    return DigestSchedule(digest_settings(tmp_path, **values), runs.append, **kw), runs


def test_default_is_monday_nine_in_the_zone(tmp_path: Path) -> None:
    s, _ = schedule(tmp_path)  # DIGEST_TZ=Europe/Paris, DIGEST_CRON default
    nxt = s.next_run(dt("2024-05-08T15:00:00+00:00"))  # a Wednesday
    assert nxt == dt("2024-05-13T09:00:00+02:00")  # summer time
    assert nxt.strftime("%A %H:%M %Z") == "Monday 09:00 CEST"
    assert s.next_run(dt("2024-01-03T12:00:00+00:00")) == dt("2024-01-08T09:00:00+01:00")
    # Exactly at a slot, the next one is a week later.
    assert s.next_run(dt("2024-05-13T09:00:00+02:00")) == dt("2024-05-20T09:00:00+02:00")


def test_across_the_change_to_summer_time(tmp_path: Path) -> None:
    s, _ = schedule(tmp_path)
    # Clocks go forward on Sunday 31 March 2024 in Paris: Monday 09:00 is 07:00 UTC.
    assert s.next_run(dt("2024-03-29T12:00:00+00:00")) == dt("2024-04-01T07:00:00+00:00")


def test_weekday_numbers_mean_what_cron_means(tmp_path: Path) -> None:
    monday = dt("2024-05-13T09:00:00+02:00")
    for cron, first in [
        ("0 9 * * 1", monday),  # APScheduler 3 alone would say Tuesday
        ("0 9 * * 0", dt("2024-05-12T09:00:00+02:00")),
        ("0 9 * * 7", dt("2024-05-12T09:00:00+02:00")),
        ("0 9 * * 1-5", dt("2024-05-09T09:00:00+02:00")),
        ("0 9 * * MON", monday),
        ("30 8 * * sat,sun", dt("2024-05-11T08:30:00+02:00")),
    ]:
        s, _ = schedule(tmp_path, digest_cron=cron)
        assert s.next_run(dt("2024-05-08T12:00:00+02:00")) == first, cron
    assert weekdays("*/2") == "tue,thu,sat,sun"
    assert weekdays("5-7") == "fri,sat,sun"
    assert weekdays("monday") == "mon"


@pytest.mark.parametrize(
    ("values", "setting"),
    [
        ({"digest_cron": "0 9 * *"}, "DIGEST_CRON"),
        ({"digest_cron": "0 25 * * mon"}, "DIGEST_CRON"),
        ({"digest_cron": "0 9 * * funday"}, "DIGEST_CRON"),
        ({"digest_cron": "0 9 * * 5-1"}, "DIGEST_CRON"),
        ({"digest_tz": "Mars/Olympus"}, "DIGEST_TZ"),
    ],
)
def test_a_bad_setting_is_one_line_naming_it(
    tmp_path: Path, values: dict[str, object], setting: str
) -> None:
    with pytest.raises(SettingsError, match=f"^setting {setting}: "):
        schedule(tmp_path, **values)


def test_tick_runs_each_slot_once(tmp_path: Path) -> None:
    clock = Clock("2024-05-13T08:59:59+02:00")
    s, runs = schedule(tmp_path, clock)
    s.last_run = dt("2024-05-06T09:00:00+02:00")  # as after last week's run
    assert s.tick() is None and runs == []
    clock.set("2024-05-13T09:00:00+02:00")
    assert s.tick() == dt("2024-05-13T09:00:00+02:00")
    clock.set("2024-05-13T09:00:30+02:00")
    assert s.tick() is None  # the same slot is not run twice
    clock.set("2024-05-20T07:00:01+00:00")
    assert s.tick() == dt("2024-05-20T09:00:00+02:00")
    assert runs == [dt("2024-05-13T09:00:00+02:00"), dt("2024-05-20T09:00:00+02:00")]
    assert all(r.utcoffset() == timedelta(hours=2) for r in runs)  # in DIGEST_TZ


def test_due_catches_up_after_a_restart_but_not_days_later(tmp_path: Path) -> None:
    s, _ = schedule(tmp_path)
    # A fresh process (nothing run yet) started an hour after the slot posts it...
    assert s.due(None, dt("2024-05-13T10:00:00+02:00"))
    # ...but a process started on Wednesday does not post Monday's digest.
    assert not s.due(None, dt("2024-05-15T10:00:00+02:00"))
    assert not s.due(dt("2024-05-13T09:00:00+02:00"), dt("2024-05-13T10:00:00+02:00"))


def test_period_and_key_are_the_same_in_every_instance(tmp_path: Path) -> None:
    a, _ = schedule(tmp_path)
    b, _ = schedule(tmp_path)
    slot = a.slot(dt("2024-05-13T12:34:56+02:00"))
    assert slot == dt("2024-05-13T09:00:00+02:00")
    assert (
        a.period_key(slot)
        == b.period_key(b.slot(dt("2024-05-13T10:34:56+00:00")))
        == ("2024-05-13T09:00+02:00")
    )
    assert a.period(slot) == (dt("2024-05-06T09:00:00+02:00"), slot)
    assert a.current_key(dt("2024-05-19T23:00:00+02:00")) == "2024-05-13T09:00+02:00"


def test_slot_for_a_cron_of_every_minute_and_of_once_a_year(tmp_path: Path) -> None:
    s, _ = schedule(tmp_path, digest_cron="* * * * *")
    assert s.slot(dt("2024-05-13T09:07:30+02:00")) == dt("2024-05-13T09:07:00+02:00")
    s, _ = schedule(tmp_path, digest_cron="0 9 1 1 *")
    assert s.slot(dt("2024-05-13T09:07:30+02:00")) == dt("2024-01-01T09:00:00+01:00")


def test_a_failing_run_does_not_stop_the_schedule(tmp_path: Path) -> None:
    clock = Clock("2024-05-13T09:00:00+02:00")

    def boom(_slot: datetime) -> None:
        raise RuntimeError("Slack is down")

    s = DigestSchedule(digest_settings(tmp_path), boom, clock=clock)
    assert s.tick() == dt("2024-05-13T09:00:00+02:00")  # logged, not raised


def test_start_catches_up_in_the_background(tmp_path: Path) -> None:
    ran = threading.Event()
    clock = Clock("2024-05-13T09:01:00+02:00")  # just after a slot: the start-up run posts it
    s = DigestSchedule(digest_settings(tmp_path), lambda _slot: ran.set(), clock=clock)
    s.start()
    try:
        assert ran.wait(10)
        assert s.last_run == dt("2024-05-13T09:00:00+02:00")
        job = s._scheduler.get_job("digest")
        assert job.next_run_time is not None
    finally:
        s.stop()


def test_a_failed_post_is_tried_again_while_its_slot_is_recent(tmp_path: Path) -> None:
    from bot.digest.deliver import DeliveryOutcome

    clock = Clock("2024-05-13T09:00:00+02:00")
    results = iter(["failed", "posted"])
    runs: list[datetime] = []

    def run(slot: datetime) -> list[DeliveryOutcome]:
        runs.append(slot)
        return [DeliveryOutcome("C1", "k", next(results))]

    s = DigestSchedule(digest_settings(tmp_path), run, clock=clock)
    assert s.tick() == dt("2024-05-13T09:00:00+02:00")  # Slack failed
    clock.set("2024-05-13T09:15:00+02:00")
    assert s.tick() == dt("2024-05-13T09:00:00+02:00")  # the retry job posts it
    clock.set("2024-05-13T09:30:00+02:00")
    assert s.tick() is None  # posted: nothing more
    assert len(runs) == 2
