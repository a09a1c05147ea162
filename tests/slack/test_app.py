"""The Bolt app driven as Slack drives it: signed requests over HTTP, a fake Web API."""

from __future__ import annotations

import fcntl
import json
import logging
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from bot.slack.blocks import ACTION_PICK, ACTION_SHARE, check_message
from tests.fakes import signing
from tests.fakes.slack import FakeSlack
from tests.support.git import make_remote

from .app_server import SECRET, TOKEN, running, settings_for


def texts(blocks: list[dict[str, Any]]) -> str:
    """Every text in a message, to search in."""
    return json.dumps(blocks, ensure_ascii=False)


def rendered(blocks: list[dict[str, Any]]) -> str:
    """The texts Slack shows; button values come back to the bot and are never rendered."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    found.append(value)
                elif key != "value":
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    return "\n".join(found)


def buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        el
        for b in blocks
        for el in b.get("elements", []) + ([b["accessory"]] if "accessory" in b else [])
        if el.get("type") == "button"
    ]


@pytest.fixture
def slack() -> Any:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def bot(slack: FakeSlack) -> Any:
    with running(settings_for(slack.url)) as app:
        yield app


def test_module_card_in_the_ack(bot: Any, slack: FakeSlack) -> None:
    resp = bot.command("Ingestion", slack.response_url())
    assert resp.status_code == 200
    reply = resp.json()
    assert reply["response_type"] == "ephemeral"
    assert "Ingestion" in reply["text"]
    body = texts(reply["blocks"])
    assert "0/7" in body
    for group in (
        "Access Modules",
        "Security Modules",
        "Host Modules",
        "Data Utilities Modules",
        "Data Storage Modules",
        "Runtime Modules",
    ):
        assert group in body
    assert "Establish Host and Utilities before Compute." in body
    assert check_message(reply["blocks"]) == []
    assert (
        len([b for b in buttons(reply["blocks"]) if b["action_id"].startswith("roadmap_tick")]) == 7
    )
    assert any(b["action_id"] == ACTION_SHARE for b in buttons(reply["blocks"]))


def test_overview_next_help_and_group(bot: Any, slack: FakeSlack) -> None:
    overview = bot.command("", slack.response_url()).json()
    assert "7/259" in texts(overview["blocks"]) and "Authentication" in texts(overview["blocks"])
    nxt = bot.command("next", slack.response_url()).json()
    assert [b["value"] for b in buttons(nxt["blocks"]) if b["action_id"].startswith(ACTION_PICK)][
        :3
    ]
    assert "Subscription Enforcement" in texts(nxt["blocks"])
    assert "/roadmap" in texts(bot.command("help", slack.response_url()).json()["blocks"])
    group = bot.command("host modules", slack.response_url()).json()
    assert "Policy Engine" in texts(group["blocks"]) and "7/28" in texts(group["blocks"])
    for reply in (overview, nxt, group):
        assert reply["text"] and check_message(reply["blocks"]) == []


def test_did_you_mean_then_pick(bot: Any, slack: FakeSlack) -> None:
    reply = bot.command("Catalg", slack.response_url()).json()
    picks = [b for b in buttons(reply["blocks"]) if b["action_id"].startswith(ACTION_PICK)]
    catalog = next(
        b for b in picks if b["value"].endswith("Catalog") and "Action" not in b["value"]
    )
    url = slack.response_url()
    assert (
        bot.click(signing.button_action(catalog["action_id"], catalog["value"]), url).status_code
        == 200
    )
    [posted] = slack.wait_for_response(1)
    assert posted.url == url
    assert posted.json["replace_original"] is True
    assert "Catalog" in posted.json["text"] and "0/7" in texts(posted.json["blocks"])


def test_ambiguous_lists_candidates(bot: Any, slack: FakeSlack) -> None:
    reply = bot.command("Action", slack.response_url()).json()
    values = {
        b["value"] for b in buttons(reply["blocks"]) if b["action_id"].startswith(ACTION_PICK)
    }
    for name in ("Action Engine", "Action Catalog", "Action Delivery"):
        assert any(v.endswith(name) for v in values)


def test_share_posts_in_channel(bot: Any, slack: FakeSlack) -> None:
    url = slack.response_url()
    bot.click(signing.button_action(ACTION_SHARE, "Ingestion"), url)
    [posted] = slack.wait_for_response(1)
    assert posted.json["response_type"] == "in_channel"
    assert "0/7" in texts(posted.json["blocks"]) and signing.USER_ID in texts(posted.json["blocks"])


def test_app_home_published(bot: Any, slack: FakeSlack) -> None:
    assert bot.event(signing.app_home_opened_event()).status_code == 200
    [call] = slack.wait_for("views.publish")
    assert call.params["user_id"] == signing.USER_ID
    view = call.params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["type"] == "home"
    assert check_message(view["blocks"], home=True) == []
    assert "Authentication" in texts(view["blocks"])


def test_bad_signature_and_old_timestamp_are_refused(bot: Any, slack: FakeSlack) -> None:
    url = slack.response_url()
    body = signing.slash_command_body(text="Ingestion", response_url=url)
    assert signing.post(bot.url + "/slack/events", body, "wrong-secret").status_code == 401
    old = int(time.time()) - 6 * 60
    assert signing.post(bot.url + "/slack/events", body, SECRET, timestamp=old).status_code == 401
    unsigned = requests.post(
        bot.url + "/slack/events", data=body, headers={"Content-Type": signing.FORM}, timeout=5
    )
    assert unsigned.status_code == 401
    time.sleep(0.2)
    assert slack.responses == [] and [c for c in slack.calls if c.method != "auth.test"] == []


def test_healthz(bot: Any) -> None:
    resp = requests.get(bot.url + "/healthz", timeout=5)
    assert resp.status_code == 200 and resp.json()["modules"] == 37


def test_one_log_line_per_request_without_tokens(
    bot: Any, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="roadmap_bot")
    bot.command("Ingestion", slack.response_url())
    bot.command("Nope-Nothing", slack.response_url())
    records = [r for r in caplog.records if r.name == "roadmap_bot"]
    assert len(records) == 2
    first, second = (r.fields for r in records)  # type: ignore[attr-defined]
    assert first["command"] == "/roadmap" and first["module"] == "Ingestion"
    assert first["outcome"] == "module" and first["latency_ms"] >= 0
    assert second["outcome"] == "not_found"
    assert TOKEN not in caplog.text and SECRET not in caplog.text


# --- roadmaps from a git repository ---------------------------------------------------------


MENTIONS = """# Roadmap

## Dependency order
- <!channel> Group

## Checklists
| Module | API | Docs |
|---|---|---|
| **<!channel> Group** | | |
| <!channel> & <@U123> co | [ ] | [x] |
"""


def test_names_from_the_file_are_escaped(tmp_path: Path, slack: FakeSlack) -> None:
    bare = make_remote(tmp_path, MENTIONS).bare
    settings = settings_for(slack.url, roadmap_repo=str(bare), cache_dir=str(tmp_path / "cache"))
    with running(settings) as bot:
        reply = bot.command("<!channel> &", slack.response_url()).json()
    body = rendered(reply["blocks"]) + reply["text"]
    assert "&lt;!channel&gt; &amp; &lt;@U123&gt; co" in body
    assert "<!channel>" not in body and "<@U123>" not in body


def test_answers_while_a_refresh_is_stuck(
    tmp_path: Path, slack: FakeSlack, example_text: str
) -> None:
    """Nothing slow before the ack: with the repository's lock held (a fetch that hangs),
    the command is still answered from the roadmap already read."""
    bare = make_remote(tmp_path, example_text).bare
    cache = tmp_path / "cache"
    settings = settings_for(
        slack.url, roadmap_repo=str(bare), cache_dir=str(cache), roadmap_refresh_seconds=0
    )
    with running(settings) as bot:
        locks = [p for p in cache.rglob("*") if p.is_file() and p.name.endswith(".lock")]
        assert locks, "the git mirror keeps a lock file"
        with locks[0].open("a") as held:
            fcntl.flock(held, fcntl.LOCK_EX)
            started = time.perf_counter()
            resp = bot.command("Ingestion", slack.response_url())
            elapsed = time.perf_counter() - started
            fcntl.flock(held, fcntl.LOCK_UN)
    assert resp.status_code == 200 and "0/7" in texts(resp.json()["blocks"])
    assert elapsed < 3.0


def test_new_commits_show_after_refresh(
    tmp_path: Path, slack: FakeSlack, example_text: str
) -> None:
    remote = make_remote(tmp_path, example_text)
    settings = settings_for(
        slack.url,
        roadmap_repo=str(remote.bare),
        cache_dir=str(tmp_path / "cache"),
        roadmap_refresh_seconds=3600,
    )
    with running(settings) as bot:
        assert "0/7" in texts(bot.command("Ingestion", slack.response_url()).json()["blocks"])
        remote.commit_by_hand(
            lambda b: b.replace(
                b"| Ingestion                  | [ ]", b"| Ingestion                  | [x]"
            ),
            "tick Ingestion / Index by hand",
        )
        assert "0/7" in texts(bot.command("Ingestion", slack.response_url()).json()["blocks"])
        bot.command("refresh", slack.response_url())
        [said] = slack.wait_for_response(1)
        assert "Roadmap read" in said.json["text"]
        assert "1/7" in texts(bot.command("Ingestion", slack.response_url()).json()["blocks"])


def test_a_pick_in_app_home_opens_the_card_in_a_modal(bot: Any, slack: FakeSlack) -> None:
    action = signing.button_action(f"{ACTION_PICK}:0", "Access Modules/Authentication")
    body = signing.block_actions_body([action], view={"id": "VHOME", "type": "home"})
    assert signing.post(bot.url + "/slack/events", body, SECRET).status_code == 200
    [opened] = slack.wait_for("views.open")
    view = opened.params["view"]
    assert view["type"] == "modal" and "Authentication" in texts(view["blocks"])
    assert check_message(view["blocks"], home=True) == []


def test_a_pick_inside_a_modal_updates_that_modal(bot: Any, slack: FakeSlack) -> None:
    action = signing.button_action(f"{ACTION_PICK}:0", "Compute Modules/Ingestion")
    body = signing.block_actions_body([action], view={"id": "VCARD", "type": "modal"})
    assert signing.post(bot.url + "/slack/events", body, SECRET).status_code == 200
    [updated] = slack.wait_for("views.update")
    assert updated.params["view_id"] == "VCARD" and "0/7" in texts(updated.params["view"]["blocks"])
    assert slack.calls_to("views.open") == []
