"""Tell people what became of their ticks: the card they clicked shows the true state again,
with the commit or pull request; a failure or a no-op is said to them alone."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient, WebhookResponse

from bot.blockkit.text import escape, link, truncate
from bot.slack import blocks
from bot.store import ticks as store
from bot.ticks.applier import TickOutcome

from .services import Services

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
    accepted: list[TickOutcome] = []

    def one(o: TickOutcome) -> None:
        t = o.tick
        line = result_line(o)
        if t.surface == "drift" and t.response_url:  # the drift card stays: the result alone
            _sent(
                WebhookClient(t.response_url).send(
                    text=line, response_type="ephemeral", replace_original=False
                )
            )
        elif t.response_url:
            reply = services.answer(t.module, snap).message
            card = blocks.Message(reply.text, [*reply.blocks, _context(line)][:50])
            hook = WebhookClient(t.response_url)
            _sent(hook.send(text=card.text, blocks=card.blocks, replace_original=True))
            if o.state in (store.FAILED, store.CLOSED, store.NOOP, store.PENDING):
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
            if o.state in (store.FAILED, store.CLOSED, store.NOOP, store.PENDING):
                client.chat_postMessage(channel=t.user_id, text=line)

    def together(outcomes: list[TickOutcome]) -> None:
        t = outcomes[0].tick
        line = batch_line(outcomes)
        if t.response_url:
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
        if o.tick.batch is not None:  # told once per batch, below
            batches.setdefault(o.tick.batch, []).append(o)
        elif _told(f"tick {o.tick.id}", one, o):
            accepted.append(o)
    for group in batches.values():
        if _told(f"batch of {len(group)} ticks", together, group):
            accepted += group
    for user in homes:
        try:
            client.views_publish(user_id=user, view=services.home_view(snap))
        except Exception as err:  # the news itself was told; the Home catches up when opened
            log.warning("views.publish after ticks failed: %s", err)
    return accepted


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
