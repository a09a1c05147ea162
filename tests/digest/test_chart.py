"""The burn-up chart: series rebuilt from the history, and a PNG anyone can open."""

from __future__ import annotations

import io
import os
import shutil
import warnings
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image

from bot.digest.chart import Bar, burnup_png, burnup_series, group_bars, projection
from bot.roadmap.forecast import forecast
from bot.roadmap.model import Roadmap
from bot.roadmap.parse import parse
from tests.support.roadmaps import roadmap_text

from .conftest import PNG_SIGNATURE, dt, roadmap
from .conftest import change as ch
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


def test_many_groups_keep_every_group_that_changed() -> None:
    _before, now, changes = huge_case()
    series = burnup_series(changes, now, START, END)  # type: ignore[arg-type]
    bars = group_bars(series, now, START, rows=6)  # type: ignore[arg-type]
    assert len(bars) == 6 and bars[-1].name == "95 more groups" and bars[-1].groups == 95
    assert sum(b.total for b in bars) == now.total  # type: ignore[attr-defined]
    assert sum(b.done for b in bars) == now.done  # type: ignore[attr-defined]
    assert_png(burnup_png(changes, now, START, END, max_groups=6))  # type: ignore[arg-type]


# A roadmap of 20 groups, some far along, two moving this week, one going back.
COLUMNS = ["Index", "Data Model", "API", "Observability", "Runbook", "Security", "Wiring"]
NAMES = [
    "Access",
    "Security",
    "Host",
    "Data Utilities",
    "Data Storage",
    "Runtime",
    "Compute",
    "Consumption",
    "Action",
    "Trust",
    "CI/CD",
    "Observability Platform",
    "Billing and Metering",
    "Identity Federation",
    "Edge",
    "Search",
    "Notification",
    "Reporting",
    "Mobile",
    "Partner Integration",
]
GROUPS20 = [
    (f"{n} Modules", [f"{n} {i}" for i in range(2 + k * 3 % 4)]) for k, n in enumerate(NAMES)
]
BEGAN = dt("2024-01-08T10:00:00+01:00")


def twenty_groups(progress: bool = True) -> tuple[Roadmap, list[object]]:
    """Eight groups ticked steadily until this week; with `progress`, two more groups this
    week and one cell taken back; without, nothing in the last six weeks."""
    states: dict[tuple[str, str], str] = {}
    changes = [
        ch(m, None, "module_added", BEGAN.isoformat(), group=g) for g, ms in GROUPS20 for m in ms
    ]
    until = START if progress else START - timedelta(weeks=6)
    steady_cells = sum(
        max(0, 7 - k // 2 - i) for k, (_, ms) in enumerate(GROUPS20[:8]) for i in range(len(ms))
    )
    done = 0
    for k, (g, modules) in enumerate(GROUPS20[: 10 if progress else 8]):
        for i, m in enumerate(modules):
            for c in COLUMNS[: max(0, 7 - k // 2 - i)]:
                states[(m, c)] = "x"
                done += 1
                steady = BEGAN + (until - BEGAN) * done / steady_cells
                when = steady if k < 8 else START + timedelta(hours=done % 100)
                changes.append(ch(m, c, "tick", when.isoformat(), group=g))
    if progress:  # one cell taken back this week
        m = GROUPS20[3][1][0]
        states[(m, "Index")] = " "
        back = (END - timedelta(days=1)).isoformat()
        changes.append(ch(m, "Index", "untick", back, group=GROUPS20[3][0]))
    order = [g for g, _ in GROUPS20]
    text = roadmap_text(GROUPS20, COLUMNS, states, order, title="Platform readiness")
    return parse(text), sorted(changes, key=lambda c: c.date)  # type: ignore[attr-defined]


def keep(png: bytes, tmp_path: Path, name: str) -> Path:
    """The PNG in the test's tmp dir (and in $CHART_DIR when set), to open and look at."""
    path = tmp_path / name
    path.write_bytes(png)
    if os.environ.get("CHART_DIR"):
        shutil.copy(path, Path(os.environ["CHART_DIR"]) / name)
    return path


def test_twenty_groups_one_bar_each_with_the_period_marked(tmp_path: Path) -> None:
    now, changes = twenty_groups()
    series = burnup_series(changes, now, START, END)  # type: ignore[arg-type]
    bars = group_bars(series, now, START)
    assert [b.name for b in bars] == [g for g, _ in GROUPS20]  # no "other": all twenty
    moved = {b.name: b.change for b in bars if b.change}
    assert moved == {"Data Utilities Modules": -1, "Action Modules": 5, "Trust Modules": 6}
    image = assert_png(
        keep(burnup_png(changes, now, START, END), tmp_path, "twenty.png").read_bytes()
    )  # type: ignore[arg-type]
    assert image.size == (1200, 700)


def test_a_roadmap_with_no_progress(tmp_path: Path) -> None:
    now, changes = twenty_groups(progress=False)
    found = forecast(now, changes, END)  # type: ignore[arg-type]
    assert found.overall.status == "no progress" and projection(found, BEGAN) is None
    assert all(
        b.change == 0 for b in group_bars(burnup_series(changes, now, START, END), now, START)
    )  # type: ignore[arg-type]
    assert_png(keep(burnup_png(changes, now, START, END), tmp_path, "no-progress.png").read_bytes())  # type: ignore[arg-type]
    nothing = parse(roadmap_text(GROUPS20[:12], COLUMNS, {}, title="New roadmap"))
    added = [c for c in changes if c.kind == "module_added"]  # type: ignore[attr-defined]
    assert_png(
        keep(burnup_png(added, nothing, START, END), tmp_path, "nothing-done.png").read_bytes()
    )  # type: ignore[arg-type]


def test_the_projection_is_cut_when_the_date_is_far_off() -> None:
    now, changes = twenty_groups()
    found = forecast(now, changes, END)  # type: ignore[arg-type]
    line = projection(found, BEGAN)
    assert line is not None and found.overall.done_by is not None
    assert line.start == END and line.done == now.done
    # Months of history: the line goes on for half of it, then the date is said in words.
    assert line.until == END + (END - BEGAN) / 2 < found.overall.done_by
    assert now.done < line.reaches < now.total
    assert line.label == f"at this pace: done by {found.overall.done_by:%b %Y}"
    # Ten weeks of history: at least eight weeks of line, two of the three cells left.
    near = projection(forecast(roadmap(NOW), OLD + WEEK, END), dt("2024-03-01T10:00:00+01:00"))
    assert near is not None and near.until == END + timedelta(weeks=8) and near.reaches == 7
    assert near.label == "at this pace: done by 5 Aug"


def test_an_empty_roadmap() -> None:
    assert_png(burnup_png([], Roadmap(columns=(), groups=()), START, END))


def test_a_small_group_that_moved_keeps_its_row_among_too_many() -> None:
    groups = [(f"Group {i:02d}", [f"M{i}a", f"M{i}b"]) for i in range(23)] + [("Tiny", ["T"])]
    now = parse(roadmap_text(groups, ["Doc"], {("T", "Doc"): "x"}))
    moved = [ch("T", "Doc", "tick", "2024-05-08T10:00:00+02:00", group="Tiny")]
    bars = group_bars(burnup_series(moved, now, START, END), now, START, rows=20)
    assert len(bars) == 20 and bars[-2] == Bar("Tiny", 1, 1, 0)
    assert bars[-1] == Bar("5 more groups", 0, 10, 0, groups=5)
    assert [b.name for b in bars[:19]] == [f"Group {i:02d}" for i in range(18)] + ["Tiny"]


@pytest.mark.parametrize(
    "span", [timedelta(hours=2.9), timedelta(days=2.9), timedelta(days=1060)], ids=str
)
def test_spans_just_short_of_a_unit_draw_without_a_warning(span: timedelta) -> None:
    # matplotlib's date locator warned (and a digest made with warnings as errors failed)
    # for spans it could not cut into at most 5 ticks: 2.9 days read hourly, 2.9 years monthly.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_png(burnup_png([], roadmap(NOW), END - span, END))
