"""`/roadmap subscribe changes [group …]`, `subscriptions`, `unsubscribe …`, `watch`,
`unwatch`, `watches` (rows of router.KEYWORDS).

`subscribe` and `unsubscribe` alone (or with `digest`) keep meaning the weekly digest
(digest_commands); `changes` is the live feed. Groups are named as people type them: any
case, a unique prefix, several separated by commas or simply one after the other. Each
answer is ephemeral and says what the channel or person now gets.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from bot.blockkit.text import escape, name
from bot.errors import UserInputError
from bot.roadmap.lookup import find_any, find_group
from bot.roadmap.model import Group, Module, Roadmap
from bot.roadmap.transitions import watch_key
from bot.store import live as store

from . import blocks, digest_commands

if TYPE_CHECKING:
    from .router import Command
    from .services import Services

log = logging.getLogger(__name__)


def _engine(command: Command) -> Engine:
    from bot.store import db

    return db.engine(command.services.settings.database_url)


def _reply(command: Command, text: str) -> None:
    command.respond(response_type="ephemeral", replace_original=False, text=text)


def _guarded(name: str, work: Callable[[Command], str]) -> Callable[[Command], None]:
    """A handler: ack at once, then the store write, the answer through `respond`."""

    def handler(command: Command) -> None:
        command.ack()
        command.log["outcome"] = name
        try:
            text = work(command)
        except UserInputError as err:
            command.respond(**blocks.error_card(str(err)).as_kwargs())
            command.log["outcome"] = f"{name}_refused"
            return
        except Exception as err:  # told to the person, never a traceback
            log.warning("%s failed: %s", name, err)
            command.respond(**blocks.error_card(f"Could not {name}: {err}").as_kwargs())
            command.log["outcome"] = f"{name}_failed"
            return
        _reply(command, text)

    return handler


def _first_word(words: str) -> tuple[str, str]:
    word, _, rest = words.partition(" ")
    return word.casefold(), rest.strip()


def parse_groups(roadmap: Roadmap, words: str) -> list[Group]:
    """The groups `words` names: separated by commas, or one after another (the longest
    name that matches wins). UserInputError naming the words that match no group."""
    found: list[Group] = []
    for chunk in words.split(","):
        tokens = chunk.split()
        i = 0
        while i < len(tokens):
            for j in range(len(tokens), i, -1):
                hit = find_group(roadmap, " ".join(tokens[i:j]))
                if hit.item is not None:
                    if hit.item not in found:
                        found.append(hit.item)
                    i = j
                    break
            else:
                rest = " ".join(tokens[i:])
                shown = ", ".join(g.name for g in roadmap.groups[:8])
                raise UserInputError(f"No group matches '{rest[:100]}'. Groups: {shown}")
    return found


def subscribe(command: Command) -> None:
    kind, rest = _first_word(command.words)
    if kind in ("", "digest") and not rest:
        digest_commands.subscribe(command)
    elif kind == "changes":
        _subscribe_changes(command)
    elif kind == "digest":
        _subscribe_digest(command)
    else:
        command.ack()
        text = "Try `/roadmap subscribe changes [group …]` or `/roadmap subscribe` (the digest)."
        _reply(command, text)


def unsubscribe(command: Command) -> None:
    kind, rest = _first_word(command.words)
    if kind in ("", "digest") and not rest:
        digest_commands.unsubscribe(command)
        channel = command.payload.get("channel_id")
        if channel:  # its group filter goes with it
            store.unsubscribe(_engine(command), str(channel), store.DIGEST, [])
    elif kind == "changes":
        _unsubscribe_changes(command)
    elif kind == "digest":
        _unsubscribe_digest(command)
    else:
        command.ack()
        text = "Try `/roadmap unsubscribe changes [group …]` or `/roadmap unsubscribe`."
        _reply(command, text)


def _channel(command: Command) -> str:
    channel = command.payload.get("channel_id")
    if not channel:
        raise UserInputError("This command needs a channel.")
    return str(channel)


def _subscribe_changes_text(command: Command) -> str:
    channel = _channel(command)
    _, rest = _first_word(command.words)
    groups = parse_groups(command.services.snapshot().roadmap, rest) if rest else []
    pairs = [(g.key, g.name) for g in groups]
    engine = _engine(command)
    changed = store.subscribe(engine, channel, store.CHANGES, pairs, command.user, command.now())
    what = _groups_text([g.name for g in groups])
    if changed:
        return (
            f"This channel now gets roadmap changes as they land ({what}). The bot posts them "
            "as a member: if it is not in this channel yet, invite it (`/invite @roadmap-bot`)."
        )
    return f"This channel already gets roadmap changes ({_current(command, channel)})."


def _unsubscribe_changes_text(command: Command) -> str:
    channel = _channel(command)
    _, rest = _first_word(command.words)
    groups = parse_groups(command.services.snapshot().roadmap, rest) if rest else []
    gone = store.unsubscribe(_engine(command), channel, store.CHANGES, [g.key for g in groups])
    if not gone:
        return "This channel was not getting those roadmap changes."
    left = _current(command, channel)
    if left:
        return f"Done. This channel still gets roadmap changes ({left})."
    return "This channel no longer gets roadmap changes."


def _subscribe_digest_text(command: Command) -> str:
    """`subscribe digest <group …>`: the digest here, narrowed to those groups."""
    from bot.store import digest as digest_store

    channel = _channel(command)
    _, rest = _first_word(command.words)
    groups = parse_groups(command.services.snapshot().roadmap, rest)
    engine = _engine(command)
    digest_store.subscribe(engine, channel, command.user, command.now())
    # A filter on a channel that got every group: replace "every group" by the filter.
    store.unsubscribe(engine, channel, store.DIGEST, [""])
    pairs = [(g.key, g.name) for g in groups]
    store.subscribe(engine, channel, store.DIGEST, pairs, command.user, command.now())
    return f"This channel gets the weekly digest for {_digest_filter(command, channel)}."


def _unsubscribe_digest_text(command: Command) -> str:
    """`unsubscribe digest <group …>`: drop those groups from the digest's filter."""
    channel = _channel(command)
    _, rest = _first_word(command.words)
    groups = parse_groups(command.services.snapshot().roadmap, rest)
    store.unsubscribe(_engine(command), channel, store.DIGEST, [g.key for g in groups])
    return f"This channel's weekly digest now covers {_digest_filter(command, channel)}."


def _digest_filter(command: Command, channel: str) -> str:
    subs = [s for s in store.subscriptions(_engine(command), channel) if s.kind == store.DIGEST]
    return _groups_text([s.group_name for s in subs if s.group_key])


_subscribe_digest = _guarded("subscribe_digest", _subscribe_digest_text)
_unsubscribe_digest = _guarded("unsubscribe_digest", _unsubscribe_digest_text)


def _groups_text(names: list[str]) -> str:
    if not names:
        return "every group"
    return "groups: " + ", ".join(escape(n) for n in names)


def _current(command: Command, channel: str) -> str:
    subs = [s for s in store.subscriptions(_engine(command), channel) if s.kind == store.CHANGES]
    if not subs:
        return ""
    return _groups_text([s.group_name for s in subs if s.group_key])


_subscribe_changes = _guarded("subscribe_changes", _subscribe_changes_text)
_unsubscribe_changes = _guarded("unsubscribe_changes", _unsubscribe_changes_text)


def _subscriptions_text(command: Command) -> str:
    from bot.store import digest as digest_store

    channel = _channel(command)
    engine = _engine(command)
    lines = []
    digest = _digest_filter(command, channel)
    if command.services.settings.digest_channel == channel:
        lines.append(f"• the weekly digest, {digest} (DIGEST_CHANNEL names this channel)")
    elif digest_store.is_subscribed(engine, channel):
        lines.append(f"• the weekly digest, {digest} (`/roadmap unsubscribe` stops it)")
    changes = _current(command, channel)
    if changes:
        lines.append(
            f"• roadmap changes as they land, {changes} (`/roadmap unsubscribe changes` stops it)"
        )
    if not lines:
        return (
            "This channel gets nothing from the roadmap bot. Try `/roadmap subscribe` (the "
            "weekly digest) or `/roadmap subscribe changes [group …]`."
        )
    return "This channel gets:\n" + "\n".join(lines)


subscriptions = _guarded("subscriptions", _subscriptions_text)


# --- watches ---------------------------------------------------------------------------------


def _target(roadmap: Roadmap, words: str) -> Module | Group:
    if not words:
        raise UserInputError("Which module or group? e.g. `/roadmap watch Ingestion`")
    found = find_any(roadmap, words)
    if isinstance(found.item, Module | Group):
        return found.item
    if isinstance(found.item, str):
        raise UserInputError(f"'{words[:100]}' is a column: watch a module or a group.")
    if found.candidates:
        names = ", ".join(_label(m) for m in found.candidates[:8])
        raise UserInputError(f"'{words[:100]}' matches several: {names}. Say which.")
    hint = ", ".join(_label(s) for s in found.suggestions[:5])
    more = f" Did you mean: {hint}?" if hint else ""
    raise UserInputError(f"No module or group matches '{words[:100]}'.{more}")


def _label(item: object) -> str:
    if isinstance(item, Module):
        return item.qualified
    return item.name if isinstance(item, Group) else str(item)


def watch_for(services: Services, user: str, words: str, now: datetime) -> str:
    """Watch what `words` names for `user` (a command or a card's Watch button); the answer
    to tell them. UserInputError when `words` names no module or group."""
    from bot.store import db

    item = _target(services.snapshot().roadmap, words)
    what = "group" if isinstance(item, Group) else "module"
    label = escape(item.qualified if isinstance(item, Module) else item.name)
    engine = db.engine(services.settings.database_url)
    if not store.watch(engine, user, watch_key(item), label, now):
        return f"You already watch the {what} {label}."
    events = (
        "becomes unblocked, crosses 50% and is done"
        if what == "group"
        else "becomes unblocked and when it is done"
    )
    return f"You now watch the {what} {label}: a DM when it {events}."


def _watch_text(command: Command) -> str:
    return watch_for(command.services, command.user, command.words, command.now())


def _unwatch_text(command: Command) -> str:
    words = command.words
    engine = _engine(command)
    mine = store.watches(engine, command.user)
    key = " ".join(words.split()).casefold()
    target = next((w for w in mine if w.name.casefold() == key), None)
    if target is None:
        try:
            item = _target(command.services.snapshot().roadmap, words)
            target = next((w for w in mine if w.target == watch_key(item)), None)
        except UserInputError:
            target = None
    if target is None or not store.unwatch(engine, command.user, target.target):
        return f"You were not watching '{name(words, 100)}'. `/roadmap watches` lists your watches."
    return f"You no longer watch {target.name}."


def _watches_text(command: Command) -> str:
    mine = store.watches(_engine(command), command.user)
    if not mine:
        return "You watch nothing yet. `/roadmap watch <module|group>` to start."
    lines = [f"• {w.name} ({'group' if w.target.startswith('group:') else 'module'})" for w in mine]
    return "You watch:\n" + "\n".join(lines)


watch = _guarded("watch", _watch_text)
unwatch = _guarded("unwatch", _unwatch_text)
watches = _guarded("watches", _watches_text)
