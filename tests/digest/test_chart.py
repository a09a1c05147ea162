"""The burn-up chart: series rebuilt from the history, and a PNG anyone can open."""

from __future__ import annotations

import io

from PIL import Image

from bot.digest.chart import burnup_png, burnup_series
from bot.roadmap.model import Roadmap
from bot.roadmap.parse import parse
from tests.support.roadmaps import roadmap_text

from .conftest import PNG_SIGNATURE, dt, roadmap
from .test_compose import END, NOW, OLD, START, WEEK, huge_case


def assert_png(data: bytes) -> Image.Image:
    assert data[:8] == PNG_SIGNATURE
    Image.open(io.BytesIO(data)).verify()  # checks the chunks and their CRCs
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.format == "PNG"
    assert image.size[0] >= 600 and image.size[1] >= 400
    return image


def test_series_replay_the_history() -> None:
    series = burnup_series(OLD + WEEK, roadmap(NOW), START, END)
    overall = series[None]
    assert overall.times[0] == dt("2024-03-01T10:00:00+01:00")
    assert overall.times[-1] == END
    # Scope arrives with the modules in March (8 cells), then the ticks of the spring.
    assert overall.total[-1] == 8 and overall.done[-1] == 5
    at = dict(zip(overall.times, overall.done, strict=True))
    assert at[dt("2024-04-20T10:00:00+02:00")] == 2
    assert at[dt("2024-05-10T13:00:00+02:00")] == 6
    assert at[dt("2024-05-11T14:00:00+02:00")] == 5
    access = series["access modules"]
    assert access.done[-1] == 4 and access.total[-1] == 4
    assert min(overall.done) >= 0
    assert all(a <= b for a, b in zip(overall.times, overall.times[1:], strict=False))


def test_png_with_history() -> None:
    image = assert_png(burnup_png(OLD + WEEK, roadmap(NOW), START, END))
    assert image.mode in ("RGBA", "RGB")


def test_png_with_no_history_is_a_flat_line_at_the_current_state() -> None:
    series = burnup_series([], roadmap(NOW), START, END)
    assert series[None].times == [START, END]
    assert series[None].done == [5, 5]
    assert_png(burnup_png([], roadmap(NOW), START, END))


def test_the_same_inputs_give_the_same_bytes() -> None:
    assert burnup_png(WEEK, roadmap(NOW), START, END) == burnup_png(WEEK, roadmap(NOW), START, END)


def test_names_matplotlib_would_misread() -> None:
    # "$...$" is mathtext (and "$x^$" does not parse); a leading "_" hides a legend entry.
    groups = [(f"{p} Group {i}", [f"M{i}"]) for i, p in enumerate(["$x^$", "_hidden", "a$b"])]
    now = parse(roadmap_text(groups, ["Doc"], {}, title="$$ Money $$"))
    assert_png(burnup_png([], now, START, END))


def test_many_groups_become_other() -> None:
    _before, now, changes = huge_case()
    assert_png(burnup_png(changes, now, START, END, max_groups=6))  # type: ignore[arg-type]


def test_an_empty_roadmap() -> None:
    assert_png(burnup_png([], Roadmap(columns=(), groups=()), START, END))
