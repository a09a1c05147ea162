"""`/roadmap drift` (a row of router.KEYWORDS): the roadmap against its docs site.

The docs are read at the roadmap's commit from the mirror, and the result is cached per tree:
a second ask is answered in the ack. A first ask on a big site takes seconds, so it is acked
at once and answered through `respond`.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.docs.cache import DriftResult

from . import blocks
from .blocks.drift import drift_card

if TYPE_CHECKING:
    from bot.repo.source import Snapshot

    from .router import Command
    from .services import Services

log = logging.getLogger(__name__)


def drift(command: Command) -> None:
    services = command.services
    try:
        snap = services.snapshot()
    except Exception as err:
        command.ack(**blocks.error_card(f"The roadmap cannot be read: {err}").as_kwargs())
        command.log["outcome"] = "unreadable"
        return
    cache = services.drift_cache()
    known = cache.peek(snap.commit) if cache is not None and snap.commit else None
    if known is not None:
        command.ack(response_type="ephemeral", **card(services, snap, known).as_kwargs())
        command.log["outcome"] = _outcome(known)
        return
    command.ack(response_type="ephemeral", text="Checking the roadmap against the docs…")
    try:
        result = services.drift(snap)
    except Exception as err:  # told to the person, never a traceback
        log.exception("drift failed")
        result = DriftResult(None, str(err))
    command.respond(replace_original=True, **card(services, snap, result).as_kwargs())
    command.log["outcome"] = _outcome(result)


def card(services: Services, snap: Snapshot, result: DriftResult) -> blocks.Message:
    if result.report is None:
        return blocks.error_card(f"Cannot check the docs: {result.error}")
    return drift_card(snap.roadmap, result.report, services.commit_line(snap))


def _outcome(result: DriftResult) -> str:
    return "drift" if result.report is not None else "drift_failed"
