"""Every Slack surface the bot produces, driven as Slack drives it (signed requests to the
real app, a fake Web API), checked with slack_sdk's models and Slack's documented limits:
each /roadmap answer, the App Home, the card modal, a shared card, the digest, a tick's
result. On the bundled example, and on a roadmap whose names (and whose last commit's
author) are hostile: they must show literally, ping nobody, link nowhere."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.blockkit.limits import check_message
from bot.blockkit.text import escape, fit
from bot.digest.deliver import deliver
from bot.slack.blocks import ACTION_PICK, ACTION_SHARE
from bot.slack.listeners.actions import SHARE_FROM_A_CHANNEL
from bot.store.db import engine
from tests.fakes import signing
from tests.fakes.slack import FakeSlack
from tests.support.git import PATH, git, make_remote
from tests.support.roadmaps import roadmap_text

from .app_server import SECRET, TOKEN, running, settings_for

HOSTILE = "*bold* _x_ ~y~ <!channel> <https://evil|click> a/b"
GROUP = f"{HOSTILE} group"
SECOND = "Ingest_pipeline *v2*"
COLUMN = "Docs ~draft~"
# What must never reach a mrkdwn text as is: it would format, ping or link.
RAW = ("*bold*", "_x_", "~y~", "<!channel>", "<https://evil", "*v2*", "~draft~")


@pytest.fixture
def slack() -> Any:
    with FakeSlack() as fake:
        yield fake


def md(name: str) -> str:
    """`name` as written in the roadmap file so that it reads back as is (markdown escapes)."""
    return re.sub(r"([\\`*_\[\]<>|~!])", r"\\\1", name)


def hostile_remote(tmp_path: Path) -> Path:
    text = roadmap_text(
        [(md(GROUP), [md(HOSTILE), md(SECOND)]), ("Other", ["Plain"])],
        ["API", md(COLUMN)],
        {(md(SECOND), "API"): "x"},
        order=[md(GROUP), "Other"],
        rules=[f"Ship {md(GROUP)} with `care` and *speed* <!here>"],
        title=md(HOSTILE),
    )
    remote = make_remote(tmp_path, text)
    # The last change is made by someone whose name is hostile too (overview, Home, digest).
    path = remote.work / PATH
    path.write_text(text.replace("| Plain | [ ]", "| Plain | [x]"))
    env = {"GIT_AUTHOR_NAME": HOSTILE, "GIT_COMMITTER_NAME": HOSTILE}
    git(remote.work, "commit", "-qam", f"tick {HOSTILE}", env=env)
    git(remote.work, "push", "-q", "origin", "main")
    return remote.bare


def queries(hostile: bool) -> list[str]:
    lookups = (
        [HOSTILE, GROUP, "API", COLUMN, HOSTILE.replace("click", "clik"), "*bold*", "zzzz"]
        if hostile
        else ["Ingestion", "Access Modules", "API", "Ingestoin", "Mod", "zzzz"]
    )
    module = HOSTILE if hostile else "Ingestion"
    return ["", *lookups, "next", "blockers", f"blockers {module}", "help", "refresh"]


def surfaces(slack: FakeSlack, bot: Any, hostile: bool) -> dict[str, list[dict[str, Any]]]:
    """Every payload the bot sent, by surface: {"ack": [...], "respond": [...], ...}."""
    out: dict[str, list[dict[str, Any]]] = {"ack": [], "respond": [], "view": [], "post": []}
    for q in queries(hostile):
        resp = bot.command(q, slack.response_url())
        assert resp.status_code == 200, q
        json_reply = resp.headers.get("content-type", "").startswith("application/json")
        out["ack"].append(resp.json() if json_reply else {"text": resp.text})
    for q in ("digest", "subscribe", "unsubscribe"):
        assert bot.command(q, slack.response_url()).status_code == 200
    # App Home, then a pick there (a modal), then Share clicked on a card in a channel.
    assert bot.event(signing.app_home_opened_event()).status_code == 200
    [home] = slack.wait_for("views.publish")
    picks = [
        el
        for b in home.params["view"]["blocks"]
        for el in b.get("elements", [])
        if str(el.get("action_id", "")).startswith(ACTION_PICK)
    ]
    assert picks, "App Home offers the next modules"
    action = signing.button_action(picks[0]["action_id"], picks[0]["value"])
    body = signing.block_actions_body([action], view={"id": "VHOME", "type": "home"})
    assert signing.post(bot.url + "/slack/events", body, SECRET).status_code == 200
    [modal] = slack.wait_for("views.open")
    module = HOSTILE if hostile else "Ingestion"
    bot.click(signing.button_action(ACTION_SHARE, module), slack.response_url())
    # A typed tick: acknowledged, applied, then told on the card it came from.
    bot.command(f"tick {module} API", slack.response_url())
    # refresh, digest, subscribe, unsubscribe, share, and the card after the tick
    responses = slack.wait_for_response(6, timeout=60)
    out["respond"] = [r.json for r in responses]
    # The digest as the schedule posts it: chat.postMessage, then the chart in its thread.
    services = bot.services
    client = WebClient(token=TOKEN, base_url=slack.url)
    week = timedelta(days=7)
    [sent] = deliver(
        services.settings,
        services.source,
        client,
        engine(services.settings.database_url),
        ["C0DIGEST"],
        "test-period",
        week,
        datetime.now(UTC),
    )
    assert sent.status == "posted", sent
    out["view"] = [c.params["view"] for c in (home, modal)]
    out["post"] = [c.params for c in slack.calls_to("chat.postMessage")]
    return out


def check_text_objects(node: Any) -> None:
    """mrkdwn shows names literally and pings nobody; plain_text carries no mrkdwn wrapper."""
    if isinstance(node, dict):
        if node.get("type") == "mrkdwn":
            check_mrkdwn(node["text"])
        elif node.get("type") == "plain_text":
            assert "<!date" not in node["text"] and "<!channel>" not in node["text"], node
        for key, value in node.items():
            if key != "value":  # a button's value comes back to the bot, never rendered
                check_text_objects(value)
    elif isinstance(node, list):
        for item in node:
            check_text_objects(item)


def check_mrkdwn(text: str) -> None:
    outside = re.sub(r"`[^`]*`", "``", text)  # in a code span `*bold*` shows as typed
    for raw in RAW:
        assert raw not in outside, (raw, text)
    assert "<!channel>" not in text and "<https://evil" not in text, text
    # Escaped twice: a wrapper or an entity would show as typed ("&lt;!date^…", "&amp;amp;").
    for twice in ("&lt;!date", "&amp;amp;", "&amp;lt;", "&amp;gt;"):
        assert twice not in text, (twice, text)
    # Nothing formats inside a code span, so a wrapper there would show as typed.
    for span in re.findall(r"`[^`]*`", text):
        assert "<!date" not in span, (span, text)


def check_message_payload(payload: dict[str, Any]) -> None:
    text = payload.get("text") or ""
    blocks = payload.get("blocks") or []
    assert text.strip() or blocks, payload
    assert len(text) <= 40_000  # Slack cuts a message's text beyond this
    for raw in ("<!channel>", "<https://evil"):
        assert raw not in text, text
    if not blocks:  # the text is what shows, as mrkdwn
        check_mrkdwn(text)
    assert check_message(blocks) == [], blocks
    for b in blocks:
        Block.parse(dict(b)).to_dict()  # slack_sdk raises on a broken limit
    check_text_objects(blocks)


def check_view(view: dict[str, Any]) -> None:
    assert check_message(view["blocks"], home=True) == []
    View(**view).to_dict()  # title <= 24, <= 100 blocks, each block as above
    for b in view["blocks"]:
        Block.parse(dict(b)).to_dict()
    check_text_objects(view)


@pytest.mark.parametrize("hostile", [False, True], ids=["example", "hostile"])
def test_every_surface_is_valid_and_literal(
    tmp_path: Path, slack: FakeSlack, hostile: bool
) -> None:
    overrides: dict[str, Any] = {"cache_dir": str(tmp_path / "cache")}
    if hostile:
        overrides["roadmap_repo"] = str(hostile_remote(tmp_path))
    with running(settings_for(slack.url, **overrides)) as bot:
        sent = surfaces(slack, bot, hostile)
    messages = sent["ack"] + sent["respond"] + sent["post"]
    for payload in messages:
        check_message_payload(payload)
    for view in sent["view"]:
        check_view(view)
    everything = json.dumps(sent, ensure_ascii=False)
    assert "Shared by" in everything and "Preview:" in everything  # a share, the digest
    assert [p["channel"] for p in sent["post"]] == ["C0DIGEST"]  # the digest, posted
    # Cards opened in a modal offer no Share (a modal has no channel to share in).
    modal = sent["view"][1]["blocks"]
    modal_actions = [el.get("action_id") for b in modal for el in b.get("elements", [])]
    assert ACTION_SHARE not in modal_actions
    if hostile:

        def found(text: str, payload: Any) -> bool:
            return js(text) in json.dumps(payload, ensure_ascii=False)

        assert found(escape(HOSTILE), sent["ack"][1])  # the module's name, whole and literal
        # Who made the last change: on the overview, in App Home, in the digest.
        assert found(fit(HOSTILE, 100), sent["ack"][0])
        assert found(fit(HOSTILE, 100), sent["view"][0])
        digest = next(r for r in sent["respond"] if "Preview:" in json.dumps(r))
        assert found(escape("*bold*"), digest) and "By " in json.dumps(digest)
        assert any("Did you mean" in json.dumps(a) for a in sent["ack"])


def js(text: str) -> str:
    """`text` as it appears inside a JSON string."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


def test_share_clicked_in_a_modal_says_where_sharing_works(slack: FakeSlack) -> None:
    with running(settings_for(slack.url)) as bot:
        action = signing.button_action(ACTION_SHARE, "Ingestion")
        body = signing.block_actions_body([action], view={"id": "VCARD", "type": "modal"})
        assert signing.post(bot.url + "/slack/events", body, SECRET).status_code == 200
        [told] = slack.wait_for("views.push")
    assert told.params["trigger_id"] and SHARE_FROM_A_CHANNEL in json.dumps(told.params["view"])
    check_view(told.params["view"])
