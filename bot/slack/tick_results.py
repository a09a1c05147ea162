"""Tell people what became of their ticks: the card they clicked shows the true state again,
with the commit or pull request; a failure or a no-op is said to them alone.

A drift card is drawn again from drift at the branch after the ticks (a ticked cell's row
gone, the counts updated), so a person working down the list sees only what is left; when
drift cannot be had there, the result is a line of its own and the card stays."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient, WebhookResponse

from bot.blockkit.text import escape, link, truncate
from bot.slack import blocks
from bot.store import ticks as store
from bot.ticks.applier import TickOutcome

from .blocks.drift import drift_card, with_result
from .services import Services

if TYPE_CHECKING:
    from bot.repo.source import Snapshot

log = logging.getLogger(__name__)

_DONE = {
    store.APPLIED: "✅",
    store.IN_PR: "📝",
    store.MERGED: "✅",
    store.NOOP: "ℹ️",
    store.FAILED: "⚠️",
    store.CLOSED: "⚠️",
    store.PENDING: "⏳",
}
# Outcomes said to the person alone too: the card shows the state, not why nothing changed.
_SAID_ALONE = (store.FAILED, store.CLOSED, store.NOOP, store.PENDING)


def result_line(o: TickOutcome) -> str:
    t = o.tick
    what = f"*{escape(o.module_name)}* / {escape(t.column)}"
    if o.state == store.APPLIED:
        where = (
            link(o.url, f"commit {o.sha[:7]}")
            if o.url and o.sha
            else f"commit `{(o.sha or '')[:7]}`"
        )
        return f"{_DONE[o.state]} {t.verb.capitalize()}ed {what}: {where}"
    if o.state == store.IN_PR:
        pr = link(o.url or "", "the roadmap pull request")
        return f"{_DONE[o.state]} {what}: pending review in {pr}"
    if o.state == store.MERGED:
        return f"{_DONE[o.state]} {what}: the pull request with this change landed"
    icon = _DONE.get(o.state, "ℹ️")
    # The detail often starts with the cell it is about ("Ingestion / API is already done"):
    # said once, not "Ingestion / API: Ingestion / API is …".
    for said in (f"{o.module_name} / {t.column} ", f"{t.module} / {t.column} "):
        if o.detail.startswith(said):
            return f"{icon} {what} {escape(o.detail[len(said) :])}"
    return f"{icon} {what}: {escape(o.detail)}"


def tell(services: Services, client: WebClient, outcomes: list[TickOutcome]) -> list[TickOutcome]:
    """Each card the ticks came from shows the roadmap after them, with the result; the
    App Home of whoever ticked from there is published again. Returns the outcomes Slack
    accepted: one that failed (Slack down, an error) is left for a later run to tell."""
    try:
        snap = services.refresh()  # the branch after the change, once for the whole batch
    except Exception as err:
        log.warning("roadmap refresh after ticks failed: %s", err)
        snap = services.snapshot()
    homes: set[str] = set()
    batches: dict[str, list[TickOutcome]] = {}
    drift_cards: dict[tuple[str, str], list[TickOutcome]] = {}
    accepted: list[TickOutcome] = []

    def on_drift_card(group: list[TickOutcome], line: str) -> None:
        """One drawing of the card for every tick from it in this run (clicks down the list
        applied together), on the freshest response_url; failures also as a line."""
        hook = WebhookClient(str(group[-1].tick.response_url))
        card = drift_card_at(services, snap, line)
        if card is not None:
            _sent(hook.send(text=card.text, blocks=card.blocks, replace_original=True))
        if card is None or any(o.state in _SAID_ALONE for o in group):
            _sent(hook.send(text=line, response_type="ephemeral", replace_original=False))

    def from_drift_card(group: list[TickOutcome]) -> None:
        on_drift_card(group, "\n".join(result_line(o) for o in group))

    def one(o: TickOutcome) -> None:
        t = o.tick
        line = result_line(o)
        if t.response_url:
            reply = services.answer(t.module, snap).message
            card = blocks.Message(reply.text, [*reply.blocks, _context(line)][:50])
            hook = WebhookClient(t.response_url)
            _sent(hook.send(text=card.text, blocks=card.blocks, replace_original=True))
            if o.state in _SAID_ALONE:
                _sent(hook.send(text=line, response_type="ephemeral", replace_original=False))
        elif t.surface == "home":
            homes.add(t.user_id)
            if t.message_ts:  # the modal the click came from shows the true state again
                card = services.answer(t.module, snap).message
                view = blocks.modal(blocks.Message(card.text, [*card.blocks, _context(line)]))
                try:
                    client.views_update(view_id=t.message_ts, view=view)
                except Exception as err:  # closed meanwhile, most likely: the Home shows it
                    log.info("views.update after a tick failed: %s", err)
            if o.state in _SAID_ALONE:
                client.chat_postMessage(channel=t.user_id, text=line)

    def together(outcomes: list[TickOutcome]) -> None:
        t = outcomes[0].tick
        line = batch_line(outcomes)
        if t.surface == "drift" and t.response_url:
            on_drift_card(outcomes, line)
        elif t.response_url:
            _sent(
                WebhookClient(t.response_url).send(
                    text=line, response_type="ephemeral", replace_original=False
                )
            )
        else:
            client.chat_postMessage(channel=t.user_id, text=line)
        if t.surface == "home":
            homes.add(t.user_id)

    for o in outcomes:
        t = o.tick
        if t.batch is not None:  # told once per batch, below
            batches.setdefault(t.batch, []).append(o)
        elif t.surface == "drift" and t.response_url:  # told once per card, below
            drift_cards.setdefault((t.user_id, t.message_ts or t.response_url), []).append(o)
        elif _told(f"tick {t.id}", one, o):
            accepted.append(o)
    for group in batches.values():
        if _told(f"batch of {len(group)} ticks", together, group):
            accepted += group
    for group in drift_cards.values():
        if _told(f"{len(group)} tick(s) from a drift card", from_drift_card, group):
            accepted += group
    for user in homes:
        try:
            client.views_publish(user_id=user, view=services.home_view(snap))
        except Exception as err:  # the news itself was told; the Home catches up when opened
            log.warning("views.publish after ticks failed: %s", err)
    return accepted


def drift_card_at(
    services: Services, snap: Snapshot, line: str, *, known_only: bool = False
) -> blocks.Message | None:
    """The drift card at `snap`, the ticks on their way in their rows, `line` under its
    header; None when drift cannot be had at `snap` (an error, no docs site), or, with
    `known_only` (before a tick is applied: no wait for seconds of drift), is not known yet."""
    try:
        result = services.drift_known(snap) if known_only else services.drift(snap)
    except Exception as err:  # the line is told alone instead
        log.warning("drift after ticks failed: %s", err)
        return None
    if result is None or result.report is None:
        return None
    card = drift_card(snap.roadmap, result.report, services.commit_line(snap), services.waiting())
    return with_result(card, line)


def _told(what: str, send: Callable[[Any], None], item: Any) -> bool:
    try:
        send(item)
        return True
    except Exception as err:
        log.warning("could not tell %s (%s); told on a later run", what, err)
        return False


def _sent(response: WebhookResponse) -> None:
    """A response_url answer that Slack did not accept is not told: raise to say so."""
    if response.status_code != 200:
        raise RuntimeError(f"response_url answered {response.status_code}: {response.body[:100]}")


def batch_line(outcomes: list[TickOutcome]) -> str:
    """What became of a batch ("Tick all N ready"): one line for the cells made, one per
    cell that was not (a no-op, a failure)."""
    made = [o for o in outcomes if o.state in (store.APPLIED, store.IN_PR, store.MERGED)]
    lines: list[str] = []
    if made:
        first = made[0]
        cells = f"{len(made)} cell{'s' * (len(made) != 1)}"
        if first.state == store.IN_PR:
            pr = link(first.url or "", "the roadmap pull request")
            lines.append(f"📝 {cells} ticked in {pr}")
        elif first.state == store.APPLIED:
            shas = {o.sha for o in made}
            where = (
                link(first.url, f"commit {first.sha[:7]}")
                if first.url and first.sha
                else f"commit `{(first.sha or '')[:7]}`"
            )
            commits = where if len(shas) == 1 else f"{len(shas)} commits"
            lines.append(f"✅ Ticked {cells} in {commits}")
        else:
            lines.append(f"✅ {cells}: the pull request with them landed")
    lines += [result_line(o) for o in outcomes if o not in made]
    return "\n".join(lines)[:3000]


def _context(text: str) -> dict[str, object]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": truncate(text, 3000)}]}
