"""The Bolt app: built from the services, listeners registered by surface (listeners/)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from . import listeners
from .services import Services


class _SameToken(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN itself and warns that our client (the same token, with
    SLACK_API_URL as its base) wins over it: true and harmless, but it alarms operators."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


logging.getLogger("slack_bolt.App").addFilter(_SameToken())


def build_app(services: Services, client: WebClient | None = None) -> App:
    settings = services.settings
    client = client or WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url)
    app = App(
        client=client,
        signing_secret=settings.slack_signing_secret,
        # auth.test at start-up: a wrong token fails `serve` at once, not on the first click.
        token_verification_enabled=True,
        # Bolt would otherwise answer an unhandled request (a new Slack feature) with 404s
        # that Slack retries; unmatched requests are acked and ignored instead.
        raise_error_for_unhandled_request=False,
    )
    app.middleware(_with(services))
    listeners.register(app)
    return app


def _with(services: Services) -> Callable[[BoltContext, Callable[[], None]], None]:
    """Middleware that hands `services` to every listener: Bolt passes a listener each
    context key its signature names, as it passes `ack` or `client`."""

    def middleware(context: BoltContext, next_: Callable[[], None]) -> None:
        context["services"] = services
        next_()

    return middleware
