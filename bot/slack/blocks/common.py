"""Pieces several cards share: names, bars, blocker lines, rules, pick and share buttons."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.blockkit import kit
from bot.blockkit.text import (
    NAME,
    code,
    escape,
    fit,
    join_names,
    mrkdwn_from_markdown,
    name,
    plural,
    truncate,
)
from bot.repo.source import Snapshot
from bot.roadmap.analysis import Blocker, order_index, rules_for_group
from bot.roadmap.model import Group, Module, Roadmap

from .ids import ACTION_SHARE, ACTION_WATCH, pick_action_id

LINE = 600


def ordered_groups(roadmap: Roadmap) -> list[Group]:
    """Groups in dependency order, then those the order does not list, in file order."""
    index = order_index(roadmap)
    last = len(index)
    return sorted(roadmap.groups, key=lambda g: index.get(g.key, last))


def blocker_line(blocker: Blocker) -> str:
    """ "*Access Modules* (3): Authentication, Authorization, Subscription Enforcement"."""
    names = join_names((m.name for m in blocker.modules), LINE - NAME - 12)
    return f"*{name(blocker.group)}* ({len(blocker.modules)}): {names}"


def blocker_blocks(
    blockers: Sequence[Blocker], subject: str, in_order: bool, max_blocks: int = 3
) -> list[kit.Block]:
    """The blockers of `subject` (escaped), or why there are none."""
    if not in_order:
        return [kit.section(f"*Blockers*: none; {subject} is not in the dependency order.")]
    if not blockers:
        return [kit.section(f"*Blockers*: none; every group before {subject} is done.")]
    head = (
        f"*Blocked by* {plural(len(blockers), 'group')} earlier in the dependency order "
        "(not done yet):"
    )
    lines = [head, *(blocker_line(b) for b in blockers)]
    return kit.sections(
        lines, max_blocks, more=lambda n: f"…and {plural(n, 'more group')}", max_lines=13
    )


def rule_blocks(roadmap: Roadmap, group: str, max_blocks: int = 2) -> list[kit.Block]:
    """The development rules that mention `group`, as written (links made Slack links)."""
    rules = rules_for_group(roadmap, group)
    if not rules:
        return []
    lines = [
        f"*Rules for {name(group)}*",
        *(truncate(f"• {mrkdwn_from_markdown(r)}", LINE) for r in rules),
    ]
    return kit.sections(
        lines, max_blocks, more=lambda n: f"…and {plural(n, 'more rule')}", max_lines=11
    )


def share_button(query: str) -> kit.Block | None:
    """Post the card in the channel; `query` re-renders it ("" = the overview)."""
    return kit.button("Share in channel", ACTION_SHARE, query)


def watch_button(item: Module | Group) -> kit.Block | None:
    """Watch a module or a group: a DM when it is unblocked, half way (a group), done."""
    value = item.qualified if isinstance(item, Module) else item.name
    return kit.button("Watch", ACTION_WATCH, value)


def modal(message: kit.Message, title: str = "Roadmap") -> dict[str, Any]:
    """A card as a modal view, without its Share button: a modal (opened from App Home) has
    no channel and no response_url to share into."""
    kept: list[kit.Block] = []
    for block in message.blocks:
        if block.get("type") == "actions":
            elements = [e for e in block["elements"] if e.get("action_id") != ACTION_SHARE]
            if not elements:
                continue
            block = {**block, "elements": elements}
        kept.append(block)
    return kit.modal(kit.Message(message.text, kept), title)


def as_of_note(snap: Snapshot) -> kit.Block:
    """The context line of a past card: which commit it shows, by whom, when."""
    sha = code((snap.commit or "")[:7])
    who = f" by {fit(snap.author, 100)}" if snap.author else ""
    when = f" on {snap.committed_at:%Y-%m-%d %H:%M %Z}" if snap.committed_at else ""
    return kit.context(
        f":hourglass: As it was: {fit(snap.location, 500)} · commit `{sha}`{who}{when}. "
        "Buttons are left out: they act on the roadmap now."
    )


def pick_buttons(items: Sequence[Module | Group], start: int = 0) -> list[kit.Block | None]:
    """One button per module (value "Group/Module", unique even when names repeat) or group."""
    out: list[kit.Block | None] = []
    for i, item in enumerate(items, start):
        value = item.qualified if isinstance(item, Module) else item.name
        out.append(kit.button(escape(item.name), pick_action_id(i), value))
    return out


def module_label(m: Module) -> str:
    """ "Catalog · Consumption Modules", for buttons where the group tells names apart."""
    return f"{name(m.name, 45)} · {name(m.group, 25)}"
