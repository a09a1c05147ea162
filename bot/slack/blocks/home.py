"""The App Home tab: a dashboard of the roadmap (groups, next up, the last change)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.blockkit import kit
from bot.blockkit.text import ago, fit, name, plural, readiness_line
from bot.roadmap.analysis import next_modules, readiness
from bot.roadmap.model import Roadmap

from .common import ordered_groups, pick_buttons

GROUPS = 60
NEXT = 10


def home_view(
    roadmap: Roadmap,
    location: str,
    last_commit: dict[str, Any] | None,
    now: datetime,
    drift: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """A `views.publish` view. `last_commit` has sha, subject, author, when (datetime);
    `now` is passed in so the "3 days ago" is testable. `drift`: the docs drift counts
    (error, warning, info) when known."""
    total = readiness(roadmap)
    blocks: list[kit.Block] = [
        kit.header(name(roadmap.title or "Roadmap", 150)),
        kit.context(fit(location, 1000)) if location else kit.context("Roadmap"),
        kit.section(
            f"*Overall* {readiness_line(total.done, total.total, 20)}\n"
            f"{plural(len(roadmap.groups), 'group')} · {plural(len(roadmap.modules), 'module')}"
        ),
        kit.divider(),
    ]
    lines = [f"{readiness_line(g.done, g.total)} *{name(g.name)}*" for g in ordered_groups(roadmap)]
    blocks += kit.sections(
        ["*Groups* (in dependency order)", *lines],
        max_blocks=10,
        max_lines=GROUPS + 1,
        more=lambda n: f"…and {plural(n, 'more group')}",
    )
    nxt = next_modules(roadmap)
    blocks.append(kit.divider())
    if nxt:
        shown = nxt[:NEXT]
        nl = [f"• *{name(m.name)}* · {name(m.group, 60)} · {readiness(m)}" for m in shown]
        if len(nxt) > len(shown):
            nl.append(f"…and {plural(len(nxt) - len(shown), 'more module')}")
        blocks += kit.sections(["*Next up*", *nl], max_blocks=2)
        blocks += kit.actions(pick_buttons(shown), 1)
    elif roadmap.modules:
        blocks.append(kit.section("*Everything on the roadmap is done.* :tada:"))
    if drift is not None:
        blocks.append(kit.divider())
        blocks.append(kit.section(drift_line(drift)))
    blocks.append(kit.divider())
    blocks.append(kit.context(_last_change(last_commit, now)))
    blocks.append(kit.context("`/roadmap help` lists what you can ask."))
    return {"type": "home", "blocks": blocks}


def drift_line(counts: Mapping[str, int]) -> str:
    """ "*Docs drift*: 2 errors · 5 warnings · 1 info" (or that there is none)."""
    parts = [
        plural(counts.get(sev, 0), sev, "info" if sev == "info" else sev + "s")
        for sev in ("error", "warning", "info")
        if counts.get(sev, 0)
    ]
    if not parts:
        return "*Docs drift*: none, the roadmap and the docs agree. :white_check_mark:"
    return f"*Docs drift*: {' · '.join(parts)}. `/roadmap drift` shows what to tick or untick."


def _last_change(commit: dict[str, Any] | None, now: datetime) -> str:
    if not commit:
        return "Last change: unknown."
    sha = fit(str(commit.get("sha") or "")[:10], 12)
    subject = fit(str(commit.get("subject") or ""), 300)
    author = fit(str(commit.get("author") or ""), 100)
    when = commit.get("when")
    parts = [f"`{sha}`" if sha else "", subject]
    line = "Last change: " + " ".join(p for p in parts if p)
    if author:
        line += f" by {author}"
    if isinstance(when, datetime):
        line += f", {ago(when, now)}"
    return line
