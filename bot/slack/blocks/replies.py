"""Short replies: help, did-you-mean, which-one, and one-line errors."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from bot.blockkit import kit
from bot.blockkit.text import code, escape, fit, plural
from bot.roadmap.lookup import Found
from bot.roadmap.model import Group, Module

from .common import module_label
from .ids import pick_action_id

MAX_CHOICES = 25  # one actions block
QUERY = 100  # a pasted paragraph is quoted, not echoed whole

# What /roadmap answers besides its keywords (each keyword's line is in router.KEYWORDS).
LOOKUP_USAGE = [
    ("/roadmap", "every group with its progress, and what is next"),
    ("/roadmap <module>", "a module's columns, blockers and rules, with tick buttons"),
    ("/roadmap <group>", "a group's modules and what blocks it"),
    ("/roadmap <Group>/<module>", "one of several modules with the same name"),
    ("/roadmap <column>", "one readiness track (e.g. API) across every module"),
    ("/roadmap [anything above] @2026-10-01", "the same card as the roadmap was on that date"),
]


def help_card(usage: Sequence[tuple[str, str]]) -> kit.Message:
    """`usage`: (how to ask, what it answers), one line each, in order."""
    lines = [f"`{code(cmd)}`: {what}" for cmd, what in usage]
    blocks = [
        kit.header("How to use /roadmap"),
        kit.section("\n".join(lines)),
        kit.context(
            "Names match the way you type them: any case, a unique prefix, or the start of "
            "each word (`data contr`). Ticks become commits (or a pull request) on the "
            "roadmap file."
        ),
    ]
    return kit.message(
        "How to use /roadmap: /roadmap [module | group | next | blockers | help]", blocks
    )


def not_found(found: Found[Any], kind: str = "module") -> kit.Message:
    """ "No module matches 'Catalg'. Did you mean…" with a button per suggestion."""
    if found.candidates and not found.suggestions:
        return ambiguous(found)
    query = fit(found.query.strip(), QUERY)
    if not found.query.strip():
        text = f"Which {escape(kind)}? Try `/roadmap` for the list, or `/roadmap help`."
        return kit.message(text, [kit.section(text)])
    head = f"No {escape(kind)} matches '{query}'."
    if not found.suggestions:
        text = f"{head} Try `/roadmap` for the list of groups and modules."
        return kit.message(text, [kit.section(text)])
    items = list(found.suggestions)[:MAX_CHOICES]
    names = Counter(_name(it) for it in items)
    buttons = [
        kit.button(
            # Same name twice (two groups): the label says which group.
            module_label(it)
            if isinstance(it, Module) and names[it.name] > 1
            else escape(_name(it)),
            pick_action_id(i),
            _value(it),
        )
        for i, it in enumerate(items)
    ]
    blocks = [kit.section(f"{head} Did you mean…"), *kit.actions(buttons, 1)]
    return kit.message(f"{head} Did you mean {fit(_name(items[0]), 200)}?", blocks)


def ambiguous(found: Found[Any]) -> kit.Message:
    """The candidates a query matched, as buttons whose values pick exactly one."""
    items = list(found.candidates)
    query = fit(found.query.strip(), QUERY)
    head = f"'{query}' matches {plural(len(items), 'name')}. Which one?"
    shown = items[:MAX_CHOICES]
    buttons = [
        kit.button(
            module_label(it) if isinstance(it, Module) else escape(_name(it)),
            pick_action_id(i),
            _value(it),
        )
        for i, it in enumerate(shown)
    ]
    blocks = [kit.section(head), *kit.actions(buttons, 1)]
    if len(items) > len(shown):
        blocks.append(kit.context(f"…and {len(items) - len(shown)} more: type more of the name."))
    return kit.message(head, blocks)


def error_card(message: str) -> kit.Message:
    """One line a person can act on; the message is escaped (it may quote their input)."""
    text = fit(message.strip() or "Something went wrong.", 2900)
    return kit.message(text, [kit.section(f":warning: {text}")])


def _name(item: Any) -> str:
    if isinstance(item, (Module, Group)):
        return item.name
    return str(item)


def _value(item: Any) -> str:
    """What a pick re-queries: "Group/Module" is unique even where module names repeat."""
    if isinstance(item, Module):
        return item.qualified
    return _name(item)
