"""The Watch button on a module card, clicked through the real served Bolt app."""

from __future__ import annotations

from bot.slack.blocks.ids import ACTION_WATCH
from bot.store import db
from bot.store import live as store
from tests.fakes import signing
from tests.fakes.slack import FakeSlack
from tests.slack.app_server import running, settings_for
from tests.slack.helpers import buttons


def test_the_watch_button_on_a_module_card_watches_it_for_whoever_clicks(
    slack: FakeSlack,
) -> None:
    settings = settings_for(slack.url)
    with running(settings) as app:
        card = app.services.answer("Ingestion").message
        [watch] = [b for b in buttons(card.blocks) if b["action_id"] == ACTION_WATCH]
        assert watch["value"] == "Compute Modules/Ingestion"
        action = signing.button_action(ACTION_WATCH, watch["value"], text="Watch")
        assert app.click(action, slack.response_url()).status_code == 200
        [reply] = slack.wait_for_response(1, timeout=10)
        assert "You now watch the module Compute Modules/Ingestion" in reply.json["text"]
        assert reply.json["response_type"] == "ephemeral"
    engine = db.engine(settings.database_url)
    assert [(w.user, w.target) for w in store.watches(engine)] == [
        ("U0001", "module:compute modules/ingestion")
    ]
